// The page's stepper: every step is drawn from scratch by replaying steps 0..i, so going
// back is as exact as going forward and nothing is kept between steps but the indices
// (the training step t, and the step i inside it: its forward and backward pass).
// The camera (the SVG's viewBox) frames what the step is about, from the drawing's own boxes.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("lecture-data").textContent);
  const svg = document.querySelector("#graph svg");
  const $ = (id) => document.getElementById(id);
  const n = D.nodes.length;
  const root = n - 1;

  const N = D.train.length;
  const state = { view: D.graph === false ? "layers" : "graph", index: { graph: 0, layers: 0 }, path: false,
                  zoom: 0, pathView: false, t: 0, selected: null, edges: "weight" };
  const T = () => D.train[state.t];  // what this training step shows
  const graphSteps = () => [{ kind: "start" }].concat(T().steps, [{ kind: "end" }]);
  const layerSteps = () => [{ kind: "start" }].concat(T().layers.steps, [{ kind: "end" }]);
  const ZOOMS = ["step", "all"];  // follow the step, or always the whole graph

  // Every element a step touches, looked up once: a step then costs no searching of the drawing.
  const nodes = [], ops = [], nums = { data: [], grad: [] }, edges = {};
  svg.querySelectorAll("g[data-k]").forEach((g) => {
    const k = +g.dataset.k;
    nodes[k] = g;
    nums.data[k] = g.querySelector("tspan.data");
    nums.grad[k] = g.querySelector("tspan.grad");
  });
  svg.querySelectorAll("g[data-op]").forEach((g) => { ops[+g.dataset.op] = g; });
  const allEdges = [...svg.querySelectorAll("g.edge")];
  allEdges.forEach((e) => { edges[`${e.dataset.from}>${e.dataset.to}>${e.dataset.nth}`] = e; });
  const edgeInto = (from, k, nth) => edges[`${from}>${k}op>${nth}`];
  const inputsOf = [];  // node k's inputs, from the forward steps
  D.train[0].steps.forEach((s) => { if (s.kind === "forward") inputsOf[s.node] = s.inputs; });
  // Each edge's local-derivative label, with the input position it stands for: rewritten every training step.
  const localLabels = [];
  allEdges.forEach((e) => {
    const to = e.dataset.to || "", text = e.querySelector("text.local");
    if (!text || !to.endsWith("op")) return;
    const k = +to.slice(0, -2), from = +e.dataset.from, nth = +e.dataset.nth;
    let seen = -1;
    const p = (inputsOf[k] || []).findIndex((i) => i === from && ++seen === nth);
    if (p >= 0) localLabels.push([text, k, p]);
  });
  function put(el, text) { if (el && el.textContent !== text) el.textContent = text; }
  function mark(el, cls) { if (el) el.classList.add(cls); }

  // ---- Camera. Boxes are in the drawing's own units (its viewBox), measured once.
  const home = svg.viewBox.baseVal;
  const whole = { x: home.x, y: home.y, w: home.width, h: home.height };
  svg.removeAttribute("width"); svg.removeAttribute("height");  // the pane sizes it; the viewBox frames
  const toDrawing = svg.getScreenCTM().inverse();
  function boxOf(el) {
    const b = el.getBBox(), m = toDrawing.multiply(el.getScreenCTM());
    const xs = [], ys = [];
    [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]].forEach(([x, y]) => {
      xs.push(m.a * x + m.c * y + m.e); ys.push(m.b * x + m.d * y + m.f);
    });
    return { x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) };
  }
  const boxes = new Map();
  [...nodes, ...ops, ...allEdges].forEach((el) => { if (el) boxes.set(el, boxOf(el)); });
  function union(els) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    els.forEach((el) => {
      const b = el && boxes.get(el);
      if (!b) return;
      x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y); x1 = Math.max(x1, b.x + b.w); y1 = Math.max(y1, b.y + b.h);
    });
    return x0 === Infinity ? null : { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  }
  // Text size on screen: Graphviz's node font (in drawing units) times the scale (pixels per unit).
  const fontUnits = parseFloat((svg.querySelector("g.node text") || {}).getAttribute?.("font-size")) || 14;
  const READABLE_PX = 12;  // the smallest node text the first view may show the whole graph at
  // The pane's size in each layout, measured once (until a resize): measuring forces the browser
  // to lay out the whole drawing, which on a graph of 400 Values took most of a step's time.
  const panes = {};
  function pane() {
    const body = document.body.classList;  // a chosen weight's panel ("reading") leaves the drawing less room
    const key = (body.contains("reading") ? "reading " : "") + (body.contains("wide") ? "wide" : "side");
    if (!panes[key]) { const r = $("graph").getBoundingClientRect(); panes[key] = { w: r.width, h: r.height }; }
    return panes[key];
  }
  function preferredScale(p) {  // a step's text: large on a projector, still fitting a phone
    const px = Math.max(14, Math.min(26, p.h / 38, p.w / 28));
    return px / fontUnits;
  }
  function fitScale(box, p) {  // the largest scale showing all of box, with a margin around it
    const margin = Math.max(12, Math.min(48, p.w * 0.03));
    return Math.min((p.w - 2 * margin) / Math.max(box.w, 1), (p.h - 2 * margin) / Math.max(box.h, 1));
  }
  // The viewBox that shows `box` at `scale`, centred, with the pane's own proportions.
  function view(box, scale, p) {
    const w = p.w / scale, h = p.h / scale;
    return { x: box.x + box.w / 2 - w / 2, y: box.y + box.h / 2 - h / 2, w, h };
  }
  function frame(box, p) {  // all of box, as large as a step's text wants and no larger
    return view(box, Math.min(preferredScale(p), fitScale(box, p)), p);
  }
  // The first layer: the nodes computed from leaves only, with those leaves, and what a one-input
  // op (an activation) makes of them.
  function firstLayer() {
    const first = new Set(), els = [];
    inputsOf.forEach((ins, k) => { if (ins && ins.every((i) => D.nodes[i].leaf)) first.add(k); });
    inputsOf.forEach((ins, k) => { if (ins && ins.length === 1 && first.has(ins[0])) els.push(nodes[k], ops[k]); });
    first.forEach((k) => { els.push(nodes[k], ops[k]); inputsOf[k].forEach((i) => els.push(nodes[i])); });
    return union(els);
  }
  // What a step is about: a node with its op and inputs (a backward step: the op it goes back through).
  function stepElements(step) {
    const around = (k) => [nodes[k], ops[k], ...(inputsOf[k] || []).map((i) => nodes[i])];
    if (step.kind === "forward") return around(step.node);
    if (step.kind === "backward") return around(step.out);
    if (step.kind === "seed") return around(step.node);
    return [];
  }
  function pathBox() { return D.path ? union(D.path.nodes.flatMap((k) => [nodes[k], ops[k]])) : null; }
  // An overview (the whole graph, the path) is often much wider than tall: then the drawing
  // takes the page's full width above the panel ("wide"), when that shows it clearly larger.
  function overview(box) {
    const body = document.body;
    body.classList.remove("wide");
    const side = pane(), s1 = fitScale(box, side);
    body.classList.add("wide");
    const wide = pane(), s2 = fitScale(box, wide);
    if (s2 > 1.25 * s1) return view(box, Math.min(preferredScale(wide), s2), wide);
    body.classList.remove("wide");
    return view(box, Math.min(preferredScale(side), s1), side);
  }
  function target(step) {
    document.body.classList.remove("wide");
    if (ZOOMS[state.zoom] === "all") return overview(whole);
    if (state.pathView) return overview(pathBox() || whole);
    if (step.kind === "end") {  // the path, or the whole graph when that is hardly smaller
      const path = pathBox() || whole, p = pane();
      return overview(fitScale(whole, p) >= 0.8 * fitScale(path, p) ? whole : path);
    }
    if (step.kind === "start") {
      const v = overview(whole);
      if (pane().w / v.w * fontUnits >= READABLE_PX) return v;
      document.body.classList.remove("wide");
      const layer = firstLayer(), p = pane();
      if (layer && fitScale(layer, p) * fontUnits >= READABLE_PX) return frame(layer, p);
      return frame(union(stepElements(T().steps[0])) || whole, p);
    }
    const p = pane();
    if (step.kind === "backward") {
      // The op's other inputs too, so its steps share one view, unless they cost much of the zoom.
      const edge = union([nodes[step.node], nodes[step.out], ops[step.out], edgeInto(step.node, step.out, step.edge)]);
      const all = union(stepElements(step)), near = Math.min(preferredScale(p), fitScale(edge, p));
      return frame(all && fitScale(all, p) >= 0.75 * near ? all : edge, p);
    }
    return frame(union(stepElements(step)) || whole, p);
  }
  const camera = { now: null, goal: null, moving: false };
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  function setView(v) { svg.setAttribute("viewBox", `${v.x} ${v.y} ${v.w} ${v.h}`); camera.now = v; }
  function aim(v) {
    camera.goal = v;
    if (still || !camera.now) { setView(v); camera.moving = false; return; }
    const from = camera.now, start = performance.now(), ms = 350;
    camera.moving = true;
    const tick = (t) => {
      if (camera.goal !== v) return;  // a newer step took over
      const f = Math.min(1, (t - start) / ms), e = f * (2 - f);
      setView({ x: from.x + (v.x - from.x) * e, y: from.y + (v.y - from.y) * e,
                w: from.w + (v.w - from.w) * e, h: from.h + (v.h - from.h) * e });
      if (f < 1) requestAnimationFrame(tick); else camera.moving = false;
    };
    requestAnimationFrame(tick);
  }
  // By hand: the wheel zooms about the pointer, a drag pans; the next step frames again.
  $("graph").addEventListener("wheel", (event) => {
    event.preventDefault();
    const v = camera.now, r = $("graph").getBoundingClientRect(), f = Math.exp(event.deltaY * 0.0015);
    const px = v.x + (event.clientX - r.left) / r.width * v.w, py = v.y + (event.clientY - r.top) / r.height * v.h;
    camera.goal = null; camera.moving = false;
    setView({ x: px - (px - v.x) * f, y: py - (py - v.y) * f, w: v.w * f, h: v.h * f });
  }, { passive: false });
  // One pointer drags; two (a phone's fingers) pinch, zooming about their midpoint.
  const pointers = new Map();
  let drag = null;
  function grab() {
    const [a, b] = [...pointers.values()];
    drag = { a, b, v: camera.now };
  }
  $("graph").addEventListener("pointerdown", (event) => {
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    grab();
  });
  const release = (event) => { pointers.delete(event.pointerId); if (pointers.size) grab(); else drag = null; };
  window.addEventListener("pointerup", release);
  window.addEventListener("pointercancel", release);
  window.addEventListener("pointermove", (event) => {
    if (!drag || !pointers.has(event.pointerId)) return;
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    const r = $("graph").getBoundingClientRect(), v = drag.v, k = v.w / r.width;
    const [a, b] = [...pointers.values()];
    camera.goal = null; camera.moving = false;
    if (!b || !drag.b) {
      setView({ ...v, x: v.x - (a.x - drag.a.x) * k, y: v.y - (a.y - drag.a.y) * k });
      return;
    }
    const f = Math.hypot(drag.a.x - drag.b.x, drag.a.y - drag.b.y) / Math.max(1, Math.hypot(a.x - b.x, a.y - b.y));
    const mx = v.x + ((drag.a.x + drag.b.x) / 2 - r.left) * k, my = v.y + ((drag.a.y + drag.b.y) / 2 - r.top) * k;
    const w = v.w * f, h = v.h * f, k2 = w / r.width;
    setView({ x: mx - ((a.x + b.x) / 2 - r.left) * k2, y: my - ((a.y + b.y) / 2 - r.top) * k2, w, h });
  });

  // ---- The graph view.
  function drawGraph(i) {
    const steps = graphSteps(), now = T();
    const computed = D.nodes.map((node) => node.leaf);
    let grads = null;
    const lit = new Set();
    for (let s = 0; s <= i; s++) {
      const step = steps[s];
      if (step.kind === "forward") computed[step.node] = true;
      if (step.kind === "seed") { grads = new Array(n).fill("0"); grads[step.node] = step.grad; }
      if (step.kind === "backward") { grads[step.node] = step.grad; lit.add(`${step.node}>${step.out}>${step.edge}`); }
      if (step.kind === "end") { computed.fill(true); }
    }
    for (let k = 0; k < n; k++) {
      put(nums.data[k], computed[k] ? now.data[k] : "?");
      put(nums.grad[k], !D.nodes[k].grad ? "–" : grads ? grads[k] : "?");  // a constant's grad is not asked for
    }
    localLabels.forEach(([text, k, p]) => put(text, now.locals[k][p]));
    svg.querySelectorAll(".current, .source, .lit, .shown, .selected").forEach((el) => el.classList.remove("current", "source", "lit", "shown", "selected"));
    allEdges.forEach((e) => {
      const to = e.dataset.to || "";
      if (to.endsWith("op") && lit.has(`${e.dataset.from}>${to.slice(0, -2)}>${e.dataset.nth}`)) e.classList.add("shown");
    });
    const step = steps[i];
    if (step.kind === "forward") {
      mark(nodes[step.node], "current"); mark(ops[step.node], "current");
      svg.querySelectorAll(`g.edge[data-to="${step.node}op"], g.edge[data-from="${step.node}op"]`).forEach((e) => e.classList.add("lit"));
      step.inputs.forEach((k) => mark(nodes[k], "source"));
    } else if (step.kind === "seed") {
      mark(nodes[step.node], "current");
    } else if (step.kind === "backward") {
      mark(nodes[step.node], "current"); mark(nodes[step.out], "source"); mark(ops[step.out], "source");
      const e = edgeInto(step.node, step.out, step.edge);
      mark(e, "lit"); mark(e, "shown");
    }
    if (state.selected !== null) mark(nodes[state.selected], "selected");
    svg.classList.toggle("forward-phase", step.kind === "forward");  // local derivatives belong to backward
    svg.classList.toggle("path-on", state.path);
    aim(target(step));
    panel(step, steps.length - 1, i);
  }

  function panel(step, last, i) {
    const phase = {
      start: "Start", forward: "Forward pass", seed: "Backward pass", backward: "Backward pass",
      drive: "Forward pass", activation: "Forward pass", loss: "Forward pass", delta: "Backward pass", end: "Done",
    }[step.kind];
    $("phase").textContent = step.title || phase;
    let lines = step.lines;
    if (step.kind === "start") {
      lines = state.view === "graph"
        ? ["The leaves hold the given numbers.", "→ computes the next node, ← goes back."]
        : ["The inputs and the weights are given.", "→ computes the next layer, ← goes back."];
    }
    if (step.kind === "end") lines = D.path ? T().path : T().end;
    if (state.pathView && state.view === "graph" && D.path) { $("phase").textContent = `Path of ${D.path.name}`; lines = T().path; }
    const box = $("lines");
    box.textContent = "";
    const chosen = state.selected !== null ? T().weights[state.selected] : null;
    // a line kept once in D.lines, or written out; {0}, {1}, ... take this step's numbers
    const fixed = D.weights.find((w) => w.k === state.selected) || {};
    const signed = (x) => (x.startsWith("−") ? `(${x})` : x);
    const named = chosen && { w: T().data[state.selected], g: T().grads[state.selected] };
    const text = (line) => {
      const s = typeof line === "number" ? D.lines[line] : line;
      if (!chosen.values) return s;
      return s.replace(/\{(\(?)(\w+)\)?\}/g, (_, paren, m) => {
        const v = m in named ? named[m] : chosen.values[+m];
        return paren ? signed(v) : v;
      });
    };
    document.body.classList.toggle("reading", !!chosen);
    if (chosen) {  // a weight's derivation, exactly as viz.derivation() writes it, and its update
      const name = weightName[state.selected];
      $("phase").textContent = N > 1 ? `∂L/∂${name}, training step ${state.t + 1}` : `∂L/∂${name}`;
      lines = (chosen.update || fixed.update).map(text);
    }
    box.classList.toggle("many", lines.length > 6);
    lines.forEach((text) => {
      const p = document.createElement("p");
      p.textContent = text;
      if (chosen) p.className = "update";
      box.appendChild(p);
    });
    if (chosen) {
      const pre = document.createElement("pre");
      pre.className = "derivation";
      pre.textContent = (chosen.derivation || fixed.derivation).map(text).join("\n");
      box.appendChild(pre);
    }
    $("counter").textContent = `${i} / ${last}`;
    training();
    $("back").disabled = i === 0 && state.t === 0; $("first").disabled = i === 0;
    $("next").disabled = i === last && state.t === N - 1; $("last").disabled = i === last;
  }

  // ---- The layer view: a column per layer, one line per weight with its name and value.
  function buildLayers() {
    const host = $("layers");
    D.layers.columns.forEach((col) => {
      const column = document.createElement("div");
      column.className = "column";
      const h = document.createElement("h3");
      h.textContent = col.title;
      column.appendChild(h);
      col.cells.forEach((cell) => {
        const div = document.createElement("div");
        div.className = cell.compact ? "neuron compact" : "neuron";  // compact: one line, for a wide layer
        div.dataset.cell = cell.id;
        const name = document.createElement("div");
        name.className = "name";
        name.textContent = cell.name;
        const badge = document.createElement("span");
        badge.className = "badge";  // "dead" or "saturated", when the neuron is (see the legend)
        name.appendChild(badge);
        div.appendChild(name);
        cell.fields.forEach((f) => {
          const row = document.createElement("div");
          row.className = "field";
          row.dataset.field = f.key;
          row.innerHTML = "<span class=\"key\"></span> = <span class=\"val\"></span>";
          row.querySelector(".key").textContent = f.symbol;
          if (f.k !== undefined) {  // a bias: chosen as a link's weight is
            row.dataset.k = f.k;
            row.classList.add("weight");
            row.setAttribute("tabindex", "0");
            row.setAttribute("role", "button");
          }
          div.appendChild(row);
        });
        column.appendChild(div);
      });
      host.appendChild(column);
    });
    const lines = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    lines.id = "links";
    host.prepend(lines);
  }

  // Columns as far apart as the longest weight label needs, and no further (measured once shown).
  let spaced = null;  // the edge mode the gaps were measured for
  function spaceColumns() {
    const host = $("layers"), lines = $("links");
    spaced = state.edges;
    const probe = document.createElementNS("http://www.w3.org/2000/svg", "text");
    lines.appendChild(probe);
    let widest = 0;
    // the longest label of each link over every training step (by characters), measured: one
    // measurement per link, not one per link and step
    const longest = (texts) => texts.reduce((a, b) => (b.length > a.length ? b : a), "");
    const incoming = {};
    D.layers.links.forEach((l) => { incoming[l.to] = (incoming[l.to] || 0) + 1; });
    D.layers.links.forEach((l) => {
      if (!l.weight || incoming[l.to] > 4) return;  // too many to label: shown on hover, and given no room
      probe.textContent = longest(D.train.map((step) => (state.edges === "grad"
        ? `∂L/∂${l.weight} = ${step.grads[l.k]}` : `${l.weight} = ${step.data[l.k]}`)));
      widest = Math.max(widest, probe.getComputedTextLength());
    });
    probe.remove();
    host.style.gap = `${Math.max(48, widest + 56)}px`;
  }

  // The whole network in view, scaled to the pane and centred; on a small screen no smaller
  // than MIN_LAYER_SCALE, and scrolled.
  const MIN_LAYER_SCALE = 0.6, MAX_LAYER_SCALE = 1.4;
  function fitLayers() {
    const outer = $("layers-pane"), net = $("layers"), size = $("layers-size");
    net.style.transform = "";
    const w = net.offsetWidth, h = net.offsetHeight;
    const scale = () => {
      const r = outer.getBoundingClientRect();
      return Math.min(MAX_LAYER_SCALE, (r.width - 16) / w, (r.height - 16) / h);
    };
    document.body.classList.remove("wide");  // across the page's width, the panel under it, if clearly larger
    const side = scale();
    document.body.classList.add("wide");
    if (scale() <= 1.25 * side) document.body.classList.remove("wide");
    // a wide network (16 neurons a layer) may shrink further: its labels are on hover anyway
    const least = D.layers.links.length > 40 ? MIN_LAYER_SCALE / 2 : MIN_LAYER_SCALE;
    const r = outer.getBoundingClientRect(), s = Math.max(least, scale());
    const dx = Math.max(0, (r.width - w * s) / 2), dy = Math.max(0, (r.height - h * s) / 2);
    net.style.transform = `translate(${dx}px, ${dy}px) scale(${s})`;
    size.style.width = `${w * s + dx}px`; size.style.height = `${h * s + dy}px`;
    return s;
  }

  // Each link ends at its own height on the neuron's left side, its weight written just before
  // it: two crossing links can never be confused, as labels halfway along them would be.
  // Its colour says the sign of the weight (or of its grad: the E toggle), its thickness the size,
  // against the largest over every training step, so a weight that grows is seen to grow.
  const largest = { weight: 0, grad: 0 };
  D.train.forEach((step) => Object.values(step.size).forEach(([w, g]) => {
    largest.weight = Math.max(largest.weight, Math.abs(w)); largest.grad = Math.max(largest.grad, Math.abs(g));
  }));
  function drawLinks(scale) {
    const host = $("layers"), lines = $("links"), NS = "http://www.w3.org/2000/svg";
    const origin = host.getBoundingClientRect(), now = T(), grad = state.edges === "grad";
    lines.setAttribute("width", host.offsetWidth);
    lines.setAttribute("height", host.offsetHeight);
    lines.textContent = "";
    const into = {};
    D.layers.links.forEach((l) => { (into[l.to] = into[l.to] || []).push(l); });
    const at = (el) => {  // el's box in the network's own (unscaled) pixels
      const r = el.getBoundingClientRect();
      return { left: (r.left - origin.left) / scale, right: (r.right - origin.left) / scale,
               top: (r.top - origin.top) / scale, bottom: (r.bottom - origin.top) / scale };
    };
    const labels = [], boxes = {};  // every cell measured before anything is drawn: one layout, not one a link
    host.querySelectorAll("[data-cell]").forEach((el) => { boxes[el.dataset.cell] = at(el); });
    Object.entries(into).forEach(([to, links]) => {
      const b = boxes[to];
      const room = (b.bottom - b.top) / (links.length + 1) >= 22;  // else labels would pile up: hover instead
      links.forEach((l, m) => {
        const a = boxes[l.from];
        const y2 = b.top + (b.bottom - b.top) * (m + 1) / (links.length + 1);
        const line = document.createElementNS(NS, "line");
        line.setAttribute("x1", a.right); line.setAttribute("y1", (a.top + a.bottom) / 2);
        line.setAttribute("x2", b.left); line.setAttribute("y2", y2);
        const text = l.weight && (grad ? `∂L/∂${l.weight} = ${now.grads[l.k]}` : `${l.weight} = ${now.data[l.k]}`);
        const size = l.k !== undefined && now.size[l.k];
        if (size) {
          const v = size[grad ? 1 : 0], top = largest[grad ? "grad" : "weight"] || 1;
          line.classList.add(v < 0 ? "negative" : "positive");
          line.style.strokeWidth = `${(1.5 + 10 * Math.abs(v) / top).toFixed(1)}px`;
          line.dataset.k = l.k;
          if (state.selected === l.k) line.classList.add("selected");
        }
        lines.appendChild(line);
        if (size) {  // a wide transparent twin: easy to click or tap, and reachable with Tab
          const hit = line.cloneNode();
          hit.setAttribute("class", "hit");
          hit.removeAttribute("style");
          hit.setAttribute("tabindex", "0");
          hit.setAttribute("role", "button");
          hit.setAttribute("aria-label", `${l.weight}: its derivation`);
          const tip = document.createElementNS(NS, "title");
          tip.textContent = text;
          hit.appendChild(tip);
          lines.appendChild(hit);
        }
        if (l.weight && room) labels.push([b.left - 6, y2 - 5, text]);
      });
    });
    labels.forEach(([x, y, content]) => {  // over every line, so no line crosses a label
      const label = document.createElementNS(NS, "text");
      label.setAttribute("x", x); label.setAttribute("y", y);
      label.setAttribute("text-anchor", "end");
      label.textContent = content;
      lines.appendChild(label);
    });
  }

  const MARKS = { dead: "dead", saturated: "saturated" };
  function drawLayers(i) {
    const steps = layerSteps(), now = T();
    const known = new Set(D.layers.given);
    for (let s = 0; s <= i; s++) (steps[s].show || []).forEach((key) => known.add(key));
    if (steps[i].kind === "end") now.layers.steps.forEach((st) => st.show.forEach((key) => known.add(key)));
    const current = new Set(steps[i].show || []);
    document.querySelectorAll("#layers .field").forEach((row) => {
      const key = `${row.parentElement.dataset.cell}.${row.dataset.field}`;
      row.querySelector(".val").textContent = known.has(key) ? now.layers.values[key] : "?";
      row.classList.toggle("current", current.has(key));
      row.classList.toggle("selected", row.dataset.k !== undefined && +row.dataset.k === state.selected);
    });
    document.querySelectorAll("#layers .neuron").forEach((cell) => {
      const mark = now.marks[cell.dataset.cell] || "";
      cell.classList.toggle("dead", mark === "dead");
      cell.classList.toggle("saturated", mark === "saturated");
      cell.querySelector(".badge").textContent = MARKS[mark] || "";
    });

    if (spaced !== state.edges) spaceColumns();
    drawLinks(fitLayers());
    panel(steps[i], steps.length - 1, i);
  }

  function draw() {
    const graph = state.view === "graph";
    // set before the camera or the network is fitted: a chosen weight's panel takes more room
    document.body.classList.toggle("reading", state.selected !== null && !!T().weights[state.selected]);
    $("graph").hidden = !graph;
    $("layers-pane").hidden = graph;
    $("view").textContent = graph ? "Layers" : "Graph";
    $("zoom").hidden = !graph;
    $("edges").hidden = graph;
    $("legend").hidden = graph;  // what the network view's edges and marks mean
    $("edges").querySelector(".word").textContent = state.edges === "grad" ? ": grad" : ": weight";
    $("zoom").querySelector(".word").textContent = ZOOMS[state.zoom] === "all" ? ": all" : ": step";
    if (graph) drawGraph(state.index.graph); else drawLayers(state.index.layers);
  }

  // → past a training step's last step goes on to the next training step's first; ← before the
  // first, back to the previous one's last: a clicker alone walks through all of training.
  function go(delta, absolute) {
    const last = (state.view === "graph" ? graphSteps() : layerSteps()).length - 1;
    let to = absolute !== undefined ? absolute : state.index[state.view] + delta;
    if (absolute === undefined && to > last && state.t < N - 1) { state.t += 1; to = 0; }
    if (absolute === undefined && to < 0 && state.t > 0) {
      state.t -= 1;
      to = (state.view === "graph" ? graphSteps() : layerSteps()).length - 1;
    }
    state.index[state.view] = Math.max(0, Math.min(last, to));
    state.pathView = false;  // the camera goes back to following the step
    state.selected = null;  // and the panel to explaining it
    draw();
  }
  // Another training step, at the same place in it: the slider, [ and ], a click on the loss chart.
  function train(t) {
    state.t = Math.max(0, Math.min(N - 1, t));
    draw();
  }
  function select(k) {
    state.selected = k;
    draw();
  }
  function cycle(delta) {  // the next (or previous) weight, for a keyboard alone
    const ks = D.weights.map((w) => w.k);
    if (!ks.length) return;
    const at = ks.indexOf(state.selected);
    select(ks[at < 0 ? (delta > 0 ? 0 : ks.length - 1) : (at + delta + ks.length) % ks.length]);
  }

  // ---- Training: the step slider, the loss chart (drawn here, from the engine's losses) and,
  // for a classifier, the decision boundary of this step (computed in Python, painted here).
  const chart = $("loss-chart");
  function drawChart() {  // in the chart's own pixels, so its text is as large as the panel's
    const NS = "http://www.w3.org/2000/svg", W = chart.clientWidth || 600, H = chart.clientHeight || 120;
    const font = Math.max(14, Math.min(22, H / 4)), left = 8, right = 12, top = font + 6, bottom = 10;
    chart.setAttribute("viewBox", `0 0 ${W} ${H}`);
    chart.textContent = "";
    const ys = D.train.map((st) => st.loss), lo = Math.min(...ys), hi = Math.max(...ys);
    const x = (t) => left + (W - left - right) * (N === 1 ? 0.5 : t / (N - 1));
    const y = (v) => top + (H - top - bottom) * (hi === lo ? 0.5 : (hi - v) / (hi - lo));
    const label = (text, at, anchor) => {
      const el = document.createElementNS(NS, "text");
      el.setAttribute("x", at); el.setAttribute("y", font + 1); el.setAttribute("text-anchor", anchor);
      el.setAttribute("font-size", font);
      el.textContent = text;
      chart.appendChild(el);
    };
    label(`loss, step 1 to ${N}: ${D.train[0].shown} → ${D.train[N - 1].shown}`, left, "start");
    const line = document.createElementNS(NS, "polyline");
    line.setAttribute("points", ys.map((v, t) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" "));
    chart.appendChild(line);
    ys.forEach((v, t) => {
      const dot = document.createElementNS(NS, "circle");
      dot.setAttribute("cx", x(t)); dot.setAttribute("cy", y(v));
      dot.setAttribute("r", t === state.t ? 8 : N > 60 ? 0 : 4);
      if (t === state.t) dot.setAttribute("class", "now");
      const tip = document.createElementNS(NS, "title");
      tip.textContent = `step ${t + 1}: loss ${D.train[t].shown}`;
      dot.appendChild(tip);
      dot.addEventListener("click", () => train(t));
      chart.appendChild(dot);
    });
    chart.dataset.drawn = `${state.t} ${W}x${H}`;
  }
  function drawBoundary() {
    const canvas = $("boundary"), b = D.boundary, grid = T().boundary;
    const g = canvas.getContext("2d"), n = b.size, cell = canvas.width / n;
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        g.fillStyle = grid[r * n + c] === "1" ? "#9ecae1" : "#fdd0a2";  // light blue: class +1
        g.fillRect(c * cell, r * cell, cell + 1, cell + 1);
      }
    }
    const [x0, x1, y0, y1] = b.box;
    b.points.forEach(([px, py, label]) => {
      g.beginPath();
      g.arc((px - x0) / (x1 - x0) * canvas.width, (y1 - py) / (y1 - y0) * canvas.height, 5, 0, 2 * Math.PI);
      g.fillStyle = label > 0 ? "#0072b2" : "#d55e00";
      g.fill(); g.lineWidth = 1.5; g.strokeStyle = "#000"; g.stroke();
    });
  }
  function training() {
    if (N === 1 && !D.boundary) return;
    $("training").hidden = false;
    $("step").value = state.t + 1;
    $("step-label").textContent = `Training step ${state.t + 1} of ${N}: loss ${T().shown}` +
      (T().accuracy ? `, accuracy ${T().accuracy}` : "");
    if (chart.dataset.drawn !== `${state.t} ${chart.clientWidth}x${chart.clientHeight}`) drawChart();
    if (D.boundary && $("boundary").dataset.t !== String(state.t)) { drawBoundary(); $("boundary").dataset.t = state.t; }
  }
  if (N > 1 || D.boundary) {
    $("step").max = N;
    $("step").addEventListener("input", () => train(+$("step").value - 1));
    $("boundary").hidden = !D.boundary;
  }

  $("zoom").onclick = () => { state.zoom = (state.zoom + 1) % ZOOMS.length; draw(); };
  window.addEventListener("resize", () => { camera.now = null; Object.keys(panes).forEach((k) => delete panes[k]); draw(); });
  $("next").onclick = () => go(1);
  $("back").onclick = () => go(-1);
  $("first").onclick = () => go(0, 0);
  $("last").onclick = () => go(0, Infinity);
  if (D.path) {
    $("path").hidden = false;
    $("path").querySelector(".word").textContent = ` of ${D.path.name}`;
    const on = new Set(D.path.nodes);
    svg.querySelectorAll("g[data-k]").forEach((g) => { if (on.has(+g.dataset.k)) g.classList.add("on-path"); });
    svg.querySelectorAll("g[data-op]").forEach((g) => { if (on.has(+g.dataset.op)) g.classList.add("on-path"); });
    svg.querySelectorAll("g.edge").forEach((e) => {
      const a = parseInt(e.dataset.from, 10), b = parseInt(e.dataset.to, 10);
      if (on.has(a) && on.has(b)) e.classList.add("on-path");
    });
    $("path").onclick = () => {
      state.path = !state.path;
      state.pathView = state.path;  // switched on: frame the whole path and show its product
      $("path").classList.toggle("pressed", state.path);
      draw();
    };
  }
  if (D.layers) {
    buildLayers();
    $("view").hidden = D.graph === false;
    $("view").onclick = () => { state.view = state.view === "graph" ? "layers" : "graph"; draw(); };
    $("edges").onclick = () => { state.edges = state.edges === "grad" ? "weight" : "grad"; draw(); };
  }
  if (D.solution) { $("solution").hidden = false; $("solution").href = D.solution; }
  // A weight is chosen by a click or tap on its node (the graph) or its link (the network), by
  // Tab and Enter, or by W (next) and Shift+W (previous); Escape lets go.
  const weightNodes = new Set(D.weights.map((w) => w.k));
  const weightName = Object.fromEntries(D.weights.map((w) => [w.k, w.name]));
  nodes.forEach((g, k) => {
    if (!weightNodes.has(k)) return;
    g.classList.add("weight");
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.setAttribute("aria-label", `${D.nodes[k].name}: its derivation`);
  });
  let pressed = null;  // a click, not the end of a drag
  document.addEventListener("pointerdown", (event) => { pressed = { x: event.clientX, y: event.clientY }; });
  function chosenBy(event) {
    const el = event.target.closest && event.target.closest("g.weight[data-k], line.hit[data-k], .field.weight[data-k]");
    return el ? +el.dataset.k : null;
  }
  document.addEventListener("click", (event) => {
    const k = chosenBy(event);
    const dragged = pressed && Math.hypot(event.clientX - pressed.x, event.clientY - pressed.y) > 6;
    pressed = null;
    if (k === null || dragged) return;
    select(state.selected === k ? null : k);
  });
  document.addEventListener("keydown", (event) => {
    const keys = {
      ArrowRight: () => go(1), PageDown: () => go(1), " ": () => go(1),
      ArrowLeft: () => go(-1), PageUp: () => go(-1),
      Home: () => go(0, 0), End: () => go(0, Infinity),
      p: () => D.path && $("path").click(), l: () => D.layers && D.graph !== false && $("view").click(),
      z: () => $("zoom").click(), e: () => D.layers && $("edges").click(),
      "]": () => train(state.t + 1), "[": () => train(state.t - 1),
      w: () => cycle(1), W: () => cycle(-1), Escape: () => select(null),
      Enter: () => { const k = chosenBy(event); if (k !== null) select(k); },
    };
    if (event.key === "Enter" && chosenBy(event) === null) return;  // a focused button's own Enter
    if (keys[event.key] && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      keys[event.key]();
    }
  });
  window.lecture = { state, go, train, select, camera, steps: () => (state.view === "graph" ? graphSteps() : layerSteps()) };
  draw();
})();
