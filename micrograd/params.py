"""A layer's parameters as one array, each entry still a Value: the matrix form under the scalar views.

Row j of a `Block` is neuron j's (w1, ..., wn, b), the documents' W with the bias
as the weight of a constant input 1. Each entry is a `Param`, a Value whose `data`
is that array entry, so `p.data`, `p.grad`, drawings, save/load and optimisers see
the Values they always did, while batch mode multiplies the whole array at once
(Z = W X + b) and an optimiser updates it at once.

The numbers themselves live in a Python list (`Block._flat`), the array being made
from it when it is next asked for after a write: a loop over `p.data` reads and
writes list items, a third of the cost of array items, and an array once given out
is never written into, so a node that holds one keeps the numbers it was made with.

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

import numbers
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
    _i: int  # the same, counted along the flattened array: its place in the block's list

    def _get_data(self) -> float:
        try:
            return self._block._flat[self._i]  # type: ignore[index]
        except TypeError:  # no list: an optimiser set the array, and no Param has read it since
            return self._block.flat()[self._i]

    def _set_data(self, number: Any) -> None:
        if number.__class__ is not float:
            number = _real(number)
        block = self._block
        try:
            block._flat[self._i] = number  # type: ignore[index]
        except TypeError:
            block.flat()[self._i] = number
        block._array = None  # rebuilt when next asked for; whoever holds the old one keeps its numbers
        block.version += 1

    data = property(_get_data, _set_data, doc="The number: an entry of the layer's array.")

    def __mul__(self, other: Any) -> Value:
        if other is self:  # p * p, a term of an L2 penalty as micrograd's demo writes it
            try:  # _get_data, written out: a demo step squares 337 parameters
                d = self._block._flat[self._i]
            except TypeError:
                d = self._get_data()
            square = d * d
            if square - square != 0.0:
                raise not_finite("*", (self, self), (square, d, d))
            # engine._node's fields that differ between squares, one statement each (five targets in
            # one statement build a tuple first: a tenth of the cost of sum(p * p for p in ...))
            out = _new(Square)
            out.data = square
            out.grad = 0.0
            out.label = ""
            out._a = self
            out._da = d
            return out
        return Shared.__mul__(self, other)

    def __pow__(self, other: Any) -> Value:
        if other.__class__ in (int, float) and other == 2:  # p ** 2: the same, as others write it
            d = self._get_data()
            square = d * d
            if square - square != 0.0:
                raise not_finite("**2", (self,), (square, 2.0 * d))
            out = _new(Power2)
            out.data = square
            out.grad = 0.0
            out.label = ""
            out._a = self
            out._da = 2.0 * d
            return out
        return Shared.__pow__(self, other)


class _ArrayParam(Param):
    """A Param while its block keeps the grads in one array: its grad is read and written there."""

    __slots__ = ()

    def _get_grad(self) -> Any:
        try:
            return self._block._gflat[self._i]  # type: ignore[index]
        except TypeError:  # the array changed since the list was made
            return self._block.grad_list()[self._i]

    def _set_grad(self, g: Any) -> None:
        block = self._block
        block._grad[self._at] = g  # type: ignore[index]
        block._gflat = None

    grad = property(_get_grad, _set_grad, doc="d(loss)/d(this parameter).")


def _real(x: Any) -> float:
    """A number given to a parameter as a float (inf and nan too: a diverged model is saved as one)."""
    if isinstance(x, numbers.Real) and not isinstance(x, bool) or isinstance(x, np.ndarray) and x.ndim == 0:
        return float(x)
    raise TypeError(f"a parameter's data must be a real number, got {type(x).__name__}: {x!r}")


class Block:
    """The numbers of a layer's parameters as one array (row j: neuron j's weights, then its bias),
    kept as a flat list that the Params read and write (the module's docstring says why)."""

    __slots__ = ("_array", "_flat", "shape", "size", "_views", "mask", "version", "_grad", "_gflat",
                 "_numbers", "_numbers_version")
    _array: np.ndarray | None  # None after a write, until the array is next asked for
    _flat: list[float] | None  # None after an optimiser's update(), until a Param next reads it

    def __init__(self, data: np.ndarray, mask: np.ndarray | None) -> None:
        self.shape: tuple[int, ...] = data.shape
        self.size = data.size
        self.mask = mask  # None for a dense layer, else True where a connection (and so a Param) is
        self._views: list[weakref.ref] = []  # row by row, as parameters() lists them
        self.version = 0  # counts writes to the numbers
        self._grad: np.ndarray | None = None  # the grads, when they live in the array (batch mode)
        self._gflat: list[float] | None = None  # the same as a list, made at the first Param's read
        self._numbers: list[tuple[float, ...]] = []
        self._numbers_version = -1
        self._take(np.array(data, dtype=float))

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

    @property
    def data(self) -> np.ndarray:
        """The numbers as an array (read-only: a Param's `data`, or update(), sets them)."""
        array = self._array
        if array is None:
            flat: list[float] = self._flat  # type: ignore[assignment]  # when the array is not, the list is
            array = self._array = np.fromiter(flat, float, self.size).reshape(self.shape)
            array.flags.writeable = False
        return array

    def update(self, data: np.ndarray) -> None:
        """Set every number at once (an optimiser's step), keeping a masked layer's zeros.

        The array is taken over, not copied: it is made read-only.
        """
        if data.shape != self.shape:
            raise ValueError(f"a block of shape {self.shape} cannot take numbers of shape {data.shape}")
        self._take(np.asarray(data, dtype=float) if self.mask is None else np.where(self.mask, data, 0.0))
        self.version += 1

    def _take(self, array: np.ndarray) -> None:
        """This array as the numbers; the list is made when a Param next reads them."""
        array.flags.writeable = False
        self._array, self._flat = array, None

    def flat(self) -> list[float]:
        """The numbers as a flat Python list (row by row), what the Params read and write."""
        if self._flat is None:
            self._flat = self._array.ravel().tolist()  # type: ignore[union-attr]
        return self._flat

    def numbers(self) -> list[tuple[float, ...]]:
        """Each row's numbers as Python floats, read from the list only when they changed."""
        if self._numbers_version != self.version:
            flat, m = self._flat, self.shape[1]
            rows = self.data.tolist() if flat is None else [flat[k:k + m] for k in range(0, len(flat), m)]
            self._numbers = list(map(tuple, rows))
            self._numbers_version = self.version
        return self._numbers

    # ---- the grads --------------------------------------------------------------------------------

    def grad_array(self) -> np.ndarray:
        """Every parameter's grad in one array (0.0 where a masked layer has no connection)."""
        self.in_array()
        return self._grad  # type: ignore[return-value]

    def grad_list(self) -> list[float]:
        """The grads in the array as a flat list, what each Param's grad reads (made once per change)."""
        if self._gflat is None:
            self._gflat = self._grad.ravel().tolist()  # type: ignore[union-attr]
        return self._gflat

    def _set_grad_array(self, grad: np.ndarray | None) -> None:
        self._grad, self._gflat = grad, None

    def add_grad(self, g: np.ndarray) -> None:
        """Add g (the shape of data) to the grads, where they are."""
        if self.mask is not None:
            g = np.where(self.mask, g, 0.0)
        if self._grad is not None:
            self._set_grad_array(self._grad + g)
        else:
            flat = g.ravel().tolist() if self.mask is None else g[self.mask].tolist()
            for r, d in zip(self._views, flat):
                v = r()
                if v is not None:
                    v.grad += d

    def zero_grad(self) -> None:
        """Every grad 0.0."""
        if self._grad is not None:
            self._set_grad_array(np.zeros(self.shape))
        else:
            for v in self.views:
                v.grad = 0.0

    def grads(self) -> np.ndarray:
        """The grads as an array, wherever they live (not moving them)."""
        if self._grad is not None:
            return self._grad
        return self._slots()

    def _slots(self) -> np.ndarray:
        grad = np.zeros(self.shape)
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
        self._set_grad_array(np.zeros(self.shape))
        return before

    def in_array(self) -> None:
        """Move the grads from the Params' slots into one array (batch mode, optimisers)."""
        if self._grad is None:
            self._set_grad_array(self._slots())
            for v in self.views:
                v.__class__ = _ArrayParam

    def in_slots(self) -> None:
        """Move the grads from the array into the Params' own slots (eager mode, a loop over p.grad)."""
        grad = self._grad
        if grad is not None:
            flat = grad.ravel().tolist() if self.mask is None else grad[self.mask].tolist()
            self._set_grad_array(None)
            for r, g in zip(self._views, flat):
                v = r()
                if v is not None:
                    v.__class__ = Param
                    v.grad = g


# ---- sum(p * p for p in model.parameters()): one node ----------------------------------------------

class Square(Shared):
    """p * p for a parameter p: a node like any other, whose sums make one SumOfSquares.

    A demo step makes 337 of these, so what is the same for every square is a class
    attribute: both operands are p, each with local derivative p.
    """

    __slots__ = ()
    op = "*"
    _fold = _closure = None
    _b = property(attrgetter("_a"), doc="The second operand: p again.")
    _db = property(attrgetter("_da"), doc="d(p * p)/d(second operand) = p, as for the first.")

    def __add__(self, other: Any) -> Value:
        if other.__class__ in _SQUARES:
            return _sum_of([self, other], self.data + other.data)
        if other.__class__ is SumOfSquares:
            return _sum_of([self, *other.terms], self.data + other.data)
        return Shared.__add__(self, other)

    def __radd__(self, other: Any) -> Value:
        if other.__class__ in (int, float) and other == 0:  # sum()'s start: 0 + p*p is p*p
            return _sum_of([self], self.data)
        # a Value on the left asks this subclass first: its own op, as Value.__radd__ would run it
        return Value.__add__(other if isinstance(other, Value) else Value(other), self)


class Power2(Square):
    """p ** 2: one operand, with local derivative 2p."""

    __slots__ = ()
    op = "**2"
    _b, _db = None, 0.0


_SQUARES = (Square, Power2)


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
    op = "L2"
    # to the walks a node with no operands: its closure is its whole chain rule
    _a = _da = _b = _db = ()
    _fold = None

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
        # list comprehensions: they read a slot in a third of the instructions map(attrgetter) takes
        da = np.fromiter([sq._da for sq in terms], float, len(terms)) * g
        kinds = [sq.__class__ for sq in terms]
        # operand b is p again, with local derivative p, in p * p; p ** 2 has none (its da is 2p)
        db = da if Power2 not in kinds else np.where([k is Square for k in kinds], da, 0.0)
        for block, run, at in _layout([sq._a for sq in terms]):
            for d in (da, db):  # operand a, then b: the order micrograd adds them in
                part = d[run]
                block.add_grad(part.reshape(block.shape) if at is None
                               else np.bincount(at, part, block.size).reshape(block.shape))

    @property
    def terms(self) -> list[Square]:
        """The p * p nodes summed, in order."""
        return self._terms[:self._n]

    @property
    def inputs(self) -> tuple:
        """Each term's parameter."""
        return tuple(sq._a for sq in self.terms)

    @property
    def local_grads(self) -> tuple:
        """d(sum)/dp = 2p for each term's p, at the number p had then."""
        return tuple(sq._da + sq._db for sq in self.terms)

    def __add__(self, other: Any) -> Value:
        if other.__class__ in _SQUARES:
            terms, n = self._terms, self._n
            if len(terms) != n:  # another sum already grew from this one: a list of its own
                terms = terms[:n]
            terms.append(other)
            total = self.data + other.data
            if total - total != 0.0:
                raise not_finite("+", (other,), (total,))
            out = _new(SumOfSquares)  # _sum_of, written out: a demo step makes 337 of these
            out.data = total
            out.grad = 0.0
            out.label = ""
            out._terms = terms
            out._n = n + 1
            return out
        if other.__class__ is SumOfSquares:
            return _sum_of(self.terms + other.terms, self.data + other.data)
        return Shared.__add__(self, other)


def _sum_of(terms: list[Square], total: float) -> SumOfSquares:
    if total - total != 0.0:
        raise not_finite("+", terms[-1:], (total,))
    out = _new(SumOfSquares)
    out.data, out.grad, out.label, out._terms, out._n = total, 0.0, "", terms, len(terms)
    return out


def _layout(params: list[Param]) -> list[tuple[Block, slice, np.ndarray | None]]:
    """Where these parameters sit, a block at a time: (block, their run in the list, their places
    in its array, or None when they are the whole block in order, as model.parameters() lists it)."""
    places = [p._i for p in params]
    layout, start = [], 0
    for block, group in groupby([p._block for p in params]):  # a layer's parameters: usually all, in order
        end = start + len(list(group))
        at = places[start:end]
        whole = block.mask is None and at == list(range(block.size))
        layout.append((block, slice(start, end), None if whole else np.array(at, dtype=np.intp)))
        start = end
    return layout


def _view_of(v: Value) -> Param:
    """A new Param with v's label and grad (its block is set by the caller)."""
    p: Param = _new(Param)
    p.grad, p.label, p.op = v.grad, v.label, ""
    p._a = p._b = None
    p._da = p._db = 0.0
    p._fold = p._closure = None
    return p
