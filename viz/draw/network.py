"""draw_network: the picture the documents ask for, inputs, neurons by layer, one edge per weight.

Columns read left to right: the inputs, then each layer's neurons, then ŷ with its
target and the loss. Every column keeps its order top to bottom (x1..xn, neuron 1..n)
through an invisible chain under its heading, so no edge can shuffle it. A small net
draws each weight as a box on its edge (two crossing edges cannot share a label); a
bigger one draws plain edges, coloured by the input they leave, and a weight table per
layer beside the picture (row: neuron j, column: input i).
"""

from __future__ import annotations

from typing import Any

from micrograd import Value
from viz.draw.network_model import Net, Unit, from_graph, from_mlp
from viz.draw.network_table import weight_tables
from viz.draw.render import Drawing
from viz.draw.style import COLOURS, EDGE_COLOURS, FONT, HEADING_PT, INK, NODE_PT
from viz.notation.names import formula, typeset
from viz.notation.numbers import DIGITS, number, pretty

BOXED_WEIGHTS = 16   # up to this many weights, each is a box on its edge; past it, tables
TABLE_WEIGHTS = 120  # past this many, no weights at all: the tables would outgrow the picture
FAINT_EDGES = 100  # past this many plain edges, thin grey lines, so the neurons stay readable
DENSE_EDGES = 256  # past this many between two full layers, they meet in one junction node
LISTED_EXAMPLES = 3  # neurons list z, a and δ for up to this many examples, inputs their values
WEIGHTS = ("boxes", "table")


def draw_network(mlp: Any, *, root: Value | None = None, digits: int = DIGITS, rankdir: str = "LR",
                 weights: bool | str | None = None, unicode: bool = True, title: str | None = None
                 ) -> Drawing:
    """A diagram of a network: inputs, each layer's neurons (bias; z, a, δ), its weights, ŷ, target, loss.

    mlp: an nn.MLP, or a Value whose graph holds neuron drives (a formula problem's
    loss, seed 001), whose layers are then read from which neuron feeds which.
    root: the loss the MLP's graph was built to; its z, a and δ = dL/dz (after
    backward()) appear in each neuron, ŷ, the target and the loss at the right.
    weights: 'boxes' (a box on each edge), 'table' (a table per layer), False (none),
    True (boxes or tables at any size); by default boxes up to 16 weights, tables up
    to 120, none past that. unicode=False: ASCII names for a terminal.
    """
    if isinstance(mlp, Value):
        net = from_graph(mlp, unicode)
    elif getattr(mlp, "layers", None) and hasattr(mlp, "nin"):
        net = from_mlp(mlp, root, unicode)
    else:
        raise TypeError(f"draw_network draws an nn.MLP (with .nin and .layers) or the loss Value of a "
                        f"formula graph, got {type(mlp).__name__}")
    count = sum(len(u.weights) for layer in net.layers for u in layer.units)
    style = _weight_style(weights, count)
    show_grads = any(w.grad != 0.0 for layer in net.layers for u in layer.units for _, w in u.weights)
    show_grads = show_grads or any(u.bias is not None and u.bias.grad != 0.0
                                   for layer in net.layers for u in layer.units)
    text = _Text(net, digits, unicode)

    g = Drawing(name="network", format="svg")
    g.attr(rankdir=rankdir, fontname=FONT, fontsize=str(HEADING_PT), fontcolor=INK, nodesep="0.25",
           ranksep="0.45" if style == "boxes" else "0.9")
    g.attr("node", fontname=FONT, fontsize=str(NODE_PT), fontcolor=INK, margin="0.14,0.07")
    g.attr("edge", arrowsize="0.7", color="#555555")
    if title:
        g.attr(label=title, labelloc="t", fontsize="20")
    for s in net.inputs:
        label = text.line(s.name, [v.data for v in s.values]) if s.values and text.listed else s.name
        g.node(s.key, label, shape="ellipse", style="filled", fillcolor=COLOURS["input"])
    columns = [("inputs", [s.key for s in net.inputs])]
    place = {s.key: (0, k) for k, s in enumerate(net.inputs)}  # drawing node -> (column, row)
    plain = []
    for k, layer in enumerate(net.layers, 1):
        if style == "boxes":
            boxes = _weight_boxes(g, layer.units, place, text, show_grads)
            columns.append((f"weights {typeset(f'W^({k})') if unicode else f'W^({k})'}", boxes))
        for u in layer.units:
            g.node(u.key, text.neuron(u, show_grads), shape="box", style="rounded,filled",
                   fillcolor="#ffffff", color="#444444", penwidth="1.4")
            if style != "boxes":
                plain += [(source, u.key) for source, _ in sorted(u.weights, key=lambda sw: place[sw[0]])]
        columns.append((layer.heading, [u.key for u in layer.units]))
        place.update({u.key: (len(columns) - 1, j) for j, u in enumerate(layer.units)})
    if style == "table":  # each edge coloured as its input's column in the table
        for source, target in plain:
            g.edge(source, target, color=EDGE_COLOURS[place[source][1] % len(EDGE_COLOURS)], penwidth="1.3")
    else:
        faint = {"color": "#8c8c8c", "penwidth": "0.6", "arrowsize": "0.4"}
        faint = faint if len(plain) > FAINT_EDGES else {}
        for source, target in _junctions(g, plain):
            g.edge(source, target, **faint)
    _right_edge(g, net, text, columns)
    if style == "table":
        g.node("weight_tables", weight_tables(net, text, show_grads), shape="plaintext", margin="0")
        columns.append((" ", ["weight_tables"]))
    for k, (heading, members) in enumerate(columns):
        _column(g, k, heading, members)
    for k in range(1, len(columns)):  # headings in one row along the top: a heavy edge pulls them level
        g.edge(f"heading{k - 1}", f"heading{k}", style="invis", weight="50")
    return g


def _weight_boxes(g: Drawing, units: list[Unit], place: dict, text: _Text, show_grads: bool) -> list[str]:
    """Each weight as a box on its edge, ordered by neuron j, then input i; the boxes' names."""
    boxes = []
    for u in units:
        for source, w in sorted(u.weights, key=lambda sw: place[sw[0]]):
            box = f"w_{source}_{u.key}"
            lines = [f"{text.name(w)} = {text.number(w.data)}"]
            if show_grads:
                lines.append(f"grad {text.number(w.grad)}")
            g.node(box, "\\n".join(lines), shape="box", style="filled", fillcolor=COLOURS["parameter"],
                   color="#6d8fb3")
            g.edge(source, box, arrowhead="none")  # one edge from input to neuron, through its weight
            g.edge(box, u.key)
            boxes.append(box)
    return boxes


def _junctions(g: Drawing, edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges to draw: past DENSE_EDGES, two fully connected layers meet in one 'n × m' node.

    viz.draw.collapsed.through_junctions does the same with small text; this one is projection size.
    """
    targets: dict[str, list[tuple[str, str]]] = {}
    for source, target in edges:
        targets.setdefault(target.rsplit("_", 1)[0], []).append((source, target))
    drawn = []
    for layer, pairs in targets.items():
        sources, heads = sorted({s for s, _ in pairs}), sorted({t for _, t in pairs})
        if len(pairs) <= DENSE_EDGES or len(pairs) != len(sources) * len(heads):
            drawn += pairs
            continue
        junction = f"all_{layer}"
        g.node(junction, f"{len(sources)} × {len(heads)}\\nconnections", shape="box", style="dashed",
               color="#777777")
        drawn += [(s, junction) for s in sources] + [(junction, t) for t in heads]
    return drawn


def _weight_style(weights: bool | str | None, count: int) -> str | None:
    """'boxes', 'table' or None, from the keyword and the number of weights."""
    if weights is False:
        return None
    if isinstance(weights, str):
        if weights not in WEIGHTS:
            raise ValueError(f"weights={weights!r} is not a style: use 'boxes', 'table', True or False")
        return weights
    if count <= BOXED_WEIGHTS:
        return "boxes"
    return "table" if count <= TABLE_WEIGHTS or weights is True else None


def _right_edge(g: Drawing, net: Net, text: _Text, columns: list) -> None:
    """ŷ beside its target for each output neuron, then the loss."""
    feeding = [out.unit for out in net.outputs]
    if text.listed and any(out.target for out in net.outputs):  # cross-entropy: targets are in the loss
        feeding = []
        for out in net.outputs:
            key = f"out_{out.unit}"
            lines = [text.line(text.name(out.y_hat[0]), [v.data for v in out.y_hat])]
            if out.target:
                lines.append(text.line(text.name(out.target[0]), [v.data for v in out.target]))
            g.node(key, "\\n".join(lines), shape="box", style="filled", fillcolor="#fff2cc", color="#b7950b")
            g.edge(out.unit, key)
            feeding.append(key)
        columns.append(("output, target", feeding))
    if net.loss is not None:
        g.node("loss", text.loss(net.loss), shape="box", style="filled", fillcolor=COLOURS["loss"],
               color="#a61c00", penwidth="1.4")
        for key in feeding:
            g.edge(key, "loss")
        columns.append(("loss", ["loss"]))


def _column(g: Drawing, k: int, heading: str, members: list[str]) -> None:
    """One rank: its heading on top, then its members in order, chained by invisible edges.

    Within a rank, dot keeps the order of a chain of edges; without the chain, crossing
    minimisation is free to draw x3 above x1.
    """
    with g.subgraph(name=f"column{k}") as col:
        col.attr(rank="same")
        col.node(f"heading{k}", f"<<B>{_escape(heading)}</B>>", shape="plaintext",
                 fontsize=str(HEADING_PT), margin="0.02")
        chain = [f"heading{k}", *members]
        for a, b in zip(chain, chain[1:]):
            col.edge(a, b, style="invis")


class _Text:
    """Numbers and names as this drawing writes them (typeset, or ASCII for a terminal)."""

    def __init__(self, net: Net, digits: int, unicode: bool) -> None:
        self.net, self.digits, self.unicode = net, digits, unicode
        self.examples = max((len(s.values) for s in net.inputs), default=0)
        self.listed = self.examples <= LISTED_EXAMPLES  # past that, the values would bury the picture

    def number(self, x: float) -> str:
        return pretty(x, self.digits) if self.unicode else number(x, self.digits)

    def line(self, name: str, xs: list[float]) -> str:
        """'z₁⁽¹⁾ = 0.3' for one example, 'z₁⁽¹⁾ = 0.3, 0.5' for several."""
        return f"{name} = {', '.join(self.number(x) for x in xs)}"

    def name(self, v: Value) -> str:
        return self.net.name(v)

    def neuron(self, u: Unit, show_grads: bool) -> str:
        """The neuron's box: title, bias, and z, a, δ once the graph is known (left-aligned lines)."""
        lines = [u.title]
        if u.bias is not None:
            bias = f"{self.name(u.bias)} = {self.number(u.bias.data)}"
            if show_grads and not (self.net.backward_done and len(u.drives) == 1):
                bias += f", grad {self.number(u.bias.grad)}"  # one example: the grad is δ, shown below
            lines.append(bias)
        if u.drives and self.listed:
            lines.append(self.line(self.both(u.drives[0]), [z.data for z in u.drives]))
            if u.activations and u.activations[0] is not u.drives[0]:
                lines.append(self.line(self.both(u.activations[0]), [a.data for a in u.activations]))
            if self.net.backward_done:
                lines.append(self.line(self.delta(u.drives[0]), [z.grad for z in u.drives]))
        return "".join(line.replace("\\", "\\\\") + "\\l" for line in lines)

    def both(self, v: Value) -> str:
        """The label as the documents write it, and the node's name when that differs: a₁⁽²⁾ = ŷ."""
        label = typeset(v.label) if self.unicode else v.label
        name = self.name(v)
        return name if not label or label == name else f"{label} = {name}"

    def delta(self, z: Value) -> str:
        """δ₁⁽²⁾ for nn's z1^(2); ∂L/∂s₁ for any other drive."""
        if z.label.startswith("z") and "^(" in z.label:
            label = "delta" + z.label[1:]
            return typeset(label) if self.unicode else label
        loss = self.name(self.net.loss) if self.net.loss is not None else "L"
        d = "∂" if self.unicode else "d"
        return f"{d}{loss}/{d}{self.name(z)}"

    def loss(self, root: Value) -> str:
        """The loss's name, its formula over ŷ and t when short, and its value."""
        constants = [v.data if not v.op and not v.label else None for v in root.inputs]
        args = [self.name(v) for v in root.inputs]
        shown = formula(root.op, args, self.unicode, constants) if root.op else ""
        head = self.name(root)
        head = "L" if head.startswith("#") else head  # too long a formula to be its name: the loss
        if not self.listed:
            return f"{head} = {self.number(root.data)}\\nfrom {self.examples} examples"
        if shown and "#" not in shown and len(shown) <= 24 and shown != head:
            return f"{head} = {shown}\\n= {self.number(root.data)}"
        return f"{head} = {self.number(root.data)}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
