"""What a variant asks (its questions, named as `check` reads them) and the rules that keep it sane.

A question is one number of the hand calculation: a drive, an activation, ŷ, the
loss (forward), a delta, a gradient (backward), a parameter after the update; each
named as an answers file writes it (`z1^(1)`, `y_hat`, `delta1^(2)`, `dL/dw11^(2)`,
`new w11^(2)`) and keyed as viz.homework.replay keys values. `broken` says which rule
a drawn variant breaks (viz.homework.variant_spec lists them), or None.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from micrograd import Value, topological_order
from viz.homework import check as checking
from viz.homework.problem import Problem
from viz.homework.replay import Key, graph_of, passes
from viz.homework.run import Model
from viz.homework.variant_spec import Rules, VariantError
from viz.notation.ops import exponent

_NETWORK_LABEL = re.compile(r"^(w|b|z|a)[\d,]+\^\((\d+)\)$")
_PASS = re.compile(r"^\[\s*pass\s+(\d+)\s*\]\s*(.+)$")


@dataclass(frozen=True)
class Question:
    """One number a sheet asks for: its name in an answers file and its key."""

    name: str
    key: Key


def questions(problem: Problem, ask: list[str] | None = None) -> list[Question]:
    """A sheet's questions: `ask` (answer names; '[pass 2] loss' for a later pass), or all of them."""
    if ask is None:
        return _every_question(problem)
    lines = []
    for entry in ask:
        m = _PASS.match(entry.strip())
        lines += [f"[pass {m[1]}]", f"{m[2]} = 0"] if m else ["[pass 1]", f"{entry} = 0"]
    answers = checking.parse_answers(lines, "[variants] ask")
    try:
        checking.resolve(answers, problem)  # check's own reading of each name: the key marks the same
    except checking.AnswersError as error:
        raise VariantError(f"{problem.path}: key 'variants.ask': {error}") from None
    for a in answers:
        if a.problem:
            raise VariantError(f"{problem.path}: key 'variants.ask': `{a.name}`: {a.problem}")
    return [Question(a.name, a.key) for a in answers]


def _every_question(problem: Problem) -> list[Question]:
    flat = graph_of(problem)
    order, loss, params = flat.order, flat.order[flat.loss], set(flat.parameters)
    outs = outputs(problem, order)
    computed = [v.label for v in order if v.op and v.label and v.label != loss.label]
    computed.append(loss.label)

    def data_name(label: str) -> str:
        return "y_hat" if len(outs) == 1 and label == outs[0] else label

    if problem.graph is not None:
        of = problem.graph.loss
        backward = [v.label for v in reversed(order) if v.label and v.label != loss.label
                    and (v.op or v.label in params)]
        grads = [(label, f"d{of}/d{label}") for label in backward]
    else:
        grads = []
        for layer in range(len(problem.layers), 0, -1):
            here = [v.label for v in order if _layer(v.label) == layer]
            grads += [(z, "delta" + z[1:]) for z in here if z.startswith("z")]
            grads += [(p, f"dL/d{p}") for p in here if p in params and p.startswith("w")]
            grads += [(p, f"dL/d{p}") for p in here if p in params and p.startswith("b")]
    ordered = [v.label for v in Model(problem).parameters]  # w11^(1), w12^(1), ..., as the file lists them
    every = []
    last = passes(problem)
    for n in range(1, last + 1):
        if n == last and problem.lr is not None:  # the pass after the last step: only its ŷ and loss
            every += [Question(data_name(label), (n, "data", label, 0)) for label in [*outs, loss.label]]
            break
        every += [Question(data_name(label), (n, "data", label, 0)) for label in computed]
        every += [Question(name, (n, "grad", label, 0)) for label, name in grads]
        if problem.lr is not None:
            every += [Question(f"new {label}", (n, "new", label, 0)) for label in ordered]
    return every


def outputs(problem: Problem, order: list[Value]) -> list[str]:
    """The labels of the network's outputs (what ŷ names), as `check` names them."""
    if problem.graph is not None:
        return [problem.graph.output] if problem.graph.output else []
    named = [v.label for v in order if v.label.startswith("y_hat")]
    if named:
        return named
    last, count = len(problem.layers), len(problem.layers[-1].weights)
    kind = "z" if problem.layers[-1].activation == "linear" else "a"
    return [f"{kind}{j}^({last})" for j in range(1, count + 1)]


def broken(problem: Problem, asked: list[Question], rules: Rules, decimals: int) -> tuple[str, str] | None:
    """(rule, what broke it) for the first rule the variant breaks, or None when it keeps them all.

    Read off the engine's own passes (forward, backward(), the SGD step), one per pass asked about.
    """
    unit = 10.0 ** -decimals
    model = Model(problem)
    last = max(q.key[0] for q in asked)
    for n in range(1, last + 1):
        current = model.forward()
        roots = [current.loss] + [y for y in current.y_hat[0] if y is not current.loss]
        order = _order(roots)
        here = [q for q in asked if q.key[0] == n]
        where = f" (pass {n})" if last > 1 else ""
        on_path = _on_path(order, {q.key[2]: q.key[1] for q in here})
        for v in order:  # the causes first: a saturated sigmoid is why a gradient vanishes
            why = _rule_of(v, rules, unit, id(v) in on_path)
            if why is not None:
                return why[0], why[1] + where
        if rules.saturation and problem.loss == "cross-entropy":
            top = max(y.data for y in current.y_hat[0])
            if top > _sigmoid(rules.max_drive):
                return "saturation", f"a softmax output is {top:.4g} (> σ({rules.max_drive:g})){where}"
        if rules.zero_gradient:
            grads = {v.label: v.grad for v in order if v.label}
            for q in here:
                g = grads.get(q.key[2], 0.0) if q.key[1] == "grad" else 0.0
                if 0.0 < abs(g) < unit:  # exactly 0 (an input of 0) reads fine; 0.00003 at 4 decimals not
                    return "zero_gradient", f"{q.name} = {g:.3g} rounds to 0 at {decimals} decimals{where}"
        if n < last:
            model.step()
    return None


def _rule_of(v: Value, rules: Rules, unit: float, on_path: bool) -> tuple[str, str] | None:
    name = v.label or v.op
    if rules.saturation and v.op in ("sigmoid", "tanh"):
        z = v.inputs[0].data
        limit = rules.max_drive if v.op == "sigmoid" else rules.max_drive / 2  # tanh(z) = 2σ(2z) - 1
        if abs(z) > limit:
            return "saturation", f"{v.op} of {_name(v.inputs[0])} = {z:.4g}: |z| > {limit:g}"
    if rules.dead_relu and v.op == "relu" and on_path and v.inputs[0].data < unit:
        z = v.inputs[0]
        return "dead_relu", f"{name} = relu({_name(z)} = {z.data:.4g}) on a path asked about"
    if rules.division:
        power = exponent(v.op)
        if v.op == "/":
            d = v.inputs[1]
        elif v.op == "log" or (power is not None and float(power) < 1):
            d = v.inputs[0]
        else:
            return None
        if abs(d.data) < rules.min_divisor:
            return "division", f"{v.op} by {_name(d)} = {d.data:.4g}: |value| < {rules.min_divisor:g}"
    return None


def _order(roots: list[Value]) -> list[Value]:
    order: list[Value] = []
    seen: set[int] = set()
    for root in roots:
        for v in topological_order(root):
            if id(v) not in seen:
                seen.add(id(v))
                order.append(v)
    return order


def _on_path(order: list[Value], asked: dict[str, str]) -> set[int]:
    """The nodes on a path asked about: after an asked gradient or update, before an asked value."""
    after: set[int] = set()
    for v in order:  # topological: inputs first
        if asked.get(v.label) in ("grad", "new") or any(id(u) in after for u in v.inputs):
            after.add(id(v))
    before: set[int] = set()
    for v in reversed(order):
        if asked.get(v.label) == "data" or id(v) in before:
            before.add(id(v))
            before.update(id(u) for u in v.inputs)
    return after | before


def _layer(label: str) -> int | None:
    m = _NETWORK_LABEL.match(label)
    return int(m[2]) if m else None


def _name(v: Value) -> str:
    return v.label or "a value"


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def answer_lines(asked: list[Question], number: Callable[[Question], str]) -> list[str]:
    """The questions as lines of an answers file: `[pass n]` before each pass's, then `name = number`."""
    lines: list[str] = []
    current = None
    for q in asked:
        if q.key[0] != current:
            current = q.key[0]
            lines.append(f"[pass {current}]")
        lines.append(f"{q.name} = {number(q)}")
    return lines
