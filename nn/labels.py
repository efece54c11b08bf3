"""Node labels in the documents' notation, and `parse` to read them back.

Layers and neurons count from 1, as the documents do: `w12^(1)` is the weight
from input 2 into neuron 1 of layer 1, `b1^(2)` the bias of neuron 1 of layer 2,
`z1^(2)` its drive and `a1^(2)` its activation; network inputs are `x1, x2, ...`
(layer 0). When j or i is 10 or more, a comma separates them: `w12,3^(2)`.
"""

from __future__ import annotations

import re

Parsed = tuple[str, int, int, "int | None"]

# w{j}{i} is two single digits; w{j},{i} any two numbers
_LABEL = re.compile(
    r"^(?:w(?:(?P<wj>\d+),(?P<wi>\d+)|(?P<wj1>\d)(?P<wi1>\d))|(?P<k>[bza])(?P<j>\d+))"
    r"\^\((?P<l>\d+)\)$|^x(?P<x>\d+)$"
)


def weight(layer: int, j: int, i: int) -> str:
    """Label of the weight from input i into neuron j of `layer`: w{j}{i}^({layer})."""
    sep = "," if j >= 10 or i >= 10 else ""
    return f"w{j}{sep}{i}^({layer})"


def bias(layer: int, j: int) -> str:
    """Label of the bias of neuron j of `layer`: b{j}^({layer})."""
    return f"b{j}^({layer})"


def drive(layer: int, j: int) -> str:
    """Label of the drive (pre-activation) node of neuron j of `layer`: z{j}^({layer})."""
    return f"z{j}^({layer})"


def activation(layer: int, j: int) -> str:
    """Label of the activation node of neuron j of `layer`: a{j}^({layer})."""
    return f"a{j}^({layer})"


def network_input(i: int) -> str:
    """Label of network input i: x{i}."""
    return f"x{i}"


def parse(label: str) -> Parsed | None:
    """Read a label back as (kind, layer, j, i), or None if it is not in our notation.

    kind is 'w', 'b', 'z', 'a' or 'x'; i is the input index for a weight and None
    otherwise. A network input x{i} is neuron i of layer 0: ('x', 0, i, None).

    >>> parse('w12^(1)'), parse('b3^(2)'), parse('x4'), parse('loss')
    (('w', 1, 1, 2), ('b', 2, 3, None), ('x', 0, 4, None), None)
    """
    if not isinstance(label, str):
        return None
    m = _LABEL.match(label)
    if m is None:
        return None
    if m["x"] is not None:
        return ("x", 0, int(m["x"]), None)
    layer = int(m["l"])
    if m["wj"] is not None:
        return ("w", layer, int(m["wj"]), int(m["wi"]))
    if m["wj1"] is not None:
        return ("w", layer, int(m["wj1"]), int(m["wi1"]))
    return (m["k"], layer, int(m["j"]), None)
