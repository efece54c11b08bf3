// The page's stepper: every step is drawn from scratch by replaying steps 0..i, so going
// back is as exact as going forward and nothing is kept between steps but the index.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("lecture-data").textContent);
  const svg = document.querySelector("#graph svg");
  const $ = (id) => document.getElementById(id);
  const n = D.nodes.length;
  const root = n - 1;

  const graphSteps = [{ kind: "start" }].concat(D.steps, [{ kind: "end" }]);
  const layerSteps = D.layers ? [{ kind: "start" }].concat(D.layers.steps, [{ kind: "end" }]) : null;
  const state = { view: "graph", index: { graph: 0, layers: 0 }, path: false, zoom: 1 };
  // Zoom levels, as multiples of the drawing's own size (Graphviz's 11pt text): 0 = fit the
  // whole graph in view; 1.4 and 2 are large enough for the back row, and the view follows the step.
  const ZOOMS = [0, 1.4, 2];

  function size() {
    const box = svg.viewBox.baseVal, host = $("graph");
    const fit = Math.min((host.clientWidth - 20) / (box.width * 4 / 3), (host.clientHeight - 20) / (box.height * 4 / 3));
    const scale = ZOOMS[state.zoom] === 0 ? fit : Math.max(fit, ZOOMS[state.zoom]);
    svg.setAttribute("width", `${Math.floor(box.width * 4 / 3 * scale)}px`);
    svg.setAttribute("height", `${Math.floor(box.height * 4 / 3 * scale)}px`);
    $("zoom").textContent = ZOOMS[state.zoom] === 0 ? "Zoom: all" : `Zoom: ×${ZOOMS[state.zoom]}`;
  }

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
  const nodeEl = (k) => nodes[k];
  const opEl = (k) => ops[k];
  const edgeInto = (from, k, nth) => edges[`${from}>${k}op>${nth}`];
  function put(el, text) { if (el && el.textContent !== text) el.textContent = text; }

  function mark(el, cls) { if (el) el.classList.add(cls); }

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
      put(nums.grad[k], grads ? grads[k] : "?");
    }
    svg.querySelectorAll(".current, .source, .lit, .shown").forEach((el) => el.classList.remove("current", "source", "lit", "shown"));
    allEdges.forEach((e) => {
      const to = e.dataset.to || "";
      if (to.endsWith("op") && lit.has(`${e.dataset.from}>${to.slice(0, -2)}>${e.dataset.nth}`)) e.classList.add("shown");
    });
    const step = steps[i];
    let focus = null;
    if (step.kind === "forward") {
      focus = nodeEl(step.node);
      mark(focus, "current"); mark(opEl(step.node), "current");
      svg.querySelectorAll(`g.edge[data-to="${step.node}op"], g.edge[data-from="${step.node}op"]`).forEach((e) => e.classList.add("lit"));
      step.inputs.forEach((k) => mark(nodeEl(k), "source"));
    } else if (step.kind === "seed") {
      focus = nodeEl(step.node);
      mark(focus, "current");
    } else if (step.kind === "backward") {
      focus = nodeEl(step.node);
      mark(focus, "current"); mark(nodeEl(step.out), "source"); mark(opEl(step.out), "source");
      const e = edgeInto(step.node, step.out, step.edge);
      mark(e, "lit"); mark(e, "shown");
    }
    if (step.kind === "end") focus = nodeEl(root);
    svg.classList.toggle("forward-phase", step.kind === "forward");  // local derivatives belong to backward
    svg.classList.toggle("path-on", state.path);
    follow(focus);
    panel(step, steps.length - 1, i);
  }

  // Scroll so the step's nodes (what is computed and what it is computed from) sit in the
  // middle of the view; if they do not fit, the node being computed does.
  function follow(focus) {
    const host = $("graph");
    if (!focus) { host.scrollTo(0, 0); return; }
    const view = host.getBoundingClientRect();
    const rects = [...svg.querySelectorAll(".current, .source, .lit")].map((el) => el.getBoundingClientRect());
    let box = rects.reduce((a, r) => ({
      left: Math.min(a.left, r.left), right: Math.max(a.right, r.right),
      top: Math.min(a.top, r.top), bottom: Math.max(a.bottom, r.bottom),
    }), focus.getBoundingClientRect());
    if (box.right - box.left > view.width || box.bottom - box.top > view.height) box = focus.getBoundingClientRect();
    host.scrollLeft += (box.left + box.right) / 2 - (view.left + view.width / 2);
    host.scrollTop += (box.top + box.bottom) / 2 - (view.top + view.height / 2);
  }

  function panel(step, last, i) {
    const phase = {
      start: "Start", forward: "Forward pass", seed: "Backward pass", backward: "Backward pass",
      drive: "Forward pass", activation: "Forward pass", delta: "Backward pass", end: "Done",
    }[step.kind];
    $("phase").textContent = step.title || phase;
    let lines = step.lines;
    if (step.kind === "start") {
      lines = state.view === "graph"
        ? [D.title, "The leaves hold the given numbers.", "→ computes the next node, ← goes back."]
        : [D.title, "The inputs are given.", "→ computes the next layer, ← goes back."];
    }
    if (step.kind === "end") {
      lines = D.path ? D.path.lines : D.end;
    }
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

  // One line per weight, from the cell it reads to the neuron it feeds, drawn under the cells.
  function drawLinks() {
    const host = $("layers"), lines = $("links");
    const origin = host.getBoundingClientRect();
    lines.setAttribute("width", host.scrollWidth);
    lines.setAttribute("height", host.scrollHeight);
    lines.textContent = "";
    D.layers.links.forEach(([from, to]) => {
      const a = host.querySelector(`[data-cell="${from}"]`).getBoundingClientRect();
      const b = host.querySelector(`[data-cell="${to}"]`).getBoundingClientRect();
      const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
      line.setAttribute("x1", a.right - origin.left + host.scrollLeft);
      line.setAttribute("y1", (a.top + a.bottom) / 2 - origin.top + host.scrollTop);
      line.setAttribute("x2", b.left - origin.left + host.scrollLeft);
      line.setAttribute("y2", (b.top + b.bottom) / 2 - origin.top + host.scrollTop);
      lines.appendChild(line);
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
    drawLinks();
    panel(steps[i], steps.length - 1, i);
  }

  function draw() {
    const graph = state.view === "graph";
    $("graph").hidden = !graph;
    $("layers").hidden = graph;
    $("view").textContent = graph ? "Layers" : "Graph";
    $("zoom").hidden = !graph;
    if (graph) drawGraph(state.index.graph); else drawLayers(state.index.layers);
  }

  function go(delta, absolute) {
    const steps = state.view === "graph" ? graphSteps : layerSteps;
    const last = steps.length - 1;
    const to = absolute !== undefined ? absolute : state.index[state.view] + delta;
    state.index[state.view] = Math.max(0, Math.min(last, to));
    draw();
  }

  $("zoom").onclick = () => { state.zoom = (state.zoom + 1) % ZOOMS.length; size(); draw(); };
  window.addEventListener("resize", () => { size(); draw(); });
  $("next").onclick = () => go(1);
  $("back").onclick = () => go(-1);
  $("first").onclick = () => go(0, 0);
  $("last").onclick = () => go(0, Infinity);
  if (D.path) {
    $("path").hidden = false;
    $("path").textContent = `Path of ${D.path.name}`;
    const on = new Set(D.path.nodes);
    svg.querySelectorAll("g[data-k]").forEach((g) => { if (on.has(+g.dataset.k)) g.classList.add("on-path"); });
    svg.querySelectorAll("g[data-op]").forEach((g) => { if (on.has(+g.dataset.op)) g.classList.add("on-path"); });
    svg.querySelectorAll("g.edge").forEach((e) => {
      const a = parseInt(e.dataset.from, 10), b = parseInt(e.dataset.to, 10);
      if (on.has(a) && on.has(b)) e.classList.add("on-path");
    });
    $("path").onclick = () => { state.path = !state.path; $("path").classList.toggle("pressed", state.path); draw(); };
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
  size();
  window.lecture = { state, go, steps: () => (state.view === "graph" ? graphSteps : layerSteps) };
  draw();
})();
