"""A layer's parameters as one array, each entry still a Value: the matrix form under the scalar views.

Row j of a `Block` is neuron j's (w1, ..., wn, b), the documents' W with the bias
as the weight of a constant input 1. Each entry is a `Param`, a Value whose `data`
is that array entry, so `p.data`, `p.grad`, drawings, save/load and optimisers see
the Values they always did, while batch mode multiplies the whole array at once
(Z = W X + b) and an optimiser updates it at once.

Where the grads live follows the work (the numbers are the same either way):
eager mode adds into each Param's own slot, one weight at a time, which is what
Python does fast; batch mode adds delta X^T into one array, which is what numpy
does fast. `in_slots` and `in_array` move them across when the other kind of work
starts. `version` counts writes to the numbers, so a layer knows its cached rows
are current without reading every weight (micrograd.drives).

>>> [(w1, w2, b)] = Block.gather([(Value(0.5, 'w1'), Value(-1.0, 'w2'), Value(0.0, 'b'))])
>>> w1.data = 2.0
>>> w1._block.data.tolist(), w1._block.version
([[2.0, -1.0, 0.0]], 1)
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from itertools import groupby
from operator import attrgetter
from typing import Any

import numpy as np

from micrograd.checks import not_finite
from micrograd.engine import Value, _new


class Shared(Value):
    """A Value that is one number for every example (a parameter, a penalty).

    Python asks a Batch first only when it meets a plain Value on its left, so for
    these subclasses an op with a Batch is handed to the Batch's reflected op.
    """

    __slots__ = ()

    def __add__(self, other: Any) -> Value:
        return NotImplemented if getattr(other, "per_example", False) else Value.__add__(self, other)

    def __sub__(self, other: Any) -> Value:
        return NotImplemented if getattr(other, "per_example", False) else Value.__sub__(self, other)

    def __mul__(self, other: Any) -> Value:
        return NotImplemented if getattr(other, "per_example", False) else Value.__mul__(self, other)

    def __truediv__(self, other: Any) -> Value:
        return NotImplemented if getattr(other, "per_example", False) else Value.__truediv__(self, other)

    def __pow__(self, other: Any) -> Value:
        return NotImplemented if getattr(other, "per_example", False) else Value.__pow__(self, other)


class Param(Shared):
    """A parameter: a Value whose number is one entry of its layer's array (`_block.data[_at]`)."""

    __slots__ = ("_block", "_at", "_i", "__weakref__")
    _block: Block
    _at: tuple[int, int]  # (row, column) in the array
    _i: int  # the same, counted along the flattened array

    def _get_data(self) -> float:
        return self._block.data.item(self._at)

    def _set_data(self, number: Any) -> None:
        block = self._block
        if block._captured:  # a batch node holds the array: it keeps the numbers it was computed with
            block._release()
        block.data[self._at] = number
        block.version += 1

    data = property(_get_data, _set_data, doc="The number: an entry of the layer's array.")

    def __mul__(self, other: Any) -> Value:
        if other is self:  # p * p, a term of an L2 penalty as micrograd's demo writes it
            d = self._block.data.item(self._at)
            return _square(d * d, "*", self, d, self, d)
        return Shared.__mul__(self, other)

    def __pow__(self, other: Any) -> Value:
        if other.__class__ in (int, float) and other == 2:  # p ** 2: the same, as others write it
            d = self._block.data.item(self._at)
            return _square(d * d, "**2", self, 2.0 * d, None, 0.0)
        return Shared.__pow__(self, other)


class _ArrayParam(Param):
    """A Param while its block keeps the grads in one array: its grad is read and written there."""

    __slots__ = ()

    def _get_grad(self) -> Any:
        return self._block._grad.item(self._at)  # type: ignore[union-attr]

    def _set_grad(self, g: Any) -> None:
        self._block._grad[self._at] = g  # type: ignore[index]

    grad = property(_get_grad, _set_grad, doc="d(loss)/d(this parameter).")


class Block:
    """The numbers of a layer's parameters as one array (row j: neuron j's weights, then its bias)."""

    __slots__ = ("data", "_views", "mask", "version", "_grad", "_numbers", "_numbers_version",
                 "_captured")

    def __init__(self, data: np.ndarray, mask: np.ndarray | None) -> None:
        self.data = data
        self.mask = mask  # None for a dense layer, else True where a connection (and so a Param) is
        self._views: list[weakref.ref] = []  # row by row, as parameters() lists them
        self.version = 0
        self._grad: np.ndarray | None = None  # the grads, when they live in the array (batch mode)
        self._numbers: list[tuple[float, ...]] = []
        self._numbers_version = -1
        self._captured = False  # a batch node holds `data`: the next write copies it first

    @classmethod
    def gather(cls, rows: Sequence[tuple[Value, ...]], columns: Sequence[Sequence[int]] | None = None,
               width: int | None = None) -> list[tuple[Param, ...]]:
        """One block for these rows of Values (or Params): the rows of its views, a Param for each.

        `columns[j]` says where row j's entries sit (a masked layer's neuron sees some
        inputs); the rest of the array is 0.0 and belongs to no parameter.
        """
        columns = [range(len(r)) for r in rows] if columns is None else columns
        m = max(len(r) for r in rows) if width is None else width
        data = np.zeros((len(rows), m))
        mask = np.zeros((len(rows), m), dtype=bool)
        for j, (row, cols) in enumerate(zip(rows, columns)):
            for v, k in zip(row, cols):
                data[j, k] = v.data
                mask[j, k] = True
        block = cls(data, None if mask.all() else mask)
        out = []
        for j, (row, cols) in enumerate(zip(rows, columns)):
            views = []
            for v, k in zip(row, cols):
                p = v if isinstance(v, Param) else _view_of(v)
                if isinstance(p, _ArrayParam):
                    p._block.in_slots()
                p._block, p._at, p._i = block, (j, k), j * m + k
                views.append(p)
            out.append(tuple(views))
            block._views += map(weakref.ref, views)
        return out

    @property
    def views(self) -> list[Param]:
        """The Params of this block that are still alive, row by row."""
        return [p for p in (r() for r in self._views) if p is not None]

    # ---- the numbers ----------------------------------------------------------------------------

    def update(self, data: np.ndarray) -> None:
        """Set every number at once (an optimiser's step), keeping a masked layer's zeros."""
        self.data = data if self.mask is None else np.where(self.mask, data, 0.0)
        self._captured = False  # a new array: whoever held the old one keeps it
        self.version += 1

    def numbers(self) -> list[tuple[float, ...]]:
        """Each row's numbers as Python floats, read from the array only when they changed."""
        if self._numbers_version != self.version:
            self._numbers = list(map(tuple, self.data.tolist()))
            self._numbers_version = self.version
        return self._numbers

    def capture(self) -> np.ndarray:
        """The array, for a node that keeps it (d z/d x = w): a later write copies it first."""
        self._captured = True
        return self.data

    def _release(self) -> None:
        self.data = self.data.copy()
        self._captured = False

    # ---- the grads --------------------------------------------------------------------------------

    def grad_array(self) -> np.ndarray:
        """Every parameter's grad in one array (0.0 where a masked layer has no connection)."""
        self.in_array()
        return self._grad  # type: ignore[return-value]

    def add_grad(self, g: np.ndarray) -> None:
        """Add g (the shape of data) to the grads, where they are."""
        if self.mask is not None:
            g = np.where(self.mask, g, 0.0)
        if self._grad is not None:
            self._grad = self._grad + g
        else:
            flat = g.ravel().tolist() if self.mask is None else g[self.mask].tolist()
            for r, d in zip(self._views, flat):
                v = r()
                if v is not None:
                    v.grad += d

    def zero_grad(self) -> None:
        """Every grad 0.0."""
        if self._grad is not None:
            self._grad = np.zeros_like(self.data)
        else:
            for v in self.views:
                v.grad = 0.0

    def grads(self) -> np.ndarray:
        """The grads as an array, wherever they live (not moving them)."""
        if self._grad is not None:
            return self._grad
        return self._slots()

    def _slots(self) -> np.ndarray:
        grad = np.zeros_like(self.data)
        slots = [0.0 if v is None else v.grad for v in (r() for r in self._views)]
        if self.mask is None:
            grad.ravel()[:] = slots
        else:
            grad[self.mask] = slots
        return grad

    def take_grad(self) -> np.ndarray | None:
        """The grads as an array, set to zero (None if they were all zero already)."""
        if self._grad is None and not any(v.grad for v in self.views):
            return None  # a training loop's zero_grad() was called: nothing to move
        before = self.grad_array()
        if not before.any():
            return None
        self._grad = np.zeros_like(self.data)
        return before

    def in_array(self) -> None:
        """Move the grads from the Params' slots into one array (batch mode, optimisers)."""
        if self._grad is None:
            self._grad = self._slots()
            for v in self.views:
                v.__class__ = _ArrayParam

    def in_slots(self) -> None:
        """Move the grads from the array into the Params' own slots (eager mode, a loop over p.grad)."""
        grad = self._grad
        if grad is not None:
            flat = grad.ravel().tolist() if self.mask is None else grad[self.mask].tolist()
            self._grad = None
            for r, g in zip(self._views, flat):
                v = r()
                if v is not None:
                    v.__class__ = Param
                    v.grad = g


# ---- sum(p * p for p in model.parameters()): one node ----------------------------------------------

class Square(Shared):
    """p * p (or p ** 2) for a parameter p: a node like any other, whose sums make one SumOfSquares."""

    __slots__ = ()

    def __add__(self, other: Any) -> Value:
        if other.__class__ is Square:
            return _sum_of([self, other], self.data + other.data)
        if other.__class__ is SumOfSquares:
            return _sum_of([self, *other.terms], self.data + other.data)
        return Shared.__add__(self, other)

    def __radd__(self, other: Any) -> Value:
        if other.__class__ in (int, float) and other == 0:  # sum()'s start: 0 + p*p is p*p
            return _sum_of([self], self.data)
        # a Value on the left asks this subclass first: its own op, as Value.__radd__ would run it
        return Value.__add__(other if isinstance(other, Value) else Value(other), self)


class SumOfSquares(Shared):
    """p1*p1 + p2*p2 + ... over parameters: ONE node, whose backward works on the layers' arrays.

    micrograd's demo writes its L2 term as ``sum(p*p for p in model.parameters())``: 674
    nodes, one by one in backward. Here each sum of squares is a node over all its
    terms, its data summed left to right as micrograd does (the same bits), and its
    backward adds d/dp (p*p) * grad = p * grad twice (once per operand, micrograd's
    bits) into each layer's array at once. Its inputs are the parameters, each with
    local derivative 2p, as nn.l2 shows them; each term's own node gets its grad too.
    A longer sum shares its shorter one's list of terms (each node reads its first
    `_n`), so building one is one append per term.

    >>> import random, nn
    >>> random.seed(1); model = nn.MLP(2, [1])
    >>> reg = sum(p * p for p in model.parameters())
    >>> reg.op, reg.data == sum(p.data ** 2 for p in model.parameters())
    ('L2', True)
    """

    __slots__ = ("_terms", "_n")
    _terms: list[Square]
    _n: int

    @property
    def _closure(self) -> Any:  # type: ignore[override]
        """What the walks call for this node: its whole chain rule (a property: no cycle to collect)."""
        return self._backward_step

    def _backward_step(self) -> None:
        g = self.grad
        if g == 0.0:
            return
        terms = self.terms
        for sq in terms:
            sq.grad += g  # d sum / d term = 1
        n = len(terms)
        da = np.fromiter(map(_da_of, terms), float, n) * g
        db = np.fromiter(map(_db_of, terms), float, n) * g
        for block, run, at in _layout(list(map(_a_of, terms))):
            for d in (da, db):  # operand a, then b: the order micrograd adds them in
                block.add_grad(np.bincount(at, d[run], block.data.size).reshape(block.data.shape))

    @property
    def terms(self) -> list[Square]:
        """The p * p nodes summed, in order."""
        return self._terms[:self._n]

    @property
    def inputs(self) -> tuple:
        """Each term's parameter."""
        return tuple(map(_a_of, self.terms))

    @property
    def local_grads(self) -> tuple:
        """d(sum)/dp = 2p for each term's p, at the number p had then."""
        return tuple(sq._da + sq._db for sq in self.terms)

    def __add__(self, other: Any) -> Value:
        if other.__class__ is Square:
            terms = self._terms
            if len(terms) != self._n:  # another sum already grew from this one: a list of its own
                terms = terms[:self._n]
            terms.append(other)
            return _sum_of(terms, self.data + other.data)
        if other.__class__ is SumOfSquares:
            return _sum_of(self.terms + other.terms, self.data + other.data)
        return Shared.__add__(self, other)


def _square(data: float, op: str, p: Param, da: float, b: Param | None, db: float) -> Square:
    """p * p (b is p: two operands, each with local derivative p) or p ** 2 (one, with 2p)."""
    if data - data != 0.0:
        raise not_finite(op, (p,), (data, da))
    out = _new(Square)  # engine._node's fields, set here: a demo step makes 337 of these
    out.data, out.grad, out.label, out.op = data, 0.0, "", op
    out._a, out._da, out._b, out._db = p, da, b, db
    out._fold = out._closure = None
    return out


def _sum_of(terms: list[Square], total: float) -> SumOfSquares:
    if total - total != 0.0:
        raise not_finite("+", terms[-1:], (total,))
    out = _new(SumOfSquares)
    out.data, out.grad, out.label, out.op = total, 0.0, "", "L2"
    # to the walks a node with no operands: its closure is its whole chain rule
    out._a, out._da, out._b, out._db, out._fold = (), (), (), (), None
    out._terms, out._n = terms, len(terms)
    return out


def _layout(params: list[Param]) -> list[tuple[Block, slice, np.ndarray]]:
    """Where these parameters sit: (block, their run in the list, their places in its array) a block."""
    places = np.fromiter(map(_i_of, params), np.intp, len(params))
    layout, start = [], 0
    for block, group in groupby(map(_block_of, params)):  # a layer's parameters: usually all, in order
        end = start + len(list(group))
        layout.append((block, slice(start, end), places[start:end]))
        start = end
    return layout


_a_of, _da_of, _db_of, _block_of, _i_of = map(attrgetter, ("_a", "_da", "_db", "_block", "_i"))


def _view_of(v: Value) -> Param:
    """A new Param with v's label and grad (its block is set by the caller)."""
    p: Param = _new(Param)
    p.grad, p.label, p.op = v.grad, v.label, ""
    p._a = p._b = None
    p._da = p._db = 0.0
    p._fold = p._closure = None
    return p
