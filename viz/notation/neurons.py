"""Reading a computation graph the way the documents do: which node is which neuron's
weight, bias, drive or activation, and each node's dL/d(node) without touching grads."""

from __future__ import annotations

from typing import NamedTuple

from micrograd import Value, topological_order
from nn.labels import parse


class Role(NamedTuple):
    """What a labelled node is: kind 'w', 'b', 'z', 'a' or 'x', layer (0 for inputs), neuron j, input i."""

    kind: str
    layer: int
    j: int
    i: int | None


def role(label: str) -> Role | None:
    """The network role a label names in nn's notation (nn.labels), or None for any other label."""
    parsed = parse(label) if label else None
    return Role(*parsed) if parsed else None


def network_role(v: Value) -> Role:
    """The role of a node already found to be part of a network; a ValueError with its label if not."""
    r = role(v.label)
    if r is None:
        raise ValueError(f"{v.label!r} is not a network node's label in nn's notation (w12^(1), z1^(2), ...)")
    return r


def neuron_of(v: Value) -> tuple[int, int] | None:
    """(layer, j) of the neuron a weight, bias, drive or activation node belongs to."""
    r = role(v.label)
    if r is None or r.kind == "x":
        return None
    return (r.layer, r.j)


def adjoints(root: Value, order: list[Value] | None = None) -> dict[int, float]:
    """d root / d node for every node (keyed by id), computed apart from the nodes' grads."""
    order = order if order is not None else topological_order(root)
    adj = {id(v): 0.0 for v in order}
    adj[id(root)] = 1.0
    for out in reversed(order):
        g = adj[id(out)]
        for node, local in zip(out.inputs, out.local_grads):
            adj[id(node)] += local * g
    return adj


def consumers(order: list[Value]) -> dict[int, list[tuple[Value, int]]]:
    """For each node (by id), the nodes made from it and at which input position."""
    made_from: dict[int, list[tuple[Value, int]]] = {id(v): [] for v in order}
    for out in order:
        for position, node in enumerate(out.inputs):
            made_from[id(node)].append((out, position))
    return made_from
