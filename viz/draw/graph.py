"""draw_dot: the computation graph behind a Value, one box per Value and one oval per op.

It reads left to right as the documents draw it (viz.draw.graph_layout pins every node to
a column and a row), names each node as every view does (viz.notation.names.node_names), and
writes at projection size (viz.draw.graph_cards). DOT node names are stable: `v{k}` is the Value at index k of
`micrograd.topological_order(root)` and `v{k}op` the op that made it, so a
program can map an SVG `<title>v3</title>` back to its Value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from micrograd import Value, topological_order
from viz.draw import graph_layout
from viz.draw.collapsed import draw_neurons, network_neurons
from viz.draw.graph_cards import ORDERED, STAND_INS, card, fields, heading, oval
from viz.draw.render import Drawing
from viz.draw.style import BEFORE_BACKWARD, COLOURS, FADED, FONT, HIGHLIGHT, INK, LABEL_PT, NODE_PT, NOTE
from viz.notation.names import formula, leaf_kind, node_names, one_number_each
from viz.notation.neurons import neuron_of
from viz.notation.numbers import DIGITS, number, pretty
from viz.notation.ops import DOT_OPS

MAX_NODES = 500  # more Values than this stop being readable as one drawing
COLLAPSE_AT = 150  # past this many Values, a network's graph is drawn one node per neuron
BIG_GRAPH = 1500  # past this, cheaper layout budgets (see viz.draw.render.BIG_GRAPH_OPTIONS)
CHIPS_PAST = 8  # more leaves than this in one column: leaves drawn as one-line chips


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
    collapse: str | bool | None = None,
    max_nodes: int | None = None,
    title: str | None = None,
    unicode: bool = True,
    constant_grads: bool = False,
) -> Drawing:
    """The computation graph of `root` as a graphviz.Digraph (displays inline in Jupyter).

    local_grads: write d out / d input on every edge. highlight: a leaf (or its
    label, or several) whose paths to the root are drawn strong, the rest faded.
    parameters / inputs: Values to colour as such (by default nn's labels decide:
    w.. and b.. are parameters, x.. are inputs). group: box each neuron and layer.
    collapse='neuron': one node per neuron (viz.draw.collapsed); by default a network
    graph of more than 150 Values (or max_nodes) collapses, collapse=False never.
    title: a line on top. unicode=False: ASCII names (w12^(1), y_hat) and numbers.
    constant_grads: also show the grads of constants and targets (hidden: no one asks).
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot draws a Value's graph, got {type(root).__name__}")
    one_number_each(root, "draw_dot")
    if collapse not in (None, False, True, "neuron", "none"):
        raise ValueError(f"collapse={collapse!r} is not a view: use collapse='neuron', False or None")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    order = topological_order(root)
    collapsed = _collapsed(order, collapse, max_nodes)
    if collapsed is not None:
        return draw_neurons(root, rankdir=rankdir, digits=digits, title=title, unicode=unicode,
                            note=collapsed)
    index = {id(v): k for k, v in enumerate(order)}
    on_path = _paths_to(order, _resolve(highlight, order)) if highlight is not None else None
    kinds = _kinds(order, root, parameters, inputs)
    names = node_names(order, digits, unicode)
    show = pretty if unicode else number
    box_col, op_col = graph_layout.columns(order, {id(v) for v in order if kinds.get(id(v)) == "input"})
    across = rankdir in ("LR", "RL")  # a card's lines stack across the flow, so columns stay narrow
    # a column of many leaves (seed 002: 20 weights) is the drawing's height: leaves as one-line chips
    chips = across and max(Counter(c for c, v in zip(box_col, order) if not v.op).values()) > CHIPS_PAST

    g = Drawing(name="computation_graph", format="svg")
    g.attr(rankdir=rankdir, fontname=FONT, fontcolor=INK, labelloc="t", newrank="true",
           nodesep="0.1", ranksep="0.35")
    if len(order) > BIG_GRAPH:
        g.attr(nslimit="0.2", nslimit1="0.2", mclimit="0.2")
    g.attr("node", fontname=FONT, fontsize=str(NODE_PT), fontcolor=INK)
    g.attr("edge", fontname=FONT, fontsize=str(LABEL_PT), fontcolor=INK, arrowsize="0.7")

    boxed: dict = {}  # (layer, j) -> the neuron's op, drive and activation
    free: list = []  # node statements drawn outside any box, a neuron's weights among them
    stood_in: set[int] = set()  # k of the ordered ops whose oval says 'u − v' (the edges say which)
    for k, v in enumerate(order):
        faded = on_path is not None and id(v) not in on_path
        # a constant's or target's grad is hidden unless asked for, or unless parameters= or
        # inputs= made it one of those
        grad = constant_grads or leaf_kind(v) != "constant" or kinds.get(id(v)) in ("parameter", "input")
        lines = fields(v, names, k, index, show, digits, grad)
        style = _value_style(kinds.get(id(v)), faded)
        box = card(lines, across and (bool(v.op) or not chips), style)
        neuron = neuron_of(v) if group and v.op else None
        where = free if neuron is None else boxed.setdefault(neuron, [])
        where.append((f"v{k}", box, style))
        if v.op:
            args = [names[index[id(u)]] for u in v.inputs]
            text = oval(v, args, unicode)
            if v.op in ORDERED and text != formula(v.op, args, unicode):
                stood_in.add(k)
            where.append((f"v{k}op", text, _op_style(text, faded)))
    # declared in reading order, left to right and top to bottom: Graphviz starts from the order
    # of declaration, and keeps it where the invisible edges cannot (the order of the boxes)
    reading = _reading_order(order, box_col, op_col)
    for name, label, style in sorted(free, key=lambda statement: reading[statement[0]]):
        g.node(name, label, **style)
    _draw_boxes(g, boxed)
    _pin(g, reading, {name for statements in boxed.values() for name, *_ in statements})
    above = "n" if across else "w"
    for k, v in enumerate(order):
        if v.op:
            strong = on_path is not None and id(v) in on_path
            g.edge(f"v{k}op", f"v{k}", **_edge_style(on_path is not None and not strong, None, strong))
        stand_ins = k in stood_in
        for p, (node, local) in enumerate(zip(v.inputs, v.local_grads)):
            strong = on_path is not None and id(node) in on_path and id(v) in on_path
            faded = on_path is not None and not strong
            label = show(local, digits) if local_grads else None
            style = _edge_style(faded, label, strong)
            if _loose(node, kinds):  # a weight: pulled close to its neuron
                style["weight"] = "8"
            elif v.op in DOT_OPS and (at := op_col[k]) is not None and at - box_col[index[id(node)]] > 1:
                # over a column of weights: in from above, so Graphviz routes it past a neuron's
                # weights, never between a w and its b
                style["headport"] = above
            if stand_ins:  # the oval reads 'u − v': each edge says which operand it brings
                style.update(headlabel=STAND_INS[p], labelfontsize=str(LABEL_PT + 2), labeldistance="1.6")
            g.edge(f"v{index[id(node)]}", f"v{k}op", **style)
    top = _legend(kinds, order, local_grads, on_path is not None) if legend else []
    if title or top:
        g.attr(label=heading(title, top))
    return g


def _reading_order(order: list[Value], box: list[int], op: list[int | None]) -> dict[str, tuple]:
    """(column, row) of every DOT node: where it stands when the drawing is read."""
    row = graph_layout.rows(order)
    where = {f"v{k}": (box[k], row[k]) for k in range(len(order))}
    where.update({f"v{k}op": (col, row[k]) for k, col in enumerate(op) if col is not None})
    return where


def _loose(v: Value, kinds: dict[int, str]) -> bool:
    """Whether `v` is a leaf drawn just before its op (a weight, bias or constant), not an input."""
    return not v.op and kinds.get(id(v)) != "input"


def _collapsed(order: list[Value], collapse, max_nodes: int | None) -> str | None:
    """Why the drawing is one node per neuron ('' when asked for), or None to draw every Value.

    Past max_nodes (when given) the answer is an error, as before; by default a network's
    graph collapses past COLLAPSE_AT Values, any other graph fails past MAX_NODES.
    """
    if collapse in ("neuron", True):
        return ""
    count = len(order)
    can = bool(network_neurons(order))  # nn's drives: a z1^(1) label alone is not a neuron
    auto = collapse is None and can
    limit = max_nodes if max_nodes is not None else COLLAPSE_AT if auto else MAX_NODES
    if count <= limit:
        return None
    if auto and max_nodes is None:
        return (f"one node per neuron: the graph has {count} Values, too many to read one by one "
                f"(draw_dot(..., collapse=False) draws each)")
    hint = "draw one node per neuron with collapse='neuron', or " if can else ""
    raise ValueError(f"the graph has {count} Values, more than max_nodes={limit}: "
                     f"{hint}pass max_nodes={count} to draw every Value")


def _kinds(order, root, parameters, inputs) -> dict[int, str]:
    """Colour class of each leaf and of the root: loss, parameter, input or other leaf."""
    params = {id(p) for p in parameters} if parameters is not None else None
    xs = {id(x) for x in inputs} if inputs is not None else None
    kinds = {}
    for v in order:
        if v.op:
            continue
        kind = leaf_kind(v)
        if params is not None and id(v) in params or params is None and kind == "parameter":
            kinds[id(v)] = "parameter"
        elif xs is not None and id(v) in xs or xs is None and kind == "input":
            kinds[id(v)] = "input"
        else:
            kinds[id(v)] = "leaf"
    if root.op:
        kinds[id(root)] = "loss"
    return kinds


def _pin(g: Drawing, reading: dict[str, tuple], boxed: set[str]) -> None:
    """Columns and rows for every box and oval (viz.draw.graph_layout)."""
    placed: dict[int, list] = {}
    for name, (col, row) in reading.items():
        placed.setdefault(col, []).append(((row, name.endswith("op")), name))
    graph_layout.pin(g, placed, boxed)


def _value_style(kind: str | None, faded: bool) -> dict:
    style: dict[str, str] = {}
    if kind:
        style.update(style="filled", fillcolor=COLOURS[kind])
    if faded:
        style.update(color=FADED, fontcolor="#999999")
    return style


def _op_style(text: str, faded: bool) -> dict:
    width = graph_layout.text_width(text, NODE_PT) + 0.3
    style = {"shape": "ellipse", "margin": "0.04", "height": "0.4", "width": f"{width:.2f}"}
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
        style.update(color=FADED, fontcolor="#777777")
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
    """A rounded box per layer around a dashed box per neuron, for the neurons nn's labels name.

    A box holds the neuron's op, drive and activation; its weights stand just left of it,
    outside: the lines from the previous layer cross that column, and Graphviz keeps such
    lines out of a box, so weights inside it would be pushed apart.
    """
    for layer in sorted({layer for layer, _ in boxed}):
        with g.subgraph(name=f"cluster_layer{layer}") as box:
            box.attr(label=f"layer {layer}", style="rounded", color="#666666", fontcolor=INK,
                     fontsize=str(LABEL_PT + 1), labeljust="c")
            for (at, j) in sorted(key for key in boxed if key[0] == layer):
                with box.subgraph(name=f"cluster_layer{layer}_neuron{j}") as inner:
                    inner.attr(label=f"neuron {j}", style="dashed", color="#888888", fontcolor=INK,
                               fontsize=str(LABEL_PT))
                    for name, label, style in boxed[(at, j)]:
                        inner.node(name, label, **style)


def _legend(kinds: dict, order: list[Value], local_grads: bool, highlighted: bool) -> list[str]:
    """The key's cells: what the colours, edges and grads mean."""
    names = {"loss": "output / loss", "parameter": "parameter", "input": "input", "leaf": "other leaf"}
    cells = [f'<TD BGCOLOR="{COLOURS[k]}" BORDER="1">{names[k]}</TD>' for k in COLOURS if k in kinds.values()]
    if local_grads:
        cells.append("<TD>edge label: local derivative ∂ out / ∂ input</TD>")
    if highlighted:
        cells.append(f'<TD><FONT COLOR="{HIGHLIGHT}">red: the paths from the chosen node to the output'
                     "</FONT></TD>")
    if all(v.grad == 0.0 for v in order):
        cells.append(f'<TD><FONT COLOR="{NOTE}">{BEFORE_BACKWARD}</FONT></TD>')
    return cells
