"""Reading a computation graph the way the documents do: which node is which neuron's
weight, bias, drive or activation, and each node's dL/d(node) without touching grads."""

from __future__ import annotations

import re
from typing import NamedTuple

from micrograd import Value, topological_order

# nn.labels.parse may name kinds in words or in the documents' letters
_KINDS = {
    "w": "w", "weight": "w", "b": "b", "bias": "b", "z": "z", "drive": "z",
    "a": "a", "activation": "a", "x": "x", "input": "x",
}
# The documents' notation, used until nn.labels exists: w12^(1), w12,3^(2), b1^(2), z1^(1), a2^(1), x3
_NOTATION = re.compile(r"^(?:([wbza])(\d+)(?:,(\d+))?\^\((\d+)\)|x(\d+))$")


class Role(NamedTuple):
    """What a labelled node is in a network: kind 'w', 'b', 'z', 'a' or 'x', layer, neuron j, input i."""

    kind: str
    layer: int | None
    j: int | None
    i: int | None


def role(label: str) -> Role | None:
    """The network role a label names (nn's notation), or None for any other label."""
    if not label:
        return None
    try:
        from nn.labels import parse
    except ImportError:  # nn not installed: read the notation directly
        return _parse_notation(label)
    parsed = parse(label)
    if parsed is None:
        return None
    kind, layer, j, i = parsed
    kind = _KINDS.get(str(kind).lower())
    return Role(kind, layer, j, i) if kind else None


def _parse_notation(label: str) -> Role | None:
    match = _NOTATION.match(label)
    if not match:
        return None
    kind, a, b, layer, x = match.groups()
    if x is not None:
        return Role("x", None, None, int(x))
    if kind == "w" and b is None:  # w{j}{i} with single digits
        if len(a) != 2:
            return None
        a, b = a[0], a[1]
    return Role(kind, int(layer), int(a), int(b) if b is not None else None)


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
