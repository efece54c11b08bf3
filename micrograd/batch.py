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
and `backward()` is the same chain rule; a neuron's drive w·x+b is one
matrix-vector product over the batch, forward and backward.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from itertools import repeat
from typing import Any

import numpy as np

from micrograd.engine import Value, topological_order

_ONE = 1.0


class Batch(Value):
    """A Value holding one number per example: data and grad are arrays of shape (B,).

    A reduction (sum, mean) gives a Batch with a plain float, like a Value's.
    """

    __slots__ = ("__weakref__",)  # a layer's stacked inputs are cached by weak reference

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
        self.inputs = ()
        self.local_grads = ()

    @classmethod
    def _result(cls, data: Any, op: str, inputs: tuple, local_grads: tuple) -> Batch:
        out = cls.__new__(cls)
        out.data = data
        out.grad = 0.0
        out.label = ""
        out.op = op
        out.inputs = inputs
        out.local_grads = local_grads
        return out

    # ---- the primitives: value and local derivatives side by side (arrays) ----------

    def __add__(self, other: Any) -> Batch:
        other = _lift(other)
        return Batch._result(self.data + other.data, "+", (self, other), (_ONE, _ONE))

    def __radd__(self, other: Any) -> Batch:
        other = _lift(other)
        return Batch._result(other.data + self.data, "+", (other, self), (_ONE, _ONE))

    def __sub__(self, other: Any) -> Batch:
        other = _lift(other)
        return Batch._result(self.data - other.data, "-", (self, other), (_ONE, -1.0))

    def __rsub__(self, other: Any) -> Batch:
        other = _lift(other)
        return Batch._result(other.data - self.data, "-", (other, self), (_ONE, -1.0))

    def __mul__(self, other: Any) -> Batch:
        other = _lift(other)
        return Batch._result(self.data * other.data, "*", (self, other), (other.data, self.data))

    def __rmul__(self, other: Any) -> Batch:
        other = _lift(other)
        return Batch._result(other.data * self.data, "*", (other, self), (self.data, other.data))

    def __truediv__(self, other: Any) -> Batch:
        return _divide(self, _lift(other))

    def __rtruediv__(self, other: Any) -> Batch:
        return _divide(_lift(other), self)

    def __neg__(self) -> Batch:
        return Batch._result(-self.data, "neg", (self,), (-1.0,))

    def __pow__(self, other: Any) -> Batch:
        if isinstance(other, Value):
            return _power(self, other)
        k = float(other)
        a = self.data
        if np.any(a == 0.0) and k < 0.0:
            raise ZeroDivisionError(f"0.0 ** {k!r} is undefined ({self._name()}): the base must not be 0")
        if np.any(a < 0.0) and not k.is_integer():
            raise ValueError(f"a negative base ** {k!r} is not a real number ({self._name()})")
        local = k * a ** (k - 1.0) if k != 0.0 else 0.0 * a
        return Batch._result(a ** k, f"**{int(k) if k.is_integer() else k!r}", (self,), (local,))

    def __rpow__(self, other: Any) -> Batch:
        return _power(_lift(other), self)

    def exp(self) -> Batch:
        """e ** x for every example; d/dx = e ** x."""
        out = np.exp(self.data)
        if not np.isfinite(out).all():
            raise OverflowError(f"exp overflows a float ({self._name()}): every input must be <= 709.78")
        return Batch._result(out, "exp", (self,), (out,))

    def log(self) -> Batch:
        """Natural logarithm; d/dx = 1 / x."""
        x = self.data
        if np.any(x <= 0.0):
            raise ValueError(f"log is undefined for {np.min(x)!r} ({self._name()}): the input must be > 0")
        return Batch._result(np.log(x), "log", (self,), (1.0 / x,))

    def tanh(self) -> Batch:
        """Hyperbolic tangent; d/dx = 1 - tanh(x)**2."""
        t = np.tanh(self.data)
        return Batch._result(t, "tanh", (self,), (1.0 - t * t,))

    def sigmoid(self) -> Batch:
        """Logistic function; d/dx = s (1 - s)."""
        x = self.data
        e = np.exp(-np.abs(x))  # never overflows: e**-|x| <= 1
        s = np.where(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
        return Batch._result(s, "sigmoid", (self,), (s * (1.0 - s),))

    def relu(self) -> Batch:
        """max(0, x) for every example; d/dx = 1 where x > 0, else 0."""
        x = self.data  # heaviside(x, 0) is 1 where x > 0 and 0 elsewhere: the local derivative
        return Batch._result(np.maximum(x, 0.0), "relu", (self,), (np.heaviside(x, 0.0),))

    # ---- reductions: one number for the whole batch ---------------------------------------

    def sum(self) -> Batch:
        """The sum over the examples; d/dx_k = 1 for every example k."""
        x = self.data
        return Batch._result(float(_sum(x)), "sum", (self,), (np.ones_like(x),))

    def mean(self) -> Batch:
        """The mean over the examples: sum() * (1/B), micrograd's demo's way of writing it."""
        return self.sum() * (1.0 / self.data.size)

    # ---- the neuron's drive: one matrix-vector product ---------------------------------------

    @classmethod
    def dot(cls, weights: Sequence[Value], inputs: Sequence[Batch], bias: Value | None = None) -> Batch:
        """w1*x1 + ... + wn*xn (+ b) for every example: micrograd.dot's batch form, one node.

        The x_i are first stacked into one node `rows` (n x B), shared by every
        neuron of a layer; the drive's inputs are (w1, ..., wn, rows, b) with local
        derivatives (x_1, ..., x_n, w, 1): every dz/dw_i comes from one product.
        """
        try:  # one number per weight: a weight that holds a batch, or no Value at all, fails here
            w = np.array([p.data for p in weights], dtype=float)
        except (AttributeError, TypeError, ValueError):
            w = None
        if w is None or w.ndim != 1 or not all(map(isinstance, inputs, repeat(Batch))):
            raise TypeError("a batch drive needs scalar Value weights (shared by every example) and "
                            "Batch inputs: wrap the data with micrograd.batch.columns(X)")
        rows, each_row = _stacked(inputs)
        z = w @ rows.data
        if bias is None:
            return cls._result(z, "w·x", (*weights, rows), each_row + (w[:, None],))
        z += bias.data
        return cls._result(z, "w·x+b", (*weights, rows, bias), each_row + (w[:, None], _ONE))

    # ---- the chain rule over the batch ---------------------------------------------------------

    def backward(self, grad: float = 1.0) -> None:
        """Back-propagate through the batch graph; a shared Value's grad is summed over the examples.

        From an array root the seed is `grad` for every example (the gradient of
        the sum). Grads accumulate, as for Values: zero them first.
        """
        order = topological_order(self)
        # this pass's contributions are computed from zero, then the grads from before are added on
        earlier = [(v, v.grad) for v in order if type(v.grad) is not float or v.grad != 0.0]
        for v, _ in earlier:
            v.grad = 0.0
        self.grad = float(grad) if not isinstance(self.data, np.ndarray) else np.full_like(self.data, grad)
        for out in reversed(order):
            g = out.grad
            if not out.inputs or (type(g) is float and g == 0.0):  # a leaf, or nothing flows back
                continue
            if type(out) is Value:  # a plain scalar op (an L2 term): the engine's rule, on floats
                for node, local in zip(out.inputs, out.local_grads):
                    node.grad += local * g
            elif out.op in _DRIVES:
                _drive_backward(out, g)
            elif out.op == "rows":  # d rows / d x_i is 1 on row i: row i of the grad is x_i's
                for x, row in zip(out.inputs, g):
                    x.grad = x.grad + row
            else:
                for node, local in zip(out.inputs, out.local_grads):
                    _accumulate(node, local * g)
        for v, before in earlier:
            v.grad = v.grad + before

    def zero_grad(self) -> None:
        """Set grad to 0.0 on self and every node it was computed from."""
        for v in topological_order(self):
            v.grad = 0.0

    def __len__(self) -> int:
        """The number of examples."""
        return self.data.size if isinstance(self.data, np.ndarray) else 1

    def __repr__(self) -> str:
        if not isinstance(self.data, np.ndarray):
            return f"Batch(data={self.data:.6g}, grad={_sum(self.grad):.6g}, op={self.op!r})"
        extra = f", label={self.label!r}" if self.label else f", op={self.op!r}" if self.op else ""
        return f"Batch(B={self.data.size}, data=[{self.data[0]:.6g}, ...]{extra})"


def columns(X: Any, label: str = "x") -> list[Batch]:
    """The columns of an (examples x features) array as Batch inputs x1, x2, ... for a model."""
    array = np.asarray(X, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"columns needs a 2-D array (examples x features), got shape {array.shape}")
    return [Batch(array[:, i], f"{label}{i + 1}") for i in range(array.shape[1])]


def _accumulate(node: Value, contribution: Any) -> None:
    """node.grad += contribution; a shared scalar (a parameter) takes the sum over the examples."""
    if isinstance(contribution, np.ndarray) and not isinstance(node.data, np.ndarray):
        node.grad += float(_sum(contribution))
    elif type(node.grad) is float and node.grad == 0.0:
        node.grad = contribution  # a fresh array (local * g): it can be kept as it is
    else:
        node.grad = node.grad + contribution  # a new array: never write into one that is shared


def _drive_backward(out: Batch, g: np.ndarray) -> None:
    """The chain rule through z = w·rows + b: dz/dw_i = x_i (summed over examples), dz/drows = w, dz/db = 1.

    Every dz/dw_i comes from one matrix-vector product, rows @ g.
    """
    nodes = out.inputs
    n = len(nodes) - (2 if out.op == "w·x+b" else 1)  # inputs: n weights, the rows, the bias
    rows, w = nodes[n], out.local_grads[n]
    for weight, d in zip(nodes[:n], (rows.data @ g).tolist()):  # all n sums of x_i * g in one product
        weight.grad += d
    if type(rows.grad) is float:  # the first neuron to reach the rows: (n, 1) * (B,) is w_i * g for each i
        rows.grad = w * g
    else:
        rows.grad += w * g  # an array this pass made: adding in place is safe
    if len(nodes) > n + 1:
        nodes[-1].grad += float(_sum(g))


_DRIVES = ("w·x+b", "w·x")
_last_rows: list = [lambda: None, ()]  # a weak reference to the last rows node, and its rows


def _stacked(inputs: Sequence[Batch]) -> tuple[Batch, tuple]:
    """The inputs as one node of n rows (n x B), and its rows; a layer's neurons share them.

    d rows / d x_i is 1 on row i: backward hands row i of its grad to x_i. The
    cache holds weak references only, so it never keeps a dropped graph alive.
    """
    last, each_row = _last_rows
    node = last()
    inputs = tuple(inputs)
    if node is not None and node.inputs == inputs:  # the very same input nodes (Values compare by identity)
        return node, each_row
    node = Batch._result(np.array([x.data for x in inputs]), "rows", inputs, ())
    each_row = tuple(node.data)
    _last_rows[:] = [weakref.ref(node), each_row]
    return node, each_row


def _sum(a: Any) -> Any:
    """a.sum(): numpy's method, without np.sum's Python-level dispatch (this is the hot path)."""
    return a.sum()


def _divide(a: Value, b: Value) -> Batch:
    if np.any(np.asarray(b.data) == 0.0):
        raise ZeroDivisionError(f"division by zero: the divisor {b._name()} is 0.0 for some example")
    return Batch._result(a.data / b.data, "/", (a, b), (1.0 / b.data, -a.data / (b.data * b.data)))


def _power(a: Value, b: Value) -> Batch:
    if np.any(np.asarray(a.data) <= 0.0):
        raise ValueError(f"** with a Value exponent needs a base > 0 ({a._name()})")
    out = a.data ** b.data
    return Batch._result(out, "**", (a, b), (b.data * a.data ** (b.data - 1.0), out * np.log(a.data)))


def _lift(x: Any) -> Value:
    """A Batch or Value as it is; an array of per-example numbers as a Batch; a number as a Value."""
    if isinstance(x, Value):
        return x
    if isinstance(x, np.ndarray) and x.ndim == 1:
        return Batch(x)
    return Value(x)
