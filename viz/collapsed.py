"""The collapsed view: one node per neuron (drive, activation, delta), so a whole MLP stays readable."""

from __future__ import annotations

from micrograd import Value, topological_order
from viz.dot import BEFORE_BACKWARD, COLOURS, FONT
from viz.format import DIGITS, number
from viz.neurons import role
from viz.ops import DOT_OPS
from viz.render import Drawing

# Past this many edges between two layers that are fully connected, one small node stands for
# all of them: n + m edges instead of n * m keeps a wide MLP's layout well under a second.
DENSE_EDGES = 256


def draw_neurons(root: Value, *, rankdir: str = "LR", digits: int = DIGITS) -> Drawing:
    """One node per neuron of the nn network behind `root`, one per input, one for `root`.

    Each neuron shows its drive z, its activation a and its delta dL/dz (the grad
    backward() left on z); an edge joins two neurons when one's output feeds the other.
    """
    order = topological_order(root)
    owner: dict[int, str] = {}  # id of a drive, activation or input node -> its drawing node
    neurons: dict[tuple[int, int], dict[str, list[Value]]] = {}
    inputs: dict[int, list[Value]] = {}
    for v in order:
        r = role(v.label)
        if r is None:
            continue
        if r.kind == "x":
            inputs.setdefault(r.j, []).append(v)
            owner[id(v)] = f"x{r.j}"
        elif r.kind in ("z", "a"):
            neurons.setdefault((r.layer, r.j), {"z": [], "a": []})[r.kind].append(v)
            owner[id(v)] = f"n{r.layer}_{r.j}"
    if not neurons:
        raise ValueError(
            "collapse='neuron' needs a graph built by nn (drive nodes labelled z1^(1), z2^(1), ...): "
            "this graph has none, so draw it with draw_dot(root)"
        )
    edges = _neuron_edges(neurons, owner)
    before_backward = all(v.grad == 0.0 for v in order)

    g = Drawing(name="neurons", format="svg")
    g.attr(rankdir=rankdir, fontname=FONT, labelloc="b", nodesep="0.15", ranksep="1.2")
    g.attr("node", fontname=FONT, fontsize="11", shape="record")
    g.attr("edge", arrowsize="0.6", color="#777777")
    horizontal = rankdir in ("TB", "BT")  # fields stacked across the flow, so nodes stay narrow
    with g.subgraph(name="cluster_inputs") as box:
        box.attr(label="inputs", style="rounded", color="#888888", fontcolor="#666666", fontsize="10")
        for i in sorted(inputs):
            xs = inputs[i]
            shown = f"data {number(xs[0].data, digits)}" if len(xs) == 1 else f"{len(xs)} examples"
            box.node(f"x{i}", _fields([xs[0].label, shown], horizontal),
                     style="filled", fillcolor=COLOURS["input"])
    for layer in sorted({layer for layer, _ in neurons}):
        keys = sorted(key for key in neurons if key[0] == layer)
        with g.subgraph(name=f"cluster_layer{layer}") as box:
            box.attr(label=f"layer {layer} ({_activation(neurons[keys[0]])})", style="rounded",
                     color="#888888", fontcolor="#666666", fontsize="10")
            for key in keys:
                box.node(f"n{key[0]}_{key[1]}", _neuron_label(key, neurons[key], digits, horizontal))
    root_name = owner.get(id(root))
    if root_name is None:  # the loss (or anything computed after the network)
        root_name = "root"
        name = root.label or "output"
        fields = [name, f"data {number(root.data, digits)}", f"grad {number(root.grad, digits)}"]
        g.node(root_name, _fields(fields, horizontal), style="filled", fillcolor=COLOURS["loss"])
        fed = {source for source, _ in edges}
        for key in sorted(neurons):
            name = f"n{key[0]}_{key[1]}"
            if name not in fed:
                edges.append((name, root_name))
    for source, target in through_junctions(g, edges):
        g.edge(source, target)
    if before_backward:
        g.attr(label=f'<<FONT COLOR="#b45f06">{BEFORE_BACKWARD}</FONT>>')
    return g


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
        sources = sorted({s for s, _ in pairs})
        targets = sorted({t for _, t in pairs})
        if len(pairs) <= DENSE_EDGES or len(pairs) != len(sources) * len(targets):
            drawn += pairs
            continue
        junction = f"all_{left}_{right}"
        g.node(junction, f"{len(sources)} × {len(targets)}\nconnections", shape="box", style="dashed",
               fontsize="9", color="#777777")
        drawn += [(s, junction) for s in sources] + [(junction, t) for t in targets]
    return drawn


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
    return sorted(found)


def _activation(nodes: dict[str, list[Value]]) -> str:
    if not nodes["a"]:
        return "linear"
    op = nodes["a"][0].op
    return "square" if op == "**2" else op or "activation"


def _neuron_label(key: tuple[int, int], nodes: dict[str, list[Value]], digits: int, horizontal: bool) -> str:
    layer, j = key
    zs, acts = nodes["z"], nodes["a"]
    fields = [f"neuron {j}"]
    if len(zs) == 1:
        fields.append(f"drive z = {number(zs[0].data, digits)}")
        if acts:
            fields.append(f"activation a = {number(acts[0].data, digits)}")
        fields.append(f"delta = dL/dz = {number(zs[0].grad, digits)}")
    else:  # the same neuron once per example: show the sum the parameters see
        fields.append(f"{len(zs)} examples")
        fields.append(f"sum of deltas {number(sum(z.grad for z in zs), digits)}")
    return _fields(fields, horizontal)


def _fields(fields: list[str], horizontal: bool) -> str:
    body = " | ".join(f.replace("|", "\\|").replace("{", "\\{").replace("}", "\\}") for f in fields)
    return "{ " + body + " }" if horizontal else body
