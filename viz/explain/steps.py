"""The forward and backward passes of a graph as a list of steps a person can follow.

Forward: one step per computed node, in `topological_order`, with its formula
and numbers. Backward: one step per edge, in exactly the order `Value.backward()`
visits them (reverse topological order, each node's inputs in order), each
adding `local * grad(out)` to an input's grad. The numbers are the engine's
own: data and local_grads as stored at forward time, and grads accumulated by
the same loop `backward()` runs, so the last step's grads equal the engine's.
Edges into constants and targets (leaf_kind 'constant') are skipped by default:
no document asks for their grads. Names are viz.notation.names.node_names, numbers
viz.notation.numbers.pretty.
"""

from __future__ import annotations

import re

from micrograd import Value, backward_order, topological_order
from viz.notation.names import formula, leaf_kind, node_names
from viz.notation.numbers import DIGITS, pretty
from viz.notation.ops import local_text

_POWER = re.compile(r"\^(-?\d+)(?![\d.])")
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def names(order: list[Value], digits: int = DIGITS, unicode: bool = True) -> list[str]:
    """One name per node, the one every view uses (viz.notation.names.node_names); unicode=False: ASCII."""
    return node_names(order, digits, unicode)


def forward_steps(order: list[Value], shown: list[str], digits: int = DIGITS) -> list[dict]:
    """One step per computed node: which node, its formula with names, with numbers, and its value."""
    index = {id(v): k for k, v in enumerate(order)}
    steps = []
    for k, v in enumerate(order):
        if not v.op:
            continue
        ks = [index[id(u)] for u in v.inputs]
        constants = [u.data if not u.op and not u.label else None for u in v.inputs]
        symbolic = formula(v.op, [shown[i] for i in ks], True, constants)
        numeric = formula(v.op, [pretty(order[i].data, digits) for i in ks])
        value = pretty(v.data, digits)
        head = [shown[k]] if shown[k] != symbolic else []  # an unlabelled node is named by its formula
        lines = [" = ".join(head + [symbolic]), "= " + numeric, "= " + value]
        steps.append({"kind": "forward", "node": k, "inputs": ks, "lines": lines, "data": value})
    return steps


def backward_steps(order: list[Value], shown: list[str], digits: int = DIGITS,
                   constants: bool = False) -> tuple[list, list[float]]:
    """One step per edge, in backward()'s order, and the grads that pass leaves on every node.

    Starts from grad 0 everywhere and grad(root) = 1, as a fresh backward() does,
    without touching the Values' own grads. constants: also a step for each edge
    into a constant or target (their grads are computed either way).
    """
    index = {id(v): k for k, v in enumerate(order)}
    grads = [0.0] * len(order)
    root = len(order) - 1
    grads[root] = 1.0
    top = shown[root]
    steps: list[dict] = [{
        "kind": "seed", "node": root, "grad": pretty(1.0, digits),
        "lines": ["backward() starts at the output:", f"grad({top}) = ∂{top}/∂{top} = 1"],
    }]
    reached: set[int] = set()  # nodes that already had a contribution: a second one is another path
    for v in backward_order(order[root]):
        k = index[id(v)]
        g = grads[k]
        args = [shown[index[id(u)]] for u in v.inputs]
        seen: dict[int, int] = {}  # an input used twice by one op has two edges: count them apart
        for p, (u, local) in enumerate(zip(v.inputs, v.local_grads)):
            i = index[id(u)]
            before = grads[i]
            grads[i] += local * g  # the engine's own update, in its order
            nth = seen.get(i, 0)
            seen[i] = nth + 1
            if not constants and leaf_kind(u) == "constant":
                continue
            written = _math(local_text(v.op, p, args, shown[k], v.data > 0))
            earlier = before if i in reached else None
            lines = _edge_lines(shown[k], shown[i], written, local, g, earlier, digits)
            reached.add(i)
            steps.append({
                "kind": "backward", "out": k, "node": i, "edge": nth, "local": pretty(local, digits),
                "grad": pretty(grads[i], digits), "lines": lines,
            })
    return steps, grads


def _edge_lines(out: str, name: str, written: str, local: float, g: float, before: float | None, digits: int):
    """What one backward step says: the local derivative, the product added, the grad after."""
    added = local * g
    value = pretty(local, digits)
    lines = [
        f"∂{_whole(out)}/∂{_whole(name)} = {written}" + ("" if written == value else f" = {value}"),
        f"grad({name}) += {value} × {_signed(pretty(g, digits))} = {pretty(added, digits)}",
    ]
    if before is None:
        lines.append(f"grad({name}) = {pretty(added, digits)}")
    else:  # a second path into this node: the chain rule adds the paths
        total, was = pretty(before + added, digits), pretty(before, digits)
        equals = "≈" if total == was and before + added != before else "="  # a change too small to show
        lines.append(f"grad({name}) = {was} + {_signed(pretty(added, digits))} {equals} {total}")
    return lines


def _math(text: str) -> str:
    """viz.notation.ops' ASCII local derivative as the page prints it: real minus signs, ² for ^2."""
    text = _POWER.sub(lambda m: m[1].translate(_SUP), text)
    return re.sub(r"(^|[ (])-", r"\1−", text)


def _signed(text: str) -> str:
    """A factor in a product: in parentheses if negative, so 2 × (−3) reads right."""
    return f"({text})" if text.startswith(("-", "−")) else text


def path_from(order: list[Value], source: Value) -> list[int]:
    """Indices of the nodes on some path from `source` to the root (those computed from it)."""
    on = {id(source)}
    for v in order:
        if any(id(u) in on for u in v.inputs):
            on.add(id(v))
    return [k for k, v in enumerate(order) if id(v) in on]


def find(order: list[Value], wrt: Value | str) -> Value:
    """The node `wrt` names (a Value of the graph, or a label), with an error listing the labels."""
    if isinstance(wrt, Value):
        if any(v is wrt for v in order):
            return wrt
        raise ValueError(f"wrt: {wrt!r} is not a node of this graph: pass one of its leaves or a label")
    matches = [v for v in order if v.label == wrt]
    if len(matches) != 1:
        labels = ", ".join(sorted({v.label for v in order if v.label})) or "none"
        problem = "no node is" if not matches else f"{len(matches)} nodes are"
        raise ValueError(f"wrt: {problem} labelled {wrt!r}; pass the Value itself, or one of: {labels}")
    return matches[0]


def _whole(name: str) -> str:
    """A name after ∂: in parentheses unless it is a single label or number."""
    return name if all(c.isalnum() or c in "_^().,⁽⁾" for c in name) else f"({name})"


def chains(order: list[Value], source: Value, limit: int = 6) -> list[list[tuple[int, float]]] | None:
    """Every path from `source` to the root as [(node, local derivative into it), ...]; None past `limit`.

    The product of one path's locals is that path's share of d root / d source;
    the shares add up to the grad (the chain rule summed over paths).
    """
    index = {id(v): k for k, v in enumerate(order)}
    users: dict[int, list[tuple[int, float]]] = {}
    for k, v in enumerate(order):
        for u, local in zip(v.inputs, v.local_grads):
            users.setdefault(index[id(u)], []).append((k, local))
    root = len(order) - 1
    found: list[list[tuple[int, float]]] = []
    stack: list[tuple[int, list[tuple[int, float]]]] = [(index[id(source)], [])]
    while stack:
        k, path = stack.pop()
        if k == root:
            found.append(path)
            if len(found) > limit:
                return None
            continue
        for nxt, local in reversed(users.get(k, [])):
            stack.append((nxt, path + [(nxt, local)]))
    return found


def all_steps(root: Value, digits: int = DIGITS, constants: bool = False) -> dict:
    """Everything a page needs: names, forward steps, backward steps and the final grads."""
    order = topological_order(root)
    shown = names(order, digits)
    forward = forward_steps(order, shown, digits)
    backward, grads = backward_steps(order, shown, digits, constants)
    return {"order": order, "names": shown, "forward": forward, "backward": backward, "grads": grads}
