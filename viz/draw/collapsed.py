"""The collapsed view: one node per neuron (drive, activation, delta), so a whole MLP stays readable."""

from __future__ import annotations

from micrograd import Value, topological_order
from viz.draw.graph_cards import card, cell_widths, heading
from viz.draw.render import Drawing
from viz.draw.style import BEFORE_BACKWARD, COLOURS, FONT, INK, LABEL_PT, NODE_PT, NOTE
from viz.notation.names import formula, node_names, typeset
from viz.notation.neurons import role
from viz.notation.numbers import DIGITS, number, pretty
from viz.notation.ops import DOT_OPS

# Past this many edges between two layers that are fully connected, one small node stands for
# all of them: n + m edges instead of n * m keeps a wide MLP's layout well under a second.
DENSE_EDGES = 256
HEADER = {"shape": "plaintext", "fontsize": str(LABEL_PT + 2)}  # a column's title: inputs, layer 1, ...
ACTIVATION_NAMES = {"**2": "square", "sigmoid": "σ", "relu": "ReLU"}


def draw_neurons(root: Value, *, rankdir: str = "LR", digits: int = DIGITS, title: str | None = None,
                 unicode: bool = True, note: str = "") -> Drawing:
    """One node per neuron of the nn network behind `root`, one per input, one for `root`.

    Each neuron shows its drive z, its activation a and its delta δ = ∂L/∂z (the grad
    backward() left on z); an edge joins two neurons when one's output feeds the other.
    Neurons stand 1..n top to bottom. `note` says why the drawing is collapsed.
    """
    order = topological_order(root)
    names = dict(zip(map(id, order), node_names(order, digits, unicode)))
    show = pretty if unicode else number
    owner: dict[int, str] = {}  # id of a drive, activation or input node -> its drawing node
    neurons = network_neurons(order)
    inputs: dict[int, list[Value]] = {}
    for v in order:
        r = role(v.label)
        if r is not None and r.kind == "x":
            inputs.setdefault(r.j, []).append(v)
            owner[id(v)] = f"x{r.j}"
    for (layer, j), nodes in neurons.items():
        for v in nodes["z"] + nodes["a"]:
            owner[id(v)] = f"n{layer}_{j}"
    if not neurons:
        raise ValueError(
            "collapse='neuron' needs a graph built by nn (drive nodes labelled z1^(1), z2^(1), ...): "
            "this graph has none, so draw it with draw_dot(root)"
        )
    edges = _neuron_edges(neurons, owner)
    before_backward = all(v.grad == 0.0 for v in order)

    g = Drawing(name="neurons", format="svg")
    g.attr(rankdir=rankdir, fontname=FONT, fontcolor=INK, labelloc="t", nodesep="0.12", ranksep="1.2",
           newrank="true")
    g.attr("node", fontname=FONT, fontsize=str(NODE_PT), fontcolor=INK)
    g.attr("edge", arrowsize="0.6", color="#777777", fontname=FONT, fontsize=str(LABEL_PT))
    stacked = rankdir in ("TB", "BT")  # a neuron's fields in a line across the flow: 16 neurons fit a screen
    # no cluster boxes: Graphviz shuffles the nodes inside a cluster; a header names each column
    columns: list[list[str]] = [["layer0"]]
    g.node("layer0", "inputs", **HEADER)
    for i in sorted(inputs):
        xs = inputs[i]
        shown = f"{show(xs[0].data, digits)}" if len(xs) == 1 else f"{len(xs)} examples"
        label, style = _fields([f"{names[id(xs[0])]} = {shown}"], stacked,
                               style="filled", fillcolor=COLOURS["input"])
        g.node(f"x{i}", label, **style)
        columns[-1].append(f"x{i}")
    outputs = {id(v) for v in order if names[id(v)].startswith(("ŷ", "y_hat"))}
    fields: dict[tuple[int, int], list[str]] = {}
    for layer in sorted({layer for layer, _ in neurons}):
        keys = sorted(key for key in neurons if key[0] == layer)
        g.node(f"layer{layer}", f"layer {layer} ({_activation(neurons[keys[0]])})", **HEADER)
        columns.append([f"layer{layer}"])
        for key in keys:
            fields[key] = _neuron_fields(key, neurons[key], names, outputs, show, digits)
        # the layer's cards cell by cell as wide as its widest, so the column lines up
        widths = [max(w) for w in zip(*(cell_widths(fields[key]) for key in keys))]
        for key in keys:
            style = {}
            label = card(fields[key], stacked, style, widths)
            g.node(f"n{key[0]}_{key[1]}", label, **style)
            columns[-1].append(f"n{key[0]}_{key[1]}")
    root_name = owner.get(id(root))
    if root_name is None:  # the loss (or anything computed after the network)
        root_name = "root"
        label, style = _fields(_root_fields(root, order, names, show, digits), stacked,
                               style="filled", fillcolor=COLOURS["loss"])
        g.node(root_name, label, **style)
        fed = {source for source, _ in edges}
        for key in sorted(neurons):
            name = f"n{key[0]}_{key[1]}"
            if name not in fed:
                edges.append((name, root_name))
        columns.append(["loss", root_name])
        g.node("loss", "loss", **HEADER)
    _in_order(g, columns)
    # out of a node's far side and into its near one: a wide one-line node is not crossed
    ends = {"LR": ("e", "w"), "RL": ("w", "e"), "TB": ("s", "n"), "BT": ("n", "s")}[rankdir]
    for source, target in through_junctions(g, edges):
        g.edge(source, target, tailport=ends[0], headport=ends[1])
    cells = ["<TD>z: drive, a: activation, δ = ∂L/∂z: delta</TD>" if unicode else
             "<TD>z: drive, a: activation, delta = dL/dz</TD>"]
    if note:
        cells.append(f'<TD><FONT COLOR="{NOTE}">{note}</FONT></TD>')
    if before_backward:
        cells.append(f'<TD><FONT COLOR="{NOTE}">{BEFORE_BACKWARD}</FONT></TD>')
    g.attr(label=heading(title, cells))
    return g


def network_neurons(order: list[Value]) -> dict[tuple[int, int], dict[str, list[Value]]]:
    """nn's neurons in a graph, by (layer, j): their drives (w·x+b nodes labelled z_j^(l)) and activations.

    Only a real drive makes a neuron: a leaf or a product someone labelled z1^(1) does
    not, so a graph without one cannot be collapsed (and draw_dot does not offer it).
    """
    neurons: dict[tuple[int, int], dict[str, list[Value]]] = {}
    for v in order:
        if v.op in DOT_OPS and (r := role(v.label)) is not None and r.kind == "z":
            neurons.setdefault((r.layer, r.j), {"z": [], "a": []})["z"].append(v)
    for v in order:
        if (r := role(v.label)) is not None and r.kind == "a" and (r.layer, r.j) in neurons:
            neurons[r.layer, r.j]["a"].append(v)
    return neurons


def _in_order(g: Drawing, columns: list[list[str]]) -> None:
    """Each column on one rank, its nodes top to bottom as listed (invisible flat edges keep the order)."""
    for n, names in enumerate(columns):
        with g.subgraph(name=f"column{n}") as column:
            column.attr(rank="same")
            for name in names:
                column.node(name)
        for upper, lower in zip(names, names[1:]):
            g.edge(upper, lower, style="invis")


def _root_fields(root: Value, order: list[Value], names: dict, show, digits: int) -> list[str]:
    """The loss node: its name and what it is made of (L = ½ (ŷ − t)²), data and grad."""
    name = names[id(root)]
    if root.op:
        made = formula(root.op, [names[id(u)] for u in root.inputs], show is pretty,
                       [u.data if not u.op and not u.label else None for u in root.inputs])
        if made != name and len(made) <= 24:
            name = f"{name} = {made}"
    return [name, f"data {show(root.data, digits)}", f"grad {show(root.grad, digits)}"]


def _neuron_edges(neurons: dict, owner: dict[int, str]) -> list[tuple[str, str]]:
    """(source, neuron) for every neuron or input whose output reaches a neuron's drive."""
    edges: dict[tuple[str, str], None] = {}
    for (layer, j), nodes in sorted(neurons.items()):
        target = f"n{layer}_{j}"
        for z in nodes["z"]:
            fed_by = z.inputs[1::2] if z.op in DOT_OPS else z.inputs  # w·x+b: (w1, x1, w2, x2, ..., b)
            for source in _owners(fed_by, owner, target):
                edges[(source, target)] = None
    return list(edges)


def through_junctions(g: Drawing, edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The edges to draw: a big, fully connected pair of layers goes through one 'n × m' node."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for source, target in edges:
        groups.setdefault((_group(source), _group(target)), []).append((source, target))
    drawn = []
    for (left, right), pairs in groups.items():
        sources = sorted({s for s, _ in pairs}, key=_number)
        targets = sorted({t for _, t in pairs}, key=_number)
        if len(pairs) <= DENSE_EDGES or len(pairs) != len(sources) * len(targets):
            drawn += pairs
            continue
        junction = f"all_{left}_{right}"
        g.node(junction, f"{len(sources)} × {len(targets)}\nconnections", shape="box", style="dashed",
               fontsize=str(LABEL_PT), color="#777777")
        drawn += [(s, junction) for s in sources] + [(junction, t) for t in targets]
    return drawn


def _number(name: str) -> tuple[int, ...]:
    """Sort key of a drawing node's name by its numbers: n1_2 before n1_10."""
    digits = "".join(c if c.isdigit() else " " for c in name).split()
    return tuple(int(d) for d in digits)


def _group(name: str) -> str:
    """The layer a drawing node belongs to: 'x' for inputs, 'n2' for layer 2's neurons."""
    return name.split("_")[0] if name.startswith("n") else name.rstrip("0123456789")


def _owners(nodes, owner: dict[int, str], target: str) -> list[str]:
    """The labelled drawing nodes that `nodes` come from, looking back past unlabelled ones."""
    found: dict[str, None] = {}
    todo, seen = list(nodes), set()
    while todo:
        v = todo.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        name = owner.get(id(v))
        if name is not None and name != target:
            found[name] = None
        elif name is None:
            todo.extend(v.inputs)
    return sorted(found, key=_number)


def _activation(nodes: dict[str, list[Value]]) -> str:
    if not nodes["a"]:
        return "linear"
    op = nodes["a"][0].op
    return ACTIVATION_NAMES.get(op, op or "activation")


def _neuron_fields(key: tuple[int, int], nodes: dict[str, list[Value]], names: dict, outputs: set,
                   show, digits: int) -> list[str]:
    """A neuron's fields: 'neuron j', then z, a and δ with their numbers (or a batch's sums)."""
    layer, j = key
    zs, acts = nodes["z"], nodes["a"]
    last = (acts or zs)[0]
    fields = [f"neuron {j}" + (f" ({names[id(last)]})" if id(last) in outputs else "")]
    unicode = show is pretty
    z_name = typeset(zs[0].label) if unicode else zs[0].label
    delta = f"δ{z_name[1:]}" if unicode else f"delta{z_name[1:]}"
    if len(zs) == 1:
        fields.append(f"{z_name} = {show(zs[0].data, digits)}")
        if acts:
            a_name = typeset(acts[0].label) if unicode else acts[0].label
            fields.append(f"{a_name} = {show(acts[0].data, digits)}")
        fields.append(f"{delta} = {show(zs[0].grad, digits)}")
    else:  # the same neuron once per example: show the sum the parameters see
        fields.append(f"{len(zs)} examples")
        fields.append(f"Σ {delta} = {show(sum(z.grad for z in zs), digits)}")
    return fields


def _fields(fields: list[str], stacked: bool, **style) -> tuple[str, dict]:
    """A node's label (viz.draw.graph.card: a table, since records cannot be kept in order) and its style."""
    return card(fields, stacked, style), style
