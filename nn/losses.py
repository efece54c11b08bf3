"""Losses on Values: each name says whether it carries a 1/2 or a 1/N.

A prediction and a target are each one Value/number or a list of them. A batch
loss is `total(losses)` or `mean(losses)` of per-example losses; its gradient is
then the sum or the mean of the per-example gradients (seed 002).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from micrograd import Value

Scalar = Value | float
Vector = Scalar | Sequence[Scalar]


def half_sum_squares(prediction: Vector, target: Vector) -> Value:
    """1/2 sum_k (y_k - t_k)^2: the documents' squared error (seeds 000, 002, 003, 004)."""
    return 0.5 * sum_squares(prediction, target)


def sum_squares(prediction: Vector, target: Vector) -> Value:
    """sum_k (y_k - t_k)^2, no 1/2 (seed 001's Div)."""
    return total([(y - t) ** 2 for y, t in _pairs(prediction, target)])


def mean_squared_error(prediction: Vector, target: Vector) -> Value:
    """1/N sum_k (y_k - t_k)^2 over the N outputs."""
    pairs = _pairs(prediction, target)
    return total([(y - t) ** 2 for y, t in pairs]) * (1.0 / len(pairs))


def softmax(logits: Sequence[Value]) -> list[Value]:
    """exp(z_k) / sum_j exp(z_j), computed after shifting every z by max z so exp cannot overflow."""
    zs = _values(logits, "softmax")
    top = max(z.data for z in zs)  # a constant shift: softmax(z - c) = softmax(z)
    exps = [(z - top).exp() for z in zs]
    norm = total(exps)
    return [e / norm for e in exps]


def cross_entropy(logits: Sequence[Value], target: int | Sequence[float]) -> Value:
    """-sum_k t_k log softmax(z)_k from the logits z; target is a class index (0-based) or a distribution.

    Written as log sum_j exp(z_j - m) + m - z_k (m = max z), so it is stable and
    its gradient is exactly softmax(z) - t (seed 002, question 2).
    """
    zs = _values(logits, "cross_entropy")
    t = _target_distribution(target, len(zs))
    top = max(z.data for z in zs)
    log_norm = total([(z - top).exp() for z in zs]).log() + top
    return total([tk * (log_norm - z) for tk, z in zip(t, zs) if tk != 0.0])


def binary_cross_entropy(probability: Scalar, target: float) -> Value:
    """-(t log p + (1 - t) log(1 - p)) for one probability p in (0, 1) and a target t in [0, 1]."""
    p = probability if isinstance(probability, Value) else Value(probability)
    if not 0.0 < p.data < 1.0:
        raise ValueError(f"binary_cross_entropy needs a probability strictly between 0 and 1, "
                         f"got {p.data!r}: put a sigmoid on the output")
    t = _target_number(target, "binary_cross_entropy")
    if not 0.0 <= t <= 1.0:  # outside [0, 1] the loss has no minimum: it falls without end as p moves
        raise ValueError(f"binary_cross_entropy needs a target between 0 and 1 (a label 0 or 1, "
                         f"or a probability), got {target!r}")
    terms = []
    if t != 0.0:
        terms.append(t * p.log())
    if t != 1.0:
        terms.append((1.0 - t) * (1.0 - p).log())
    return -total(terms)


def hinge(score: Value, target: float) -> Value:
    """max(0, 1 - t * score) for a label t of +1 or -1 (micrograd's demo)."""
    if _target_number(target, "hinge") not in (1.0, -1.0):  # a label 0: a constant loss, nothing to learn
        raise ValueError(f"hinge needs a label of +1 or -1, got {target!r} "
                         "(for labels 0 and 1, use 2 * t - 1)")
    return (1 + -target * score).relu()  # micrograd's expression, so its numbers match bit for bit


def total(losses: Sequence[Value]) -> Value:
    """The sum of per-example losses (and so of their gradients)."""
    items = list(losses)
    if not items:
        raise ValueError("total of no losses: give at least one")
    out = items[0] if isinstance(items[0], Value) else Value(items[0])
    for item in items[1:]:
        out = out + item
    return out


def mean(losses: Sequence[Value]) -> Value:
    """1/N times the sum of N per-example losses (and so the mean of their gradients)."""
    items = list(losses)
    return total(items) * (1.0 / len(items))  # micrograd's demo writes it this way


def _pairs(prediction: Vector, target: Vector) -> list[tuple[Any, Any]]:
    ys = _listed(prediction)
    ts = _listed(target)
    if len(ys) != len(ts):
        raise ValueError(f"the prediction has {len(ys)} outputs but the target has {len(ts)}")
    return list(zip(ys, ts))


def _listed(v: Any) -> list:
    if isinstance(v, (Value, numbers.Real)):
        return [v]
    return list(v.tolist() if hasattr(v, "tolist") and not isinstance(v, list) else v)


def _values(logits: Any, what: str) -> list[Value]:
    zs = [z if isinstance(z, Value) else Value(z) for z in _listed(logits)]
    if not zs:
        raise ValueError(f"{what} needs at least one logit")
    return zs


def _target_number(target: Any, what: str) -> float:
    """A target given as one number, checked to be a finite real number (a Value's data counts)."""
    if isinstance(target, Value):
        target = target.data
    if not isinstance(target, numbers.Real):
        raise TypeError(f"{what} needs a target that is one number, got "
                        f"{type(target).__name__}: {target!r}"[:200])
    if not math.isfinite(target):
        raise ValueError(f"{what} needs a finite target, got {target!r}")
    return float(target)


def _target_distribution(target: Any, n: int) -> list[float]:
    if isinstance(target, bool):
        raise TypeError(f"cross_entropy's target is a class index (0 to {n - 1}) or a distribution, "
                        f"got {target!r}")
    if isinstance(target, numbers.Integral):
        if not 0 <= int(target) < n:
            raise ValueError(f"class index {target} is out of range for {n} logits (0 to {n - 1})")
        return [1.0 if k == target else 0.0 for k in range(n)]
    if isinstance(target, numbers.Real):
        raise TypeError(f"cross_entropy's target is a class index (an int, 0 to {n - 1}) or a "
                        f"distribution, got the number {target!r}")
    t = [_target_number(v, "cross_entropy") for v in _listed(target)]
    if len(t) != n:
        raise ValueError(f"the target has {len(t)} entries but there are {n} logits")
    if any(v < 0.0 for v in t) or not math.isclose(sum(t), 1.0, abs_tol=1e-9):
        raise ValueError(f"the target {t} must be a class index or a distribution (>= 0, summing to 1)")
    return t
