"""One name per node, typeset as the documents write it, the same in every view.

The graph, the lecture page, the derivation and the solution all call a node by
`node_names`: its label typeset (w₁₂⁽¹⁾, z₁⁽²⁾), ŷ for the network's output and t
for its target, a constant by its number, and an unlabelled node by its formula
over its inputs' names (ŷ − t, (ŷ − t)², ½ (ŷ − t)²).

>>> from micrograd import Value
>>> y, t = Value(0.25, "a1^(2)"), Value(1.0, "t1")
>>> loss = 0.5 * (y - t) ** 2
>>> node_names([y, t, y - t])[-1], typeset("w12^(1)"), typeset("y_hat")
('ŷ − t', 'w₁₂⁽¹⁾', 'ŷ')
"""

from __future__ import annotations

import re

from micrograd import Value, topological_order
from nn.labels import parse
from viz.notation.formulas import ASCII, NAMES, entry, leaf, write
from viz.notation.numbers import DIGITS, number, pretty

NAME_WIDTH = 40  # an unlabelled node is named by its formula up to this length, else #k
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "eta": "η", "theta": "θ",
          "lambda": "λ", "mu": "μ", "sigma": "σ"}
_LABEL = re.compile(r"^([A-Za-z]+?)(_hat)?_?(\d+(?:,\d+)*)?(?:\^\((\d+)\))?$")
_HAND_PARAMETER = re.compile(r"^[wb](\d+|_\w+)?$")  # w, w1, w12, b, b1, w_out
_HAND_INPUT = re.compile(r"^x(\d+|_\w+)?$")
_TARGET = re.compile(r"^t(\d*)$")


def one_number_each(root: Value, view: str) -> None:
    """Refuse a batch-mode graph (micrograd.batch), whose every node holds one number per example:
    the views write one number per node."""
    if getattr(root, "per_example", False):
        raise ValueError(f"{view} shows one number per node, and this is a batch-mode graph "
                         "(micrograd.batch: each node holds one number per example): run the model "
                         "on one example, model([x1, x2]) with plain numbers, and show that graph, "
                         "or draw the network with viz.draw_network(model)")


def typeset(label: str) -> str:
    """A label as the documents print it: 'w12^(1)' -> 'w₁₂⁽¹⁾', 'y_hat' -> 'ŷ', 'loss' -> 'L'.

    >>> [typeset(s) for s in ("w12,3^(2)", "b1^(2)", "x1", "delta1^(2)", "t1", "h2", "total")]
    ['w₁₂,₃⁽²⁾', 'b₁⁽²⁾', 'x₁', 'δ₁⁽²⁾', 't₁', 'h₂', 'total']
    """
    if label == "loss":
        return "L"
    m = _LABEL.match(label)
    if not m:
        return label
    name, hat, index, layer = m.groups()
    if name.lower() in _GREEK:
        name = _GREEK[name.lower()]
    if hat:
        name = "ŷ" if name == "y" else name + "\u0302"  # a combining circumflex over any other letter
    return name + (index or "").translate(_SUB) + (f"({layer})".translate(_SUP) if layer else "")


def leaf_kind(v: Value) -> str | None:
    """'parameter', 'input' or 'constant' for a leaf, as its label says; None for a computed node.

    nn's w12^(1), b1^(2) and a hand-made w, w1, b2 are parameters; x3, x_1 inputs;
    anything else (a target t1, a number such as 0.5) is a constant.
    """
    if v.op:
        return None
    parsed = parse(v.label) if v.label else None
    if parsed is not None:
        return "input" if parsed[0] == "x" else "parameter" if parsed[0] in ("w", "b") else "constant"
    if _HAND_PARAMETER.match(v.label):
        return "parameter"
    return "input" if _HAND_INPUT.match(v.label) else "constant"


def outputs(order: list[Value]) -> list[Value]:
    """The network's output nodes: the last layer's drives or activations that a loss is computed from.

    A node labelled y_hat counts too. They are ordered by neuron, 1..n.
    """
    index = {id(v): k for k, v in enumerate(order)}
    roles = {id(v): r for v in order if v.label and (r := parse(v.label)) is not None}
    layered = [r for r in roles.values() if r is not None and r[0] in ("z", "a")]
    if not layered:
        return [v for v in order if v.label.startswith("y_hat")]
    last = max(r[1] for r in layered)
    fed: set[int] = set()  # ids of nodes some node outside the network is computed from
    for v in order:
        if roles.get(id(v)) is None and v.op:
            fed.update(id(u) for u in v.inputs)
    found = [v for v in order
             if id(v) in fed and (r := roles.get(id(v))) and r[0] in ("z", "a") and r[1] == last]
    found.sort(key=lambda v: (roles[id(v)][2], index[id(v)]))
    return found


def node_names(order: list[Value], digits: int = DIGITS, unicode: bool = True) -> list[str]:
    """One name per node of `order` (a topological order): the name every view calls it by.

    unicode=False gives the ASCII forms a terminal can always print (y_hat - t).
    """
    index = {id(v): k for k, v in enumerate(order)}
    by_label = _output_names(order, unicode)
    names: list[str] = []
    for k, v in enumerate(order):
        if id(v) in by_label:
            names.append(by_label[id(v)])
        elif v.label:
            names.append(typeset(v.label) if unicode else v.label)
        elif not v.op:
            names.append(pretty(v.data, digits) if unicode else number(v.data, digits))
        else:
            args = [names[index[id(u)]] for u in v.inputs]
            text = formula(v.op, args, unicode, [u.data if not u.op and not u.label else None
                                                 for u in v.inputs])
            names.append(text if len(text) <= NAME_WIDTH else f"#{k}")
    return names


def names_of(root: Value, digits: int = DIGITS, unicode: bool = True) -> dict[int, str]:
    """node_names for the graph behind `root`, keyed by id(node)."""
    order = topological_order(root)
    return {id(v): n for v, n in zip(order, node_names(order, digits, unicode))}


def _output_names(order: list[Value], unicode: bool) -> dict[int, str]:
    """ŷ (or ŷ₁, ŷ₂, ...) for the network's outputs and t (t₁, t₂, ...) for its targets."""
    outs = outputs(order)
    targets = [v for v in order if not v.op and _TARGET.match(v.label)]
    if not outs or not targets or any(v.label.startswith("y_hat") for v in outs):
        return {}  # with no target leaf (cross-entropy on logits) the outputs are not ŷ
    named: dict[int, str] = {}
    hat = "ŷ" if unicode else "y_hat"
    labels = [v.label for v in outs]
    several = len(set(labels)) > 1
    for v in outs:
        parsed = parse(v.label)
        assert parsed is not None  # outputs() are labelled drives or activations here, not y_hat
        j = parsed[2]
        named[id(v)] = hat + (_sub(j, unicode) if several else "")
    if not several and len({v.label for v in targets}) == 1:
        for v in targets:
            named[id(v)] = "t"
    return named


def _sub(j: int, unicode: bool) -> str:
    return str(j).translate(_SUB) if unicode else str(j)


def formula(op: str, args: list[str], unicode: bool = True,
            constants: list[float | None] | None = None) -> str:
    """`op` written over its inputs' names: 'ŷ − t', '(ŷ − t)²', '½ (ŷ − t)²', 'σ(z)'.

    constants: the number of each input that is an unnamed constant (else None), so
    that 0.5 · x reads ½ x. The op's formula is the engine's (micrograd.engine.OPS).
    """
    minus = "−" if unicode else "-"
    wrap = [_paren(a, minus) for a in args]
    constants = constants or [None] * len(args)
    if op in ("w·x+b", "w·x"):  # a neuron's drive, any number of inputs: not in the table
        dot = "·" if unicode else "*"
        terms = [f"{wrap[2 * i]}{dot}{wrap[2 * i + 1]}" for i in range(len(args) // 2)]
        if op == "w·x+b":
            terms.append(_signed(args[-1], minus))
        return " + ".join(terms)
    e = entry(op, len(args))
    if e is None:
        return f"{op}({', '.join(args)})"
    names = e.names([leaf(a, c) for a, c in zip(args, constants)])
    return write(e.shown, names, NAMES if unicode else ASCII)


def _signed(text: str, minus: str) -> str:
    """A term after + or ×: in parentheses if negative."""
    return f"({text})" if text.startswith(("-", "−")) else text


def _paren(name: str, minus: str) -> str:
    """A name inside a product or power: in parentheses unless it is one factor, so (ŷ − t)² stays."""
    return f"({name})" if _spaced(name) or name.startswith(("-", "−")) else name


def _spaced(name: str) -> bool:
    """Whether `name` has a space or an operator outside parentheses: not a single factor."""
    depth = 0
    for char in name:
        depth += (char == "(") - (char == ")")
        if char in " ·*/" and depth == 0:
            return True
    return False
