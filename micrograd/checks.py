"""The numbers a Value takes and makes: finite reals, and errors that name the op and the node."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any


def as_float(x: object, what: str) -> float:
    """x as a float, or a TypeError / ValueError saying what `what` was given."""
    if type(x) is float and x - x == 0.0:  # the common case, finite; checked first for speed
        return x
    if type(x) is int:  # a whole number written as one (1 + v, 2 * v): exact below 2**53
        return float(x)
    if isinstance(x, float) and x - x == 0.0:  # a float subclass: numpy's float64
        return float(x)
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        f = float(x)
        if math.isfinite(f):
            return f
        raise ValueError(f"{what} must be a finite number, got {f!r}")
    raise TypeError(f"{what} must be a real number (int, float or numpy scalar), "
                    f"got {type(x).__name__}: {x!r}")


def not_finite(op: str, operands: Sequence[Any], result: Sequence[float]) -> OverflowError:
    """The error for an op whose value or a local derivative left the floats (inf or nan)."""
    at = ", ".join(repr(v.data) for v in operands)
    names = ", ".join(v._name() for v in operands)
    parts = ("its value", "d/dx") if len(operands) == 1 else ("its value", "d/da", "d/db")
    bad = ", ".join(f"{part} = {r!r}" for part, r in zip(parts, result) if not math.isfinite(r))
    return OverflowError(f"{op} leaves the floats at {at} ({names}): {bad}; "
                         "keep the numbers between about 1e-308 and 1e308 in size")


def short(k: float) -> str:
    """A number exponent as a node's op writes it: 2 for 2.0, 0.5 for 0.5."""
    return str(int(k)) if k.is_integer() else repr(k)
