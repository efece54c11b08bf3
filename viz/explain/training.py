"""Training steps for the lecture page: each step's forward pass, backward pass and SGD update, recorded.

Every step builds the loss again from the current weights, lets the engine run
backward(), records what the page shows (each node's data, each edge's local
derivative, the steps of viz.explain.steps, each weight's viz.derivation and its
update) and moves every parameter by p <- p - lr * dL/dp. The parameters are put
back as they were afterwards: writing a page trains nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from micrograd import Value, topological_order
from viz.explain.derivation import derivation
from viz.explain.steps import all_steps
from viz.notation.names import leaf_kind
from viz.notation.neurons import role
from viz.notation.numbers import pretty

# A neuron is marked saturated when its activation's slope is below this share of the
# activation's largest slope (sigmoid 1/4, tanh 1) for every example: its delta all but vanishes.
SATURATED = 0.01
STEEPEST = {"sigmoid": 0.25, "tanh": 1.0}


class Lines:
    """Text lines kept once each: derivations of one network repeat most of their lines."""

    def __init__(self) -> None:
        self.table: list[str] = []
        self._index: dict[str, int] = {}

    def ids(self, text: str) -> list[int]:
        """The ids of text's lines, each line stored the first time it is seen."""
        out = []
        for line in text.splitlines():
            if line not in self._index:
                self._index[line] = len(self.table)
                self.table.append(line)
            out.append(self._index[line])
        return out


def run(build: Callable[[], Value], steps: int, lr: float | None, digits: int, constants: bool,
        parameters: Sequence[Value] | None, lines: Lines, more: Callable[[dict], dict]) -> list[dict]:
    """`steps` training steps of the loss `build()` makes; one record per step (see module docstring).

    more: what else the page shows of a step, read off all_steps' result while the
    weights hold that step's values (they are put back at the end).
    """
    first = build()
    params = list(parameters) if parameters is not None else [
        v for v in topological_order(first) if leaf_kind(v) == "parameter"]
    kept = [(p.data, p.grad) for p in params]
    records = []
    try:
        loss = first
        shape = _shape(topological_order(first))
        for t in range(steps):
            if t:
                try:
                    loss = build()
                except (OverflowError, ValueError, ZeroDivisionError) as error:
                    raise ValueError(f"training step {t + 1} of {steps} failed: {error}; the weights diverge "
                                     f"at lr={lr}: take fewer steps or a smaller learning rate") from None
                if _shape(topological_order(loss)) != shape:
                    raise ValueError(f"training step {t + 1} built a different graph from step 1: the page "
                                     "draws one graph, so every step must compute the same formulas")
            records.append(_record(loss, params, lr, digits, constants, lines, more))
            if lr is not None and t + 1 < steps:
                for p in params:
                    p.grad = 0.0
                loss.backward()  # the engine's own grads move the weights
                for p in params:
                    p.data -= lr * p.grad
    finally:
        for p, (data, grad) in zip(params, kept):
            p.data, p.grad = data, grad
    return records


def _shape(order: list[Value]) -> list[tuple[str, str, int]]:
    return [(v.op, v.label, len(v.inputs)) for v in order]


def _record(loss: Value, params: list[Value], lr: float | None, digits: int, constants: bool,
            lines: Lines, more: Callable[[dict], dict]) -> dict:
    """What the page shows of one step; the Values' own grads are left as they were."""
    steps = all_steps(loss, digits, constants)
    order, names, grads = steps["order"], steps["names"], steps["grads"]
    index = {id(v): k for k, v in enumerate(order)}
    weights = {}
    for p in params:
        k = index.get(id(p))
        if k is None:
            continue
        written = str(derivation(loss, p, format="text", digits=digits))
        weights[k] = {"derivation": lines.ids(written), "update": update_lines(names[k], p.data, grads[k], lr,
                                                                                 digits)}
    return {
        "loss": loss.data, "shown": pretty(loss.data, digits), "steps": steps,
        "data": [pretty(v.data, digits) for v in order],
        "grads": [pretty(g, digits) for g in grads],
        "locals": [[pretty(g, digits) for g in v.local_grads] for v in order],
        "size": {k: [_round(order[k].data), _round(grads[k])] for k in weights},
        "weights": weights, "marks": marks(order), **more(steps),
    }


def update_lines(name: str, data: float, grad: float, lr: float | None, digits: int) -> list[str]:
    """The SGD update of one weight, written with its numbers: w ← w − η·∂L/∂w."""
    if lr is None:
        return [f"∂L/∂{name} = {pretty(grad, digits)}", "(no learning rate given: no update)"]
    new = data - lr * grad
    return [f"update: {name} ← {name} − η·∂L/∂{name}",
            f"= {pretty(data, digits)} − {pretty(lr, digits)}·{_signed(pretty(grad, digits))}"
            f" = {pretty(new, digits)}"]


def marks(order: list[Value]) -> dict[str, str]:
    """Neurons whose every example is dead (ReLU off) or saturated (sigmoid or tanh flat), by cell id."""
    slopes: dict[tuple[int, int], list[tuple[str, float]]] = {}
    for v in order:
        r = role(v.label)
        if r is not None and r.kind == "a" and len(v.inputs) == 1:
            slopes.setdefault((r.layer, r.j), []).append((v.op, v.local_grads[0]))
    found = {}
    for (layer, j), seen in slopes.items():
        kind = mark(seen)
        if kind:
            found[f"{layer}.{j}"] = kind
    return found


def mark(seen: list[tuple[str, float]]) -> str | None:
    """'dead' when a ReLU passes nothing for any example, 'saturated' when sigmoid or tanh is flat for all."""
    ops = {op for op, _ in seen}
    if ops == {"relu"} and all(slope == 0 for _, slope in seen):
        return "dead"
    if len(ops) == 1 and (op := ops.pop()) in STEEPEST:
        if all(abs(slope) < SATURATED * STEEPEST[op] for _, slope in seen):
            return "saturated"
    return None


def _round(x: float) -> float:
    return float(f"{x:.4g}")  # enough for an edge's thickness


def _signed(text: str) -> str:
    return f"({text})" if text.startswith(("-", "−")) else text
