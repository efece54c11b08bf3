"""Reading the weights a document gives into one layer's W[out][in] and b[out].

Two layouts, always named, never guessed:

- ``"out_in"`` (PyTorch's ``nn.Linear``): W has one row per neuron, W[j][i] is the
  weight from input i into neuron j, and the biases come separately as b[j].
  A layer's entry is ``(W, b)`` (or ``{"W": W, "b": b}``); without biases, just W.
- ``"in_out"`` (the documents' W^T x, seed 004): W has one column per neuron and
  one row per input, and when the layer has biases its first row holds them (the
  bias is the weight of a constant input 1). A layer's entry is that one matrix.

A single neuron's weights may be a flat list. numpy arrays work wherever a nested
list does.
"""

from __future__ import annotations

import math
import numbers
import reprlib
from typing import Any

LAYOUTS = ("out_in", "in_out")
Matrix = list[list[float]]


def layer_weights(entry: Any, nin: int, nout: int, has_bias: bool, layout: str,
                  where: str) -> tuple[Matrix, list[float] | None]:
    """One layer's entry in `layout` as (W[out][in], b[out] or None), checked against its shape."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: use 'out_in' (PyTorch's W[out][in] with b[out]) "
                         "or 'in_out' (the documents' W^T x, bias as the first row)")
    if layout == "in_out":
        rows = nin + 1 if has_bias else nin
        m = _matrix(entry, where, "W", single=nout == 1, as_column=True)
        _check_shape(m, (rows, nout), where, "W", layout, has_bias)
        bias = [float(v) for v in m[0]] if has_bias else None
        body = m[1:] if has_bias else m
        return [[body[i][j] for i in range(nin)] for j in range(nout)], bias
    if has_bias:
        if isinstance(entry, dict):
            w, b = entry.get("W"), entry.get("b")
        elif isinstance(entry, (tuple, list)) and len(entry) == 2 and not _flat_rows(entry[0], nout):
            w, b = entry
        else:
            raise ValueError(f"{where} has biases: give (W, b) with W[out][in] and b[out] "
                             "(this entry looks like W alone), or build the net with bias=False")
        if b is None:
            raise ValueError(f"{where} has biases but b is None: give b[out], or use bias=False")
        bias = _vector(b, where, nout)
    else:
        w = entry
        if isinstance(entry, dict):
            w = entry.get("W")
            if entry.get("b") is not None:
                raise ValueError(f"{where} has no biases (bias=False) but b was given")
        elif isinstance(entry, tuple) and len(entry) == 2:
            w, b = entry
            if b is not None:
                raise ValueError(f"{where} has no biases (bias=False) but b was given")
        bias = None
    m = _matrix(w, where, "W", single=nout == 1, as_column=False)
    _check_shape(m, (nout, nin), where, "W", layout, has_bias)
    return m, bias


def _matrix(obj: Any, where: str, name: str, single: bool, as_column: bool) -> Matrix:
    """A nested list of finite floats from a list, tuple or numpy array."""
    if hasattr(obj, "tolist"):
        obj = obj.tolist()
    if not isinstance(obj, (list, tuple)):
        raise TypeError(f"{where}: {name} must be a nested list or numpy array, got {type(obj).__name__}")
    if single and obj and all(_is_number(v) for v in obj):
        # a flat list is one neuron's weights: a row in W[out][in], a column in W[in][out]
        obj = [[v] for v in obj] if as_column else [list(obj)]
    rows = []
    for r, row in enumerate(obj, 1):
        if hasattr(row, "tolist"):
            row = row.tolist()
        if not isinstance(row, (list, tuple)):
            raise ValueError(f"{where}: row {r} of {name} is {reprlib.repr(row)}, not a list of numbers")
        rows.append([_number(v, where, f"{name}[{r}]") for v in row])
    return rows


def _vector(obj: Any, where: str, n: int) -> list[float]:
    if hasattr(obj, "tolist"):
        obj = obj.tolist()
    if _is_number(obj) and n == 1:
        obj = [obj]
    if not isinstance(obj, (list, tuple)) or any(isinstance(v, (list, tuple)) for v in obj):
        raise ValueError(f"{where}: b must be a flat list of {n} numbers, got {reprlib.repr(obj)}")
    if len(obj) != n:
        raise ValueError(f"{where}: b has shape ({len(obj)},) but the layer has {n} neurons: "
                         f"it needs shape ({n},)")
    return [_number(v, where, "b") for v in obj]


def _check_shape(m: Matrix, want: tuple[int, int], where: str, name: str, layout: str,
                 has_bias: bool) -> None:
    widths = {len(row) for row in m}
    if len(widths) > 1:
        raise ValueError(f"{where}: the rows of {name} have different lengths {sorted(widths)}")
    got = (len(m), widths.pop() if widths else 0)
    if got != want:
        meaning = "W[out][in]" if layout == "out_in" else \
            "W[in+1][out], the biases in the first row" if has_bias else "W[in][out]"
        raise ValueError(f"{where}: {name} has shape {got} but this layer needs {want} "
                         f"(layout {layout!r}: {meaning})")


def _flat_rows(w: Any, nout: int) -> bool:
    """True when w is a flat list of numbers but the layer has several neurons: a row, not W."""
    w = w.tolist() if hasattr(w, "tolist") else w
    return nout > 1 and isinstance(w, (list, tuple)) and all(_is_number(v) for v in w)


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _number(v: Any, where: str, name: str) -> float:
    if not _is_number(v):
        raise TypeError(f"{where}: {name} holds {reprlib.repr(v)}, which is not a number")
    f = float(v)
    if not math.isfinite(f):
        raise ValueError(f"{where}: {name} holds {f!r}: weights must be finite")
    return f
