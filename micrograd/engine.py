"""The engine: a scalar `Value` that remembers how it was made, and `backward()`.

Every op computes its output and, in the same line, the local derivative of the
output with respect to each input (d out / d input). `backward()` is then the
chain rule and nothing else: visit the graph in reverse topological order and,
along every edge, add ``local * out.grad`` to the input's grad.

Nothing here points from an input to its output, and no op keeps a closure, so
a graph holds no reference cycles: dropping the last reference to the root
frees the whole graph at once, without the cycle collector.

>>> x = Value(2.0, label='x')
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad   # dy/dx = 2x + 3
7.0
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Iterable, Sequence

Number = float | int

_NO_INPUTS: tuple = ()
_ADD_LOCALS = (1.0, 1.0)   # d(a+b)/da, d(a+b)/db
_SUB_LOCALS = (1.0, -1.0)  # d(a-b)/da, d(a-b)/db
_NEG_LOCALS = (-1.0,)
_EXP_LIMIT = 709.782712893384  # math.exp overflows a float above this


class Value:
    """One number in a computation graph: its data, its grad, and how it was made.

    ``inputs`` are the Values it was computed from, in order; ``local_grads``
    holds d(self)/d(input) for each of them, fixed when ``data`` was computed.
    """

    __slots__ = ("data", "grad", "label", "op", "inputs", "local_grads")
    __array_ufunc__ = None  # numpy scalars defer to our reflected operators

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.inputs = _NO_INPUTS
        self.local_grads = _NO_INPUTS

    @classmethod
    def _result(cls, data: float, op: str, inputs: tuple, local_grads: tuple) -> Value:
        """A new node made by `op` from `inputs`, with d(out)/d(input) for each."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = 0.0
        out.label = ""
        out.op = op
        out.inputs = inputs
        out.local_grads = local_grads
        return out

    # ---- the primitives: value and local derivatives side by side --------------------

    def __add__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data + other.data, "+", (self, other), _ADD_LOCALS)

    def __sub__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data - other.data, "-", (self, other), _SUB_LOCALS)

    def __mul__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data * other.data, "*", (self, other), (other.data, self.data))

    def __truediv__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(
                f"division by zero: the divisor {other._name()} is 0.0 (dividend {a!r})"
            )
        return Value._result(a / b, "/", (self, other), (1.0 / b, -a / (b * b)))

    def __neg__(self) -> Value:
        return Value._result(-self.data, "neg", (self,), _NEG_LOCALS)

    def __pow__(self, other: Value | Number) -> Value:
        a = self.data
        if isinstance(other, Value):  # a ** b with both in the graph: d/db = a**b ln a
            b = other.data
            if a <= 0.0:
                raise ValueError(
                    f"** with a Value exponent needs a base > 0, got {a!r} ({self._name()}): "
                    "use a number exponent for a negative base"
                )
            out = _checked_pow(a, b, self)
            return Value._result(out, "**", (self, other), (b * a ** (b - 1.0), out * math.log(a)))
        k = _as_float(other, "exponent")
        if a == 0.0 and k < 0.0:
            raise ZeroDivisionError(f"0.0 ** {k!r} is undefined ({self._name()}): the base must not be 0")
        if a < 0.0 and not k.is_integer():
            raise ValueError(
                f"{a!r} ** {k!r} is not a real number ({self._name()}): "
                "a negative base needs a whole-number exponent"
            )
        out = _checked_pow(a, k, self)
        local = k * a ** (k - 1.0) if k != 0.0 else 0.0
        return Value._result(out, f"**{_short(k)}", (self,), (local,))

    def exp(self) -> Value:
        """e ** self; d/dx = e ** x."""
        x = self.data
        if x > _EXP_LIMIT:
            raise OverflowError(
                f"exp overflows a float for {x!r} ({self._name()}): the input must be <= 709.78"
            )
        out = math.exp(x)
        return Value._result(out, "exp", (self,), (out,))

    def log(self) -> Value:
        """Natural logarithm; d/dx = 1 / x."""
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log is undefined for {x!r} ({self._name()}): the input must be > 0")
        return Value._result(math.log(x), "log", (self,), (1.0 / x,))

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx = 1 - tanh(x)**2."""
        t = math.tanh(self.data)
        return Value._result(t, "tanh", (self,), (1.0 - t * t,))

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e**-x); d/dx = s (1 - s)."""
        x = self.data
        if x >= 0.0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:  # e**x / (1 + e**x) never overflows for x < 0
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value._result(s, "sigmoid", (self,), (s * (1.0 - s),))

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 where x > 0, else 0."""
        x = self.data
        if x > 0.0:
            return Value._result(x, "relu", (self,), (1.0,))
        return Value._result(0.0, "relu", (self,), (0.0,))

    # ---- reflected forms: a number on the left (a Value there handles the op itself) ---

    def __radd__(self, other: Number) -> Value:
        return Value(other) + self

    def __rsub__(self, other: Number) -> Value:
        return Value(other) - self

    def __rmul__(self, other: Number) -> Value:
        return Value(other) * self

    def __rtruediv__(self, other: Number) -> Value:
        return Value(other) / self

    def __rpow__(self, other: Number) -> Value:
        return Value(other) ** self

    # ---- the chain rule -----------------------------------------------------------------

    def backward(self, grad: Number = 1.0) -> None:
        """Add d(self)/d(node) * grad to the grad of every node that self depends on.

        The seed `grad` is 1.0 unless given. Gradients accumulate: calling
        backward() twice doubles every grad, as in PyTorch, so clear them first
        with `zero_grad()` (the whole graph) or a model's zero_grad() (its
        parameters) when you want a fresh gradient.
        """
        order = backward_order(self)
        earlier = [v.grad for v in order]
        carry = any(earlier)
        if carry:  # this pass's contributions are computed from zero, then added on
            for v in order:
                v.grad = 0.0
        self.grad = _as_float(grad, "backward seed")
        for out in order:
            g = out.grad
            if g == 0.0:  # nothing flows back (a ReLU that is off, a hinge that is met): skip its inputs
                continue
            for node, local in zip(out.inputs, out.local_grads):
                node.grad += local * g
        if carry:
            for v, before in zip(order, earlier):
                v.grad += before

    def zero_grad(self) -> None:
        """Set grad to 0.0 on self and every node it was computed from."""
        for v in topological_order(self):
            v.grad = 0.0

    # ---- looking at a Value ---------------------------------------------------------------

    @property
    def _prev(self) -> tuple:
        """micrograd's name for `inputs`, so its draw_dot recipes keep working."""
        return self.inputs

    @property
    def _op(self) -> str:
        """micrograd's name for `op`."""
        return self.op

    def _name(self) -> str:
        if self.label:
            return f"node {self.label!r}"
        return f"a node made by {self.op!r}" if self.op else "a leaf"

    def __repr__(self) -> str:
        extra = f", label={self.label!r}" if self.label else f", op={self.op!r}" if self.op else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{extra})"


def dot(weights: Sequence[Value], inputs: Sequence[Value | Number], bias: Value | None = None) -> Value:
    """A neuron's drive w1*x1 + ... + wn*xn (+ b) as one node with 2n (+1) inputs.

    The inputs of the node are (w1, x1, w2, x2, ..., b); the local derivative
    for each w_i is x_i, for each x_i it is w_i, and for b it is 1.

    >>> w = [Value(2.0), Value(-1.0)]
    >>> z = dot(w, [3.0, 4.0], Value(0.5))
    >>> z.data, z.op
    (2.5, 'w·x+b')
    """
    n = len(weights)
    if len(inputs) != n:
        raise ValueError(f"dot needs as many weights as inputs, got {n} and {len(inputs)}")
    if n and type(inputs[0]) is not Value and isinstance(inputs[0], Value):
        return type(inputs[0]).dot(weights, inputs, bias)  # a Value subclass (micrograd.batch) does its own
    try:
        wd = [w.data for w in weights]
    except AttributeError:
        raise TypeError("dot needs Values as weights (they receive gradients), got "
                        f"{[type(w).__name__ for w in weights]}") from None
    xs = inputs
    try:
        xd = [x.data for x in xs]
    except AttributeError:  # plain numbers among the inputs become leaf Values
        xs = [_lift(x) for x in inputs]
        xd = [x.data for x in xs]
    s = bias.data if bias is not None else 0.0
    for wx in map(operator.mul, wd, xd):
        s += wx  # summed as b + w1 x1 + w2 x2 + ..., micrograd's order
    # interleave by slices (one C loop each): inputs (w1, x1, ..., b), locals (x1, w1, ..., 1)
    end = 2 * n
    nodes = [bias] * (end + 1)
    nodes[0:end:2], nodes[1:end:2] = weights, xs
    locals_ = [1.0] * (end + 1)
    locals_[0:end:2], locals_[1:end:2] = xd, wd
    if bias is None:
        return Value._result(s, "w·x", tuple(nodes[:end]), tuple(locals_[:end]))
    return Value._result(s, "w·x+b", tuple(nodes), tuple(locals_))


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, inputs before the nodes made from them.

    Iterative depth-first search, so a graph of any depth works without
    touching Python's recursion limit. A node's first input is explored first,
    so the order reads like the formula: x1's part comes before x2's.
    """
    return _postorder(root, first_input_first=True)


def backward_order(root: Value) -> list[Value]:
    """The nodes in the order backward() visits them: `root` first, every node before its inputs.

    Walking back, a node's first input is reached before its later ones. Where
    a grad is a sum of many contributions (a weight used by every example), they
    are added in this order, the same as micrograd's, so the sums round alike.
    """
    order = _postorder(root, first_input_first=False)
    order.reverse()
    return order


def _postorder(root: Value, first_input_first: bool) -> list[Value]:
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Value | None] = [root]  # nodes to visit; None marks "the node below is complete"
    while stack:
        v = stack.pop()
        if v is None:  # every input of the node under the marker is placed: it can go next
            order.append(stack.pop())
        elif v not in seen:
            seen.add(v)
            if seen.issuperset(v.inputs):  # a leaf, or inputs met before (weights): one C-level check
                order.append(v)
            else:
                stack += (v, None)
                # the stack is last in, first out: push reversed to explore the first input first
                stack += reversed(v.inputs) if first_input_first else v.inputs
    return order


def values(xs: Iterable[Number], label: str = "") -> list[Value]:
    """Wrap numbers as leaf Values, labelled label1, label2, ... when a label is given."""
    return [Value(x, f"{label}{i}" if label else "") for i, x in enumerate(xs, 1)]


def _lift(x: Value | Number) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _as_float(x: object, what: str) -> float:
    if type(x) is float and x - x == 0.0:  # the common case, finite; checked first for speed
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        f = float(x)
        if math.isfinite(f):
            return f
        raise ValueError(f"{what} must be a finite number, got {f!r}")
    kind = type(x).__name__
    raise TypeError(f"{what} must be a real number (int, float or numpy scalar), got {kind}: {x!r}")


def _checked_pow(a: float, b: float, base: Value) -> float:
    try:
        out = a ** b
    except OverflowError:
        out = math.inf
    if not math.isfinite(out):
        raise OverflowError(f"{a!r} ** {b!r} overflows a float ({base._name()})")
    return out


def _short(k: float) -> str:
    return str(int(k)) if k.is_integer() else repr(k)
