"""Batch mode: the same graph for B examples at once, every number an array of B (numpy).

A `Batch` is a `Value` whose data holds one number per example. Parameters stay
ordinary Values, shared by every example: an op that mixes the two broadcasts the
parameter, and `backward()` adds the parameter's gradient up over the batch. So
the model, the loss and the update read as they do for one example:

>>> import numpy as np
>>> from micrograd import Value
>>> w = Value(2.0, 'w')
>>> x = Batch([1.0, 2.0, 3.0], 'x')
>>> loss = (w * x).sum()              # w*1 + w*2 + w*3
>>> loss.backward()
>>> loss.data, w.grad                 # dloss/dw = 1 + 2 + 3
(12.0, 6.0)

Each op still records its inputs and the local derivative for each (arrays now),
and `backward()` is the same chain rule; the drives w·x+b of a layer's
neurons are one matrix product over the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from typing import Any

import numpy as np

from micrograd.engine import OPS, Value, _node, topological_order
from micrograd.fastwalk import _grad_of, interior_order

_ONE = 1.0


def _sigmoid(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e = np.exp(-np.abs(x))  # never overflows: e**-|x| <= 1
    s = np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
    return s, s * (1.0 - s)


# engine.OPS on arrays: its own functions for arithmetic, numpy's where the engine calls math
ARRAY_OPS = {name: op.fn for name, op in OPS.items()} | {
    "**": lambda a, b: (p := a ** b, b * a ** (b - 1.0), p * np.log(a)),
    "exp": lambda x: (e := np.exp(x), e),
    "log": lambda x: (np.log(x), 1.0 / x),
    "tanh": lambda x: (t := np.tanh(x), 1.0 - t * t),
    "sigmoid": _sigmoid,
    "relu": lambda x: (np.maximum(x, 0.0), (x > 0.0).astype(float)),  # x > 0 as 1.0 and 0.0
}
_ACTIVATIONS = {name: ARRAY_OPS[name] for name in ("tanh", "sigmoid", "relu")}
_add, _sub, _mul, _div, _neg = (ARRAY_OPS[name] for name in ("+", "-", "*", "/", "neg"))


class Batch(Value):
    """A Value holding one number per example: data and grad are arrays of shape (B,).

    A reduction (sum, mean) gives a Batch with a plain float, like a Value's.
    """

    __slots__ = ()
    _activations = _ACTIVATIONS  # tanh, sigmoid and relu on arrays: Value's methods use them

    def __init__(self, data: Any, label: str = "") -> None:
        array = np.array(data, dtype=float)
        if array.ndim != 1 or array.size == 0:
            raise ValueError(f"Batch needs a 1-D array of one number per example, got shape {array.shape}")
        if not np.isfinite(array).all():
            bad = array[~np.isfinite(array)][:3]
            raise ValueError(f"Batch data must be finite, got {bad} (label {label!r})")
        self.data = array
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._a = self._b = None
        self._da = self._db = 0.0
        self._fold = None

    # ---- the primitives: value and local derivatives side by side (arrays) ----------
    # _batch(data, op, a, d data/d a, b, d data/d b)

    def __add__(self, other: Any) -> Batch:
        return _binary("+", _add, self, _lift(other))

    def __radd__(self, other: Any) -> Batch:
        return _binary("+", _add, _lift(other), self)

    def __sub__(self, other: Any) -> Batch:
        return _binary("-", _sub, self, _lift(other))

    def __rsub__(self, other: Any) -> Batch:
        return _binary("-", _sub, _lift(other), self)

    def __mul__(self, other: Any) -> Batch:
        return _binary("*", _mul, self, _lift(other))

    def __rmul__(self, other: Any) -> Batch:
        return _binary("*", _mul, _lift(other), self)

    def __truediv__(self, other: Any) -> Batch:
        return _divide(self, _lift(other))

    def __rtruediv__(self, other: Any) -> Batch:
        return _divide(_lift(other), self)

    def __neg__(self) -> Batch:
        out, local = _neg(self.data)
        return _batch(out, "neg", self, local)

    def __pow__(self, other: Any) -> Batch:
        if isinstance(other, Value):
            return _power(self, other)
        k = float(other)
        a = self.data
        if np.any(a == 0.0) and k < 0.0:
            raise ZeroDivisionError(f"0.0 ** {k!r} is undefined ({self._name()}): the base must not be 0")
        if np.any(a < 0.0) and not k.is_integer():
            raise ValueError(f"a negative base ** {k!r} is not a real number ({self._name()})")
        out, local = ARRAY_OPS["**k"](a, k)
        if k == 0.0:
            local = 0.0 * a  # an array of zeros, like every other local derivative here
        return _batch(out, f"**{int(k) if k.is_integer() else k!r}", self, local)

    def __rpow__(self, other: Any) -> Batch:
        return _power(_lift(other), self)

    def exp(self) -> Batch:
        """e ** x for every example; d/dx = e ** x."""
        out, local = ARRAY_OPS["exp"](self.data)
        if not np.isfinite(out).all():
            raise OverflowError(f"exp overflows a float ({self._name()}): every input must be <= 709.78")
        return _batch(out, "exp", self, local)

    def log(self) -> Batch:
        """Natural logarithm; d/dx = 1 / x."""
        x = self.data
        if np.any(x <= 0.0):
            raise ValueError(f"log is undefined for {np.min(x)!r} ({self._name()}): the input must be > 0")
        out, local = ARRAY_OPS["log"](x)
        return _batch(out, "log", self, local)

    @classmethod
    def activate(cls, zs: Sequence[Batch], name: str) -> list[Batch]:
        """A layer's activations all at once: one array op for every neuron."""
        out, local = _ACTIVATIONS[name](np.array([z.data for z in zs]))
        return [_batch(a, name, z, d) for a, d, z in zip(out, local, zs)]

    # ---- reductions: one number for the whole batch ---------------------------------------

    def sum(self) -> Batch:
        """The sum over the examples; d/dx_k = 1 for every example k."""
        x = self.data
        return _batch(float(x.sum()), "sum", self, np.ones_like(x))

    def mean(self) -> Batch:
        """The mean over the examples: sum() * (1/B), micrograd's demo's way of writing it."""
        return self.sum() * (1.0 / self.data.size)

    # ---- the neurons' drives: one matrix product for a layer ---------------------------------

    @classmethod
    def drives(cls, rows: Sequence[Sequence[Value]], inputs: Sequence[Batch], bias: bool = True,
               activation: str | None = None, labels: Sequence[str] | None = None) -> list[Batch]:
        """micrograd.drives for a batch: every neuron's w·x (+ b) for every example, in one product.

        The inputs x_i are stacked into one node (n x B), shared by the layer; each
        drive has two operands, its weights (w1, ..., wn, b) with local derivatives
        the stacked inputs (a row of ones for b), and the stacked inputs with local derivatives w.
        With `activation`, the layer's activations of them (one array op); `labels` name the drives.
        """
        xs = tuple(inputs)
        rows = list(map(tuple, rows))
        n, m = len(xs), len(xs) + bias
        try:  # one number per weight: a weight that holds a batch, or no Value at all, fails here
            W = np.array([p.data for row in rows for p in row], dtype=float)
        except (AttributeError, TypeError, ValueError):
            W = None
        if (W is None or W.shape != (len(rows) * m,) or set(map(len, rows)) - {m}
                or not all(map(isinstance, xs, repeat(Batch)))):
            raise TypeError("a batch drive needs scalar Value weights (shared by every example), "
                            f"{n} per neuron{' and a bias' if bias else ''}, and Batch inputs: "
                            "wrap the data with micrograd.batch.columns(X)")
        W = W.reshape(len(rows), m)
        X = np.array([x.data for x in xs])
        stacked = _batch(X, "rows", xs, None)
        if bias:  # the bias is a weight on an input that is 1 for every example
            X = np.vstack([X, np.ones(X.shape[1])])
        op = "w·x+b" if bias else "w·x"
        zs = [_batch(z, op, row, X, stacked, w[:n]) for row, z, w in zip(rows, W @ X, W)]
        for z, label in zip(zs, labels or ()):
            z.label = label
        return zs if activation is None else cls.activate(zs, activation)

    # ---- the chain rule over the batch ---------------------------------------------------------

    def backward(self, grad: float = 1.0) -> None:
        """Back-propagate through the batch graph; a shared Value's grad is summed over the examples.

        From an array root the seed is `grad` for every example (the gradient of
        the sum). Grads accumulate, as for Values: zero them first.
        """
        leaves: list[Value] = []
        order = interior_order(self, leaves)
        order.reverse()  # the nodes with inputs, each before its inputs
        # this pass's contributions are computed from zero, then the grads from before are added on
        # (a training loop's fresh nodes have none, so they are only looked through when one has)
        earlier = [(v, v.grad) for v in (order + leaves if _carry(order) else leaves)
                   if type(v.grad) is not float or v.grad != 0.0]
        for v, _ in earlier:
            v.grad = 0.0
        self.grad = float(grad) if not isinstance(self.data, np.ndarray) else np.full_like(self.data, grad)
        waiting: dict[Value, list] = {}  # rows node -> (w, g) of each drive on it, for one product
        for out in order:
            g, a = out.grad, out._a
            if type(out) is Value:  # a plain scalar op (an L2 term): the engine's rule, on floats
                if g == 0.0:
                    continue
                if a.__class__ is tuple:
                    _scalar_drive_backward(out, g)
                else:
                    a.grad += out._da * g
                    if out._b is not None:
                        out._b.grad += out._db * g
            elif out.op == "rows":  # every drive on these inputs is done: d/dx_i = sum over drives of w_i g
                drives = waiting.pop(out, None)
                if drives:
                    _accumulate(out, np.array([w for w, _ in drives]).T @ np.array([g for _, g in drives]))
                for x, row in zip(a, out.grad if type(out.grad) is not float else ()):
                    x.grad = x.grad + row  # d rows / d x_i is 1 on row i: row i of the grad is x_i's
            elif type(g) is float and g == 0.0:  # nothing flows back
                continue
            elif a.__class__ is tuple:  # a drive: every dz/dw_i (and dz/db) from one product, X @ g
                for weight, d in zip(a, (out._da @ g).tolist()):
                    weight.grad += d
                waiting.setdefault(out._b, []).append((out._db, g))
            else:
                _accumulate(a, out._da * g)
                if out._b is not None:
                    _accumulate(out._b, out._db * g)
        for v, before in earlier:
            v.grad = v.grad + before

    def zero_grad(self) -> None:
        """Set grad to 0.0 on self and every node it was computed from."""
        for v in topological_order(self):
            v.grad = 0.0

    # ---- looking at a Batch node ----------------------------------------------------------------

    @property
    def inputs(self) -> tuple:
        """As for a Value; a drive's are (w1, ..., wn, rows, b), where rows stacks the layer's inputs."""
        a = self._a
        if a.__class__ is tuple and self.op != "rows":
            n = len(self._db)
            return (*a[:n], self._b, *a[n:])
        return a if self.op == "rows" else super().inputs

    @property
    def local_grads(self) -> tuple:
        """As for a Value; a drive's are (x1, ..., xn, w, 1): a row of inputs per weight."""
        a = self._a
        if self.op == "rows":
            return (_ONE,) * len(a)
        if a.__class__ is tuple:
            n = len(self._db)
            return (*self._da[:n], self._db[:, None], *(_ONE,) * (len(a) - n))
        return super().local_grads

    def __len__(self) -> int:
        """The number of examples."""
        return self.data.shape[-1] if isinstance(self.data, np.ndarray) else 1

    def __repr__(self) -> str:
        if not isinstance(self.data, np.ndarray):
            return f"Batch(data={self.data:.6g}, grad={np.sum(self.grad):.6g}, op={self.op!r})"
        extra = f", label={self.label!r}" if self.label else f", op={self.op!r}" if self.op else ""
        return f"Batch(B={self.data.shape[-1]}, data=[{self.data.flat[0]:.6g}, ...]{extra})"


def _batch(data: Any, op: str, a: Any, da: Any, b: Any = None, db: Any = 0.0) -> Batch:
    return _node(data, op, a, da, b, db, Batch)  # type: ignore[return-value]


def _binary(op: str, f: Any, a: Value, b: Value) -> Batch:
    """The Batch node of a binary op from the table: f(a, b) -> (value, d/da, d/db)."""
    out, da, db = f(a.data, b.data)
    return _batch(out, op, a, da, b, db)


def columns(X: Any, label: str = "x") -> list[Batch]:
    """The columns of an (examples x features) array as Batch inputs x1, x2, ... for a model."""
    array = np.asarray(X, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"columns needs a 2-D array (examples x features), got shape {array.shape}")
    return [Batch(array[:, i], f"{label}{i + 1}") for i in range(array.shape[1])]


def _scalar_drive_backward(out: Value, g: float) -> None:
    """The engine's chain rule for a scalar drive (see Value.backward): d/dw_i = x_i, d/dx_i = w_i."""
    if out._fold is not None:  # an activation with its drive folded in: first d a/d z
        g = out._fold[1] * g
    for w, x in zip(out._a, out._da):
        w.grad += x * g
    for x, w in zip(out._b, out._db):
        x.grad += w * g


def _carry(nodes: list[Value]) -> bool:
    """Whether any of these nodes has a grad already (backward() called again on the same graph)."""
    try:
        return any(map(_grad_of, nodes))
    except ValueError:  # an array's truth is ambiguous: an array grad is there, so something to carry
        return True


def _accumulate(node: Value, contribution: Any) -> None:
    """node.grad += contribution; a shared scalar (a parameter) takes the sum over the examples."""
    if isinstance(contribution, np.ndarray) and not isinstance(node.data, np.ndarray):
        node.grad += float(contribution.sum())
    elif type(node.grad) is float and node.grad == 0.0:
        node.grad = contribution  # a fresh array (local * g): it can be kept as it is
    else:
        node.grad = node.grad + contribution  # a new array: never write into one that is shared


def _divide(a: Value, b: Value) -> Batch:
    if np.any(np.asarray(b.data) == 0.0):
        raise ZeroDivisionError(f"division by zero: the divisor {b._name()} is 0.0 for some example")
    return _binary("/", _div, a, b)


def _power(a: Value, b: Value) -> Batch:
    if np.any(np.asarray(a.data) <= 0.0):
        raise ValueError(f"** with a Value exponent needs a base > 0 ({a._name()})")
    return _binary("**", ARRAY_OPS["**"], a, b)


def _lift(x: Any) -> Value:
    """A Batch or Value as it is; an array of per-example numbers as a Batch; a number as a Value."""
    if isinstance(x, Value):
        return x
    if isinstance(x, np.ndarray) and x.ndim == 1:
        return Batch(x)
    return Value(x)
