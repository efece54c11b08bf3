"""draw_dot: the computation graph behind a Value, one box per Value and one oval per op.

DOT node names are stable: `v{k}` is the Value at index k of
`micrograd.topological_order(root)` and `v{k}op` the op that made it, so a
program can map an SVG `<title>v3</title>` back to its Value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from micrograd import Value, topological_order
from viz.format import DIGITS, number
from viz.neurons import neuron_of, role
from viz.render import Drawing

_HAND_PARAMETER = re.compile(r"^[wb](\d+|_\w+)?$")   # w, w1, w12, b, b1, w_out
_HAND_INPUT = re.compile(r"^x(\d+|_\w+)?$")
MAX_NODES = 500  # more Values than this stop being readable as one drawing
BIG_GRAPH = 1500  # past this, cheaper layout budgets (see viz.render.BIG_GRAPH_OPTIONS)
FONT = "Helvetica"
COLOURS = {  # fill colour of each kind of node, shown in the legend in this order
    "loss": "#f4cccc",
    "parameter": "#cfe2f3",
    "input": "#d9ead3",
    "leaf": "#eeeeee",
}
HIGHLIGHT = "#cc0000"
FADED = "#c8c8c8"
BEFORE_BACKWARD = "all grads are 0: drawn before backward()"


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    digits: int = DIGITS,
    local_grads: bool = False,
    highlight: Value | str | Iterable[Value | str] | None = None,
    parameters: Iterable[Value] | None = None,
    inputs: Iterable[Value] | None = None,
    legend: bool = True,
    group: bool = True,
    collapse: str | None = None,
    max_nodes: int = MAX_NODES,
) -> Drawing:
    """The computation graph of `root` as a graphviz.Digraph (displays inline in Jupyter).

    local_grads: write d out / d input on every edge. highlight: a leaf (or its
    label, or several) whose paths to the root are drawn strong, the rest faded.
    parameters / inputs: Values to colour as such (by default nn's labels decide:
    w.. and b.. are parameters, x.. are inputs). group: box each neuron's and each
    layer's nodes. collapse='neuron': one node per neuron instead (viz.collapsed).
    """
    if collapse is not None:
        if collapse != "neuron":
            raise ValueError(f"collapse={collapse!r} is not a view: use collapse='neuron' or None")
        from viz.collapsed import draw_neurons
        return draw_neurons(root, rankdir=rankdir, digits=digits)
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot draws a Value's graph, got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"the graph has {len(order)} Values, more than max_nodes={max_nodes}: draw one node per "
            f"neuron with collapse='neuron', or pass max_nodes={len(order)} to draw every Value"
        )
    index = {id(v): k for k, v in enumerate(order)}
    on_path = _paths_to(order, _resolve(highlight, order)) if highlight is not None else None
    kinds = _kinds(order, root, parameters, inputs)

    g = Drawing(name="computation_graph", format="svg")
    g.attr(rankdir=rankdir, fontname=FONT, labelloc="b")
    if len(order) > BIG_GRAPH:
        g.attr(nslimit="0.2", nslimit1="0.2", mclimit="0.2")
    g.attr("node", fontname=FONT, fontsize="11")
    g.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.7")
    horizontal = rankdir in ("LR", "RL")

    boxed: dict = {}  # (layer, j) -> node statements drawn inside that neuron's box
    for k, v in enumerate(order):
        neuron = neuron_of(v) if group else None
        nodes = boxed.setdefault(neuron, []) if neuron is not None else None
        faded = on_path is not None and id(v) not in on_path
        statements = [(f"v{k}", _record(v, digits, horizontal), _value_style(kinds.get(id(v)), faded))]
        if v.op:
            statements.append((f"v{k}op", v.op, _op_style(faded)))
        for name, label, style in statements:
            if nodes is not None:
                nodes.append((name, label, style))
            else:
                g.node(name, label, **style)
    _draw_boxes(g, boxed)
    for k, v in enumerate(order):
        if v.op:
            strong = on_path is not None and id(v) in on_path
            g.edge(f"v{k}op", f"v{k}", **_edge_style(on_path is not None and not strong, None, strong))
        for node, local in zip(v.inputs, v.local_grads):
            strong = on_path is not None and id(node) in on_path and id(v) in on_path
            faded = on_path is not None and not strong
            text = number(local, digits) if local_grads else None
            g.edge(f"v{index[id(node)]}", f"v{k}op", **_edge_style(faded, text, strong))
    if legend:
        g.attr(label=_legend(kinds, order, local_grads, on_path is not None))
    return g


def _record(v: Value, digits: int, horizontal: bool) -> str:
    fields = [_escape(v.label)] if v.label else []
    fields += [f"data {number(v.data, digits)}", f"grad {number(v.grad, digits)}"]
    body = " | ".join(fields)
    return "{ " + body + " }" if horizontal else body


def _escape(text: str) -> str:
    for char in "\\{}|<>":
        text = text.replace(char, "\\" + char)
    return text


def _kinds(order, root, parameters, inputs) -> dict[int, str]:
    """Colour class of each leaf and of the root: loss, parameter, input or other leaf."""
    params = {id(p) for p in parameters} if parameters is not None else None
    xs = {id(x) for x in inputs} if inputs is not None else None
    kinds = {}
    for v in order:
        if v.op:
            continue
        kind = _kind_by_label(v.label)
        if params is not None and id(v) in params or params is None and kind == "parameter":
            kinds[id(v)] = "parameter"
        elif xs is not None and id(v) in xs or xs is None and kind == "input":
            kinds[id(v)] = "input"
        else:
            kinds[id(v)] = "leaf"
    if root.op:
        kinds[id(root)] = "loss"
    return kinds


def _kind_by_label(label: str) -> str | None:
    """'parameter' or 'input' as a leaf's label says: nn's w12^(1), b1^(2), x3, or a hand-made w1, b, x2."""
    r = role(label)
    if r is not None:
        return "input" if r.kind == "x" else "parameter" if r.kind in ("w", "b") else None
    if _HAND_PARAMETER.match(label):
        return "parameter"
    return "input" if _HAND_INPUT.match(label) else None


def _value_style(kind: str | None, faded: bool) -> dict:
    style = {"shape": "record"}
    if kind:
        style.update(style="filled", fillcolor=COLOURS[kind])
    if faded:
        style.update(color=FADED, fontcolor="#999999")
    return style


def _op_style(faded: bool) -> dict:
    style = {"shape": "ellipse", "margin": "0.02", "height": "0.3"}
    if faded:
        style.update(color=FADED, fontcolor="#999999")
    return style


def _edge_style(faded: bool, text: str | None, strong: bool = False) -> dict:
    style = {}
    if text is not None:
        style["label"] = text
    if strong:
        style.update(color=HIGHLIGHT, penwidth="2.5", fontcolor=HIGHLIGHT)
    elif faded:
        style.update(color=FADED, fontcolor="#aaaaaa")
    return style


def _resolve(highlight, order: list[Value]) -> list[Value]:
    """The Values named by `highlight` (Values or labels), all of them in the graph."""
    wanted = [highlight] if isinstance(highlight, (Value, str)) else list(highlight)
    present = {id(v) for v in order}
    found = []
    for item in wanted:
        if isinstance(item, str):
            matches = [v for v in order if v.label == item]
            if not matches:
                labels = sorted({v.label for v in order if v.label})
                raise ValueError(f"highlight: no node labelled {item!r} in the graph; "
                                 f"labels: {', '.join(labels)}")
            found += matches
        elif isinstance(item, Value) and id(item) in present:
            found.append(item)
        else:
            raise ValueError(f"highlight: {item!r} is not a node of this graph")
    return found


def _paths_to(order: list[Value], sources: list[Value]) -> set[int]:
    """Ids of the nodes on some path from a source up to the root: those computed from a source."""
    on = {id(s) for s in sources}
    for v in order:  # inputs come first, so one pass settles every node
        if any(id(u) in on for u in v.inputs):
            on.add(id(v))
    return on


def _draw_boxes(g: Drawing, boxed: dict) -> None:
    """A dashed box per neuron inside a rounded box per layer, for the neurons nn's labels name."""
    for layer in sorted({layer for layer, _ in boxed}):
        with g.subgraph(name=f"cluster_layer{layer}") as box:
            box.attr(label=f"layer {layer}", style="rounded", color="#888888", fontcolor="#666666",
                     fontsize="10")
            for (at, j) in sorted(key for key in boxed if key[0] == layer):
                with box.subgraph(name=f"cluster_layer{layer}_neuron{j}") as inner:
                    inner.attr(label=f"neuron {j}", style="dashed", color="#aaaaaa", fontcolor="#888888")
                    for name, label, style in boxed[(at, j)]:
                        inner.node(name, label, **style)


def _legend(kinds: dict, order: list[Value], local_grads: bool, highlighted: bool) -> str:
    """An HTML-like table under the drawing: what the colours, edges and grads mean."""
    used = [kind for kind in COLOURS if kind in kinds.values()]
    names = {"loss": "output / loss", "parameter": "parameter", "input": "input", "leaf": "other leaf"}
    cells = "".join(f'<TD BGCOLOR="{COLOURS[k]}" BORDER="1">{names[k]}</TD>' for k in used)
    notes = []
    if local_grads:
        notes.append("edge label: local derivative d out / d input")
    if highlighted:
        notes.append(f'<FONT COLOR="{HIGHLIGHT}">red: the paths from the chosen node to the output</FONT>')
    if all(v.grad == 0.0 for v in order):
        notes.append(f'<FONT COLOR="#b45f06">{BEFORE_BACKWARD}</FONT>')
    span = max(1, len(used))
    rows = f"<TR>{cells}</TR>" if cells else ""
    rows += "".join(f'<TR><TD COLSPAN="{span}">{n}</TD></TR>' for n in notes)
    if not rows:
        return ""
    return f'<<TABLE BORDER="0" CELLSPACING="4">{rows}</TABLE>>'
