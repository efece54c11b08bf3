// The page's stepper: every step is drawn from scratch by replaying steps 0..i, so going
// back is as exact as going forward and nothing is kept between steps but the index.
// The camera (the SVG's viewBox) frames what the step is about, from the drawing's own boxes.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("lecture-data").textContent);
  const svg = document.querySelector("#graph svg");
  const $ = (id) => document.getElementById(id);
  const n = D.nodes.length;
  const root = n - 1;

  const graphSteps = [{ kind: "start" }].concat(D.steps, [{ kind: "end" }]);
  const layerSteps = D.layers ? [{ kind: "start" }].concat(D.layers.steps, [{ kind: "end" }]) : null;
  const state = { view: "graph", index: { graph: 0, layers: 0 }, path: false, zoom: 0, pathView: false };
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
  D.steps.forEach((s) => { if (s.kind === "forward") inputsOf[s.node] = s.inputs; });
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
    const key = document.body.classList.contains("wide") ? "wide" : "side";
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
      return frame(union(stepElements(D.steps[0])) || whole, p);
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
    const steps = graphSteps;
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
      put(nums.data[k], computed[k] ? D.nodes[k].data : "?");
      put(nums.grad[k], !D.nodes[k].grad ? "–" : grads ? grads[k] : "?");  // a constant's grad is not asked for
    }
    svg.querySelectorAll(".current, .source, .lit, .shown").forEach((el) => el.classList.remove("current", "source", "lit", "shown"));
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
    if (step.kind === "end") lines = D.path ? D.path.lines : D.end;
    if (state.pathView && state.view === "graph" && D.path) { $("phase").textContent = `Path of ${D.path.name}`; lines = D.path.lines; }
    const box = $("lines");
    box.textContent = "";
    box.classList.toggle("many", lines.length > 6);
    lines.forEach((text) => {
      const p = document.createElement("p");
      p.textContent = text;
      box.appendChild(p);
    });
    $("counter").textContent = `${i} / ${last}`;
    $("back").disabled = i === 0; $("first").disabled = i === 0;
    $("next").disabled = i === last; $("last").disabled = i === last;
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
        div.className = "neuron";
        div.dataset.cell = cell.id;
        const name = document.createElement("div");
        name.className = "name";
        name.textContent = cell.name;
        div.appendChild(name);
        cell.fields.forEach((f) => {
          const row = document.createElement("div");
          row.className = "field";
          row.dataset.field = f.key;
          row.innerHTML = "<span class=\"key\"></span> = <span class=\"val\"></span>";
          row.querySelector(".key").textContent = f.symbol;
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
  let spaced = false;
  function spaceColumns() {
    const host = $("layers"), lines = $("links");
    spaced = true;
    const probe = document.createElementNS("http://www.w3.org/2000/svg", "text");
    lines.appendChild(probe);
    let widest = 0;
    D.layers.links.forEach((l) => {
      if (!l.weight) return;
      probe.textContent = `${l.weight} = ${l.value}`;
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
    const r = outer.getBoundingClientRect(), s = Math.max(MIN_LAYER_SCALE, scale());
    const dx = Math.max(0, (r.width - w * s) / 2), dy = Math.max(0, (r.height - h * s) / 2);
    net.style.transform = `translate(${dx}px, ${dy}px) scale(${s})`;
    size.style.width = `${w * s + dx}px`; size.style.height = `${h * s + dy}px`;
    return s;
  }

  // Each link ends at its own height on the neuron's left side, its weight written just before
  // it: two crossing links can never be confused, as labels halfway along them would be.
  function drawLinks(scale) {
    const host = $("layers"), lines = $("links"), NS = "http://www.w3.org/2000/svg";
    const origin = host.getBoundingClientRect();
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
    Object.entries(into).forEach(([to, links]) => {
      const b = at(host.querySelector(`[data-cell="${to}"]`));
      const room = (b.bottom - b.top) / (links.length + 1) >= 22;  // else labels would pile up: hover instead
      links.forEach((l, m) => {
        const a = at(host.querySelector(`[data-cell="${l.from}"]`));
        const y2 = b.top + (b.bottom - b.top) * (m + 1) / (links.length + 1);
        const line = document.createElementNS(NS, "line");
        line.setAttribute("x1", a.right); line.setAttribute("y1", (a.top + a.bottom) / 2);
        line.setAttribute("x2", b.left); line.setAttribute("y2", y2);
        lines.appendChild(line);
        if (l.weight && !room) {
          const tip = document.createElementNS(NS, "title");
          tip.textContent = `${l.weight} = ${l.value}`;
          line.appendChild(tip);
        } else if (l.weight) {
          const text = document.createElementNS(NS, "text");
          text.setAttribute("x", b.left - 6); text.setAttribute("y", y2 - 5);
          text.setAttribute("text-anchor", "end");
          text.textContent = `${l.weight} = ${l.value}`;
          lines.appendChild(text);
        }
      });
    });
  }

  function drawLayers(i) {
    const steps = layerSteps;
    const known = new Set(D.layers.given);
    for (let s = 0; s <= i; s++) (steps[s].show || []).forEach((key) => known.add(key));
    if (steps[i].kind === "end") D.layers.steps.forEach((st) => st.show.forEach((key) => known.add(key)));
    const current = new Set(steps[i].show || []);
    document.querySelectorAll("#layers .field").forEach((row) => {
      const key = `${row.parentElement.dataset.cell}.${row.dataset.field}`;
      row.querySelector(".val").textContent = known.has(key) ? D.layers.values[key] : "?";
      row.classList.toggle("current", current.has(key));
    });
    if (!spaced) spaceColumns();
    drawLinks(fitLayers());
    panel(steps[i], steps.length - 1, i);
  }

  function draw() {
    const graph = state.view === "graph";
    $("graph").hidden = !graph;
    $("layers-pane").hidden = graph;
    $("view").textContent = graph ? "Layers" : "Graph";
    $("zoom").hidden = !graph;
    $("zoom").querySelector(".word").textContent = ZOOMS[state.zoom] === "all" ? ": all" : ": step";
    if (graph) drawGraph(state.index.graph); else drawLayers(state.index.layers);
  }

  function go(delta, absolute) {
    const steps = state.view === "graph" ? graphSteps : layerSteps;
    const last = steps.length - 1;
    const to = absolute !== undefined ? absolute : state.index[state.view] + delta;
    state.index[state.view] = Math.max(0, Math.min(last, to));
    state.pathView = false;  // the camera goes back to following the step
    draw();
  }

  $("zoom").onclick = () => { state.zoom = (state.zoom + 1) % ZOOMS.length; draw(); };
  window.addEventListener("resize", () => { camera.now = null; delete panes.side; delete panes.wide; draw(); });
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
    $("view").hidden = false;
    $("view").onclick = () => { state.view = state.view === "graph" ? "layers" : "graph"; draw(); };
  }
  document.addEventListener("keydown", (event) => {
    const keys = {
      ArrowRight: () => go(1), PageDown: () => go(1), " ": () => go(1),
      ArrowLeft: () => go(-1), PageUp: () => go(-1),
      Home: () => go(0, 0), End: () => go(0, Infinity),
      p: () => D.path && $("path").click(), l: () => D.layers && $("view").click(), z: () => $("zoom").click(),
    };
    if (keys[event.key] && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      keys[event.key]();
    }
  });
  window.lecture = { state, go, camera, steps: () => (state.view === "graph" ? graphSteps : layerSteps) };
  draw();
})();
