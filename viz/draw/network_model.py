"""What a network diagram shows, read from an nn.MLP (and its graph) or from a formula graph.

`from_mlp(mlp, root)` takes the structure from the MLP and, when `root` is given, each
neuron's drive z, activation a and delta dL/dz from the graph behind it, by nn's labels
(z1^(2), a1^(2), x1). `from_graph(root)` finds the neurons in any graph whose drives are
dot nodes (a formula problem such as seed 001: h1 = sigmoid(x1*w1 + x2*w2)) and puts each
in the layer after the latest neuron it reads from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from micrograd import Value, topological_order
from nn import labels
from nn.activations import name_of
from viz.notation.names import leaf_kind, names_of, outputs, typeset
from viz.notation.neurons import consumers, role
from viz.notation.ops import DOT_OPS

_TARGET = re.compile(r"^t(\d*)$")


@dataclass
class Source:
    """An input of the network: its drawing key (x1), its name and its Value in each example."""

    key: str
    name: str
    values: list[Value] = field(default_factory=list)


@dataclass
class Unit:
    """A neuron: its weights (source key, weight), bias, and its z and a in each example."""

    key: str
    title: str
    weights: list[tuple[str, Value]]
    bias: Value | None
    drives: list[Value] = field(default_factory=list)
    activations: list[Value] = field(default_factory=list)
    output: str = ""  # the label of the neuron's output node (a1^(1), or z1^(3) for a linear one)


@dataclass
class Layer:
    """One column of neurons under a heading ('layer 1 · tanh')."""

    heading: str
    units: list[Unit]


@dataclass
class Output:
    """What the right edge shows for one output neuron: ŷ and its target in each example."""

    unit: str
    y_hat: list[Value]
    target: list[Value]


@dataclass
class Net:
    """Everything the diagram draws; `names` maps id(node) to the name every view uses."""

    inputs: list[Source]
    layers: list[Layer]
    outputs: list[Output] = field(default_factory=list)
    loss: Value | None = None
    names: dict[int, str] = field(default_factory=dict)
    backward_done: bool = False
    unicode: bool = True

    def name(self, v: Value) -> str:
        """The node's name as every view writes it (its label typeset when it is not in the graph)."""
        found = self.names.get(id(v))
        if found is not None:
            return found
        return typeset(v.label) if self.unicode else v.label


def from_mlp(mlp: Any, root: Value | None = None, unicode: bool = True) -> Net:
    """The diagram of an nn.MLP; with `root`, the values of the graph behind it, found by label."""
    by_label: dict[str, list[Value]] = {}
    order: list[Value] = []
    if root is not None:
        order = topological_order(root)
        for v in order:
            if v.label:
                by_label.setdefault(v.label, []).append(v)
    inputs = [Source(f"x{i}", f"x{i}", by_label.get(f"x{i}", [])) for i in range(1, mlp.nin + 1)]
    keys = [s.key for s in inputs]
    layers = []
    last = len(mlp.layers)
    for layer in mlp.layers:
        units = []
        for neuron in layer.neurons:
            seen = neuron.connections if neuron.connections is not None else range(len(keys))
            z_label = labels.drive(layer.index, neuron.index)
            linear = layer.activation == "linear"
            a_label = z_label if linear else labels.activation(layer.index, neuron.index)
            units.append(Unit(f"n{layer.index}_{neuron.index}", f"neuron {neuron.index}",
                              [(keys[i], w) for i, w in zip(seen, neuron.w)], neuron.b,
                              by_label.get(z_label, []), by_label.get(a_label, []), a_label))
        layers.append(Layer(_heading(layer.index, layer.activation, layer.index == last, unicode), units))
        keys = [u.key for u in units]
    net = Net(inputs, layers, unicode=unicode)
    if root is not None:
        _finish(net, root, order, outputs(order), unicode)
    for s in net.inputs:
        s.name = net.name(s.values[0]) if s.values else (typeset(s.key) if unicode else s.key)
    return net


def from_graph(root: Value, unicode: bool = True) -> Net:
    """The network inside a formula graph: each dot node a neuron's drive, its one activation after it."""
    order = topological_order(root)
    made_from = consumers(order)
    index = {id(v): k for k, v in enumerate(order)}
    owner: dict[int, Unit] = {}   # id of a neuron's drive or activation -> the neuron
    depth: dict[str, int] = {}    # neuron key -> its layer
    sources: dict[int, Value] = {}
    units: list[Unit] = []
    for z in (v for v in order if v.op in DOT_OPS):
        a = _activation_after(z, made_from)
        n = len(z.inputs) // 2
        pairs = list(zip(z.inputs[0:2 * n:2], z.inputs[1:2 * n:2]))
        bias = z.inputs[-1] if z.op == "w·x+b" else None
        unit = Unit(f"u{len(units) + 1}", "", [], bias, [z], [a], a.label)
        layer = 1
        for w, x in pairs:
            if x.op and id(x) not in owner:
                raise ValueError(f"{_called(z)} reads {_called(x)}, which is neither an input nor a neuron's "
                                 "output: this graph cannot be drawn as a network; draw it with draw_dot")
            if x.op:
                layer = max(layer, depth[owner[id(x)].key] + 1)
                unit.weights.append((owner[id(x)].key, w))
            else:
                sources[id(x)] = x
                unit.weights.append((f"leaf{id(x)}", w))
        depth[unit.key] = layer
        owner[id(z)] = owner[id(a)] = unit
        units.append(unit)
    if not units:
        raise ValueError("this graph has no neuron drives (sums of weight × input, made by micrograd.dot "
                         "or a formula like x1*w1 + x2*w2): draw it with draw_dot")
    layers = _layers(units, depth, index, unicode)
    inputs = sorted(sources.values(), key=lambda x: _order_key(x.label, index[id(x)]))
    rename = {f"leaf{id(x)}": f"x{k}" for k, x in enumerate(inputs, 1)}
    for u in units:
        u.weights = [(rename.get(key, key), w) for key, w in u.weights]
    net = Net([Source(rename[f"leaf{id(x)}"], "", [x]) for x in inputs], layers, unicode=unicode)
    fed = {key for u in units for key, _ in u.weights}
    last = [u for layer in layers for u in layer.units if u.key not in fed]
    _finish(net, root, order, [u.activations[0] for u in last], unicode)
    for s in net.inputs:
        s.name = net.name(s.values[0])
    for drawn in layers:
        for j, u in enumerate(drawn.units, 1):
            u.title = f"neuron {j}"
    return net


def _finish(net: Net, root: Value, order: list[Value], outs: list[Value], unicode: bool) -> None:
    """Names, outputs with their targets, and the loss (when `root` is not a neuron's output)."""
    net.names = names_of(root, unicode=unicode)
    net.backward_done = root.grad != 0.0
    keys = {id(v): u.key for layer in net.layers for u in layer.units for v in u.activations}
    used = {id(w) for layer in net.layers for u in layer.units for _, w in u.weights}
    used |= {id(x) for s in net.inputs for x in s.values}
    targets = [v for v in order if not v.op and v.label and leaf_kind(v) == "constant" and id(v) not in used]
    nn_targets = [v for v in targets if _TARGET.match(v.label)]
    targets = sorted(nn_targets or targets, key=lambda v: _order_key(v.label, 0))
    by_unit: dict[str, Output] = {}
    for v in outs:
        key = keys.get(id(v))
        if key is not None:
            by_unit.setdefault(key, Output(key, [], [])).y_hat.append(v)
    net.outputs = list(by_unit.values())
    kinds = sorted({v.label for v in targets}, key=lambda s: _order_key(s, 0))
    for k, out in enumerate(net.outputs):
        if k < len(kinds):
            out.target = [v for v in targets if v.label == kinds[k]]
    net.loss = root if id(root) not in keys else None


def _activation_after(z: Value, made_from: dict) -> Value:
    """The neuron's output: the one-input op applied to its drive alone (σ, tanh, ²), else the drive."""
    after = made_from[id(z)]
    if len(after) == 1:
        out, _ = after[0]
        if len(out.inputs) == 1 and out.op not in DOT_OPS:
            return out
    return z


def _layers(units: list[Unit], depth: dict[str, int], index: dict[int, int], unicode: bool) -> list[Layer]:
    """Neurons grouped by layer, ordered as their labels count (h1, h2; nn's j), else as computed."""
    count = max(depth.values())
    layers = []
    for k in range(1, count + 1):
        members = [u for u in units if depth[u.key] == k]
        members.sort(key=lambda u: _order_key(u.activations[0].label, index[id(u.drives[0])]))
        acts = {name_of(u.activations[0].op) if u.activations[0] is not
                u.drives[0] else "linear" for u in members}
        activation = acts.pop() if len(acts) == 1 else "mixed"
        layers.append(Layer(_heading(k, activation, k == count, unicode), members))
    for k, layer in enumerate(layers, 1):  # keys in the drawing's order, n{layer}_{j}
        for j, u in enumerate(layer.units, 1):
            old, u.key = u.key, f"n{k}_{j}"
            for other in units:
                other.weights = [(u.key if key == old else key, w) for key, w in other.weights]
    return layers


def _heading(k: int, activation: str, output: bool, unicode: bool) -> str:
    return f"layer {k} {'·' if unicode else '-'} {activation}" + (" (output)" if output else "")


def _order_key(label: str, position: int) -> tuple:
    """Sort key: nn's neuron number, else the label with its numbers read as numbers, else position."""
    r = role(label)
    if r is not None:
        return (0, r.j, (), position)
    if label:
        return (1, 0, tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", label)), position)
    return (2, 0, (), position)


def _called(v: Value) -> str:
    return f"node {v.label!r}" if v.label else f"a node made by {v.op!r}"
