"""Re-running a problem's passes by hand, with some values replaced by a student's own numbers.

`replay(problem, overrides, tracked)` walks the same graph the engine built (same
nodes, same ops, same order), recomputing every data, grad and update the way a
student does on paper: forward, then backward with each local derivative taken
from the values at hand (sigma' = y(1 - y) with *their* y), then p - lr * grad. A
value the student wrote down replaces the computed one from then on, which is how
their rounding travels forward. It also records, for every value, which of the
`tracked` values (the ones the student answered) it was computed from.

Keys are (pass, kind, label): kind 'data', 'grad' (dL/d label) or 'new' (a
parameter after the update of that pass).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from micrograd import Value, topological_order
from viz.homework.problem import Problem
from viz.homework.run import Model
from viz.notation.ops import DOT_OPS, exponent

Key = tuple[int, str, str]


def graph_of(problem: Problem) -> tuple[list[Value], Value, set[str]]:
    """(every node in topological order, the loss node, the parameters' labels) of one pass."""
    model = Model(problem)
    first = model.forward()
    roots = [first.loss] + [y for y in first.y_hat[0] if y is not first.loss]
    order: list[Value] = []
    seen: set[int] = set()
    for root in roots:  # softmax outputs (cross-entropy) hang off the logits, beside the loss
        for v in topological_order(root):
            if id(v) not in seen:
                seen.add(id(v))
                order.append(v)
    return order, first.loss, {p.label for p in model.parameters}


def passes(problem: Problem) -> int:
    """How many forward passes a problem has: one per step, and one more for the loss after the last."""
    return problem.steps + 1 if problem.lr is not None else 1


def replay(problem: Problem, overrides: Mapping[Key, float], tracked: set[Key]
           ) -> tuple[dict[Key, float], dict[Key, frozenset[Key]]]:
    """Every value of every pass (as computed, before its own override) and the tracked values it used."""
    order, loss, params = graph_of(problem)
    at = {id(v): k for k, v in enumerate(order)}
    inputs = [[at[id(u)] for u in v.inputs] for v in order]
    consumers: list[list[int]] = [[] for _ in order]
    for k, ins in enumerate(inputs):
        for u in ins:
            consumers[u].append(k)
    values: dict[Key, float] = {}
    sources: dict[Key, frozenset[Key]] = {}
    current: dict[str, tuple[float, frozenset[Key]]] = {
        v.label: (v.data, frozenset()) for v in order if v.label in params}

    def keep(key: Key, value: float, used: frozenset[Key]) -> tuple[float, frozenset[Key]]:
        """Record the computed value; hand on the student's (if any) and what it now carries."""
        values[key], sources[key] = value, used
        if key in tracked:
            used = used | {key}
        return overrides.get(key, value), used

    for n in range(1, passes(problem) + 1):
        data = [0.0] * len(order)
        data_used: list[frozenset[Key]] = [frozenset()] * len(order)
        for k, v in enumerate(order):
            if v.label in current:
                value, used = current[v.label]
            elif not v.op:
                value, used = v.data, frozenset()
            else:
                value = forward(v.op, [data[u] for u in inputs[k]])
                used = frozenset().union(*(data_used[u] for u in inputs[k]))
            if v.label:
                value, used = keep((n, "data", v.label), value, used)
            data[k], data_used[k] = value, used
        grad = [0.0] * len(order)
        grad_used: list[frozenset[Key]] = [frozenset()] * len(order)
        grad[at[id(loss)]] = 1.0
        for k in reversed(range(len(order))):
            v = order[k]
            if v.label:
                grad[k], grad_used[k] = keep((n, "grad", v.label), grad[k], grad_used[k])
            if not v.op:
                continue
            locals_ = local_grads(v.op, [data[u] for u in inputs[k]], data[k])
            used = grad_used[k] | data_used[k] | frozenset().union(*(data_used[u] for u in inputs[k]))
            for u, local in zip(inputs[k], locals_):
                grad[u] += local * grad[k]
                grad_used[u] = grad_used[u] | used
        if problem.lr is None:
            break
        for label in current:
            k = next(i for i, v in enumerate(order) if v.label == label)
            new = data[k] - problem.lr * grad[k]
            current[label] = keep((n, "new", label), new, data_used[k] | grad_used[k])
    return values, sources


def forward(op: str, x: list[float]) -> float:
    """The value of one node from its inputs' values, exactly as the engine computes it."""
    power = exponent(op)
    if op == "+":
        return x[0] + x[1]
    if op == "-":
        return x[0] - x[1]
    if op == "*":
        return x[0] * x[1]
    if op == "/":
        return x[0] / x[1]
    if op == "neg":
        return -x[0]
    if op == "**":
        return x[0] ** x[1]
    if power is not None:
        return x[0] ** float(power)
    if op == "exp":
        return math.exp(x[0])
    if op == "log":
        return math.log(x[0])
    if op == "tanh":
        return math.tanh(x[0])
    if op == "sigmoid":
        if x[0] >= 0.0:
            return 1.0 / (1.0 + math.exp(-x[0]))
        e = math.exp(x[0])
        return e / (1.0 + e)
    if op == "relu":
        return x[0] if x[0] > 0.0 else 0.0
    if op in DOT_OPS:
        s = x[-1] if op == "w·x+b" else 0.0
        for k in range(0, len(x) - (op == "w·x+b"), 2):
            s += x[k] * x[k + 1]
        return s
    raise ValueError(f"cannot replay the op {op!r}: known: + - * / ** neg exp log tanh sigmoid relu w·x(+b)")


def local_grads(op: str, x: list[float], out: float) -> list[float]:
    """d out / d input for each input, from the values at hand (the student's, where they gave one)."""
    power = exponent(op)
    if op == "+":
        return [1.0, 1.0]
    if op == "-":
        return [1.0, -1.0]
    if op == "*":
        return [x[1], x[0]]
    if op == "/":
        return [1.0 / x[1], -x[0] / (x[1] * x[1])]
    if op == "neg":
        return [-1.0]
    if op == "**":
        return [x[1] * x[0] ** (x[1] - 1.0), out * math.log(x[0])]
    if power is not None:
        k = float(power)
        return [k * x[0] ** (k - 1.0) if k != 0.0 else 0.0]
    if op == "exp":
        return [out]
    if op == "log":
        return [1.0 / x[0]]
    if op == "tanh":
        return [1.0 - out * out]
    if op == "sigmoid":
        return [out * (1.0 - out)]
    if op == "relu":
        return [1.0 if x[0] > 0.0 else 0.0]
    if op in DOT_OPS:
        pairs = len(x) - (op == "w·x+b")
        locals_ = []
        for k in range(0, pairs, 2):
            locals_ += [x[k + 1], x[k]]
        return locals_ + ([1.0] if op == "w·x+b" else [])
    raise ValueError(f"cannot replay the op {op!r}")
