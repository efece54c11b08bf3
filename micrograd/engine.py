"""The engine: a scalar `Value` that remembers how it was made, and `backward()`.

Every op computes its output and, in the same line, the local derivative of the
output with respect to each input (d out / d input). `backward()` is then the
chain rule and nothing else: visit the graph in reverse topological order and,
along every edge, add ``local * out.grad`` to the input's grad.

A neuron's drive w·x + b is one node (`dot`, `drives`) whose two operands are
vectors: the neuron's weights with its bias, and its inputs. The neurons of a
layer share one input vector, so the graph stores it, and walks it, once. A
layer's activation can hold its drive folded in until someone looks at it.

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
from collections.abc import Iterable, Sequence
from itertools import repeat
from operator import attrgetter, mul
from typing import Any

Number = float | int

_EXP_LIMIT = 709.782712893384  # math.exp overflows a float above this


# each activation at x: (its value, its local derivative), side by side; Value's methods and
# drives(activation=...) use them
def _tanh(x: float) -> tuple[float, float]:
    t = math.tanh(x)
    return t, 1.0 - t * t


def _sigmoid(x: float) -> tuple[float, float]:
    if x >= 0.0:
        s = 1.0 / (1.0 + math.exp(-x))
    else:  # e**x / (1 + e**x) never overflows for x < 0
        e = math.exp(x)
        s = e / (1.0 + e)
    return s, s * (1.0 - s)


def _relu(x: float) -> tuple[float, float]:
    return (x, 1.0) if x > 0.0 else (0.0, 0.0)


ACTIVATIONS = {"tanh": _tanh, "sigmoid": _sigmoid, "relu": _relu}


class Value:
    """One number in a computation graph: its data, its grad, and how it was made.

    A node made by an op has one or two operands, ``_a`` and ``_b``, and the
    local derivative of its data with respect to each, ``_da`` and ``_db``,
    fixed when ``data`` was computed. In a drive the operands are vectors (tuples):
    ``_a`` = (w1, ..., wn, b) with ``_da`` = (x1, ..., xn, 1), and ``_b`` = (x1, ..., xn)
    with ``_db`` = (w1, ..., wn). `inputs` and `local_grads` list them one by one.
    A layer's activation a = f(z) may hold its drive folded in, ``_fold`` = (z's data,
    da/dz, z's label), with z's operands as its own, until the first look at its
    `inputs` makes z a node of its own (see `drives`).
    """

    __slots__ = ("data", "grad", "label", "op", "_a", "_b", "_da", "_db", "_fold")
    __array_ufunc__ = None  # numpy scalars defer to our reflected operators
    _activations = ACTIVATIONS  # f(x) -> (value, local derivative); micrograd.batch's work on arrays

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._a = self._b = None
        self._da = self._db = 0.0
        self._fold = None

    # ---- the primitives: value and local derivatives side by side --------------------
    # _node(data, op, a, d data/d a, b, d data/d b)

    def __add__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return _node(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __sub__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return _node(self.data - other.data, "-", self, 1.0, other, -1.0)

    def __mul__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return _node(self.data * other.data, "*", self, other.data, other, self.data)

    def __truediv__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(
                f"division by zero: the divisor {other._name()} is 0.0 (dividend {a!r})"
            )
        return _node(a / b, "/", self, 1.0 / b, other, -a / (b * b))

    def __neg__(self) -> Value:
        return _node(-self.data, "neg", self, -1.0)

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
            return _node(out, "**", self, b * a ** (b - 1.0), other, out * math.log(a))
        k = _as_float(other, "exponent")
        if a == 0.0 and k < 0.0:
            raise ZeroDivisionError(f"0.0 ** {k!r} is undefined ({self._name()}): the base must not be 0")
        if a < 0.0 and not k.is_integer():
            raise ValueError(
                f"{a!r} ** {k!r} is not a real number ({self._name()}): "
                "a negative base needs a whole-number exponent"
            )
        out = _checked_pow(a, k, self)
        return _node(out, f"**{_short(k)}", self, k * a ** (k - 1.0) if k != 0.0 else 0.0)

    def exp(self) -> Value:
        """e ** self; d/dx = e ** x."""
        x = self.data
        if x > _EXP_LIMIT:
            raise OverflowError(
                f"exp overflows a float for {x!r} ({self._name()}): the input must be <= 709.78"
            )
        out = math.exp(x)
        return _node(out, "exp", self, out)

    def log(self) -> Value:
        """Natural logarithm; d/dx = 1 / x."""
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log is undefined for {x!r} ({self._name()}): the input must be > 0")
        return _node(math.log(x), "log", self, 1.0 / x)

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx = 1 - tanh(x)**2."""
        return self._activation("tanh")

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e**-x); d/dx = s (1 - s)."""
        return self._activation("sigmoid")

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 where x > 0, else 0."""
        return self._activation("relu")

    def _activation(self, name: str) -> Value:
        out, local = self._activations[name](self.data)
        return _node(out, name, self, local, None, 0.0, type(self))

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
        leaves: list[Value] = []
        order = _postorder(self, False, leaves)
        order.reverse()  # the nodes with inputs, each before its inputs
        carry = any(map(_grad_of, order)) or any(map(_grad_of, leaves))
        if carry:  # this pass's contributions are computed from zero, then added on
            order += leaves
            earlier = [v.grad for v in order]
            for v in order:
                v.grad = 0.0
        self.grad = _as_float(grad, "backward seed")
        for out in order:
            g = out.grad
            a = out._a
            if g == 0.0 or a is None:  # nothing flows back (a ReLU that is off, a hinge met), or a leaf
                continue
            if a.__class__ is tuple:  # a drive: d/dw_i = x_i (d/db = 1), then d/dx_i = w_i
                if out._fold is not None:  # an activation with its drive folded in: first d a/d z
                    g = out._fold[1] * g
                    if g == 0.0:
                        continue
                for w, x in zip(a, out._da):
                    w.grad += x * g
                for x, w in zip(out._b, out._db):
                    x.grad += w * g
            else:
                a.grad += out._da * g
                if out._b is not None:
                    out._b.grad += out._db * g
        if carry:
            for v, before in zip(order, earlier):
                v.grad += before

    def zero_grad(self) -> None:
        """Set grad to 0.0 on self and every node it was computed from."""
        for v in topological_order(self):
            v.grad = 0.0

    # ---- looking at a Value ---------------------------------------------------------------

    @property
    def inputs(self) -> tuple:
        """The Values this one was computed from, in order; a drive's are (w1, x1, ..., wn, xn, b)."""
        if self._fold is not None:
            self._unfold()
        a, b = self._a, self._b
        if a is None:
            return ()
        if a.__class__ is tuple:
            return _interleave(a, b)
        return (a,) if b is None else (a, b)

    @property
    def local_grads(self) -> tuple:
        """d(self)/d(input) for each of `inputs`, fixed when data was computed."""
        if self._fold is not None:
            self._unfold()
        a = self._a
        if a is None:
            return ()
        if a.__class__ is tuple:
            return _interleave(self._da, self._db[:len(self._b)])
        return (self._da,) if self._b is None else (self._da, self._db)

    def _unfold(self) -> None:
        """Make the drive folded into this activation a node of its own: a = f(z) becomes a node on z.

        z gets the grad the chain rule gives it, d a/d z times a's grad.
        """
        z_data, local, label = self._fold
        z = _new(Value)
        z.data, z.grad, z.label = z_data, local * self.grad, label
        z.op = "w·x+b" if len(self._a) > len(self._b) else "w·x"
        z._a, z._da, z._b, z._db, z._fold = self._a, self._da, self._b, self._db, None
        self._a, self._da, self._b, self._db, self._fold = z, local, None, 0.0, None

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


def _node(data: float, op: str, a: Any, da: Any, b: Any = None, db: Any = 0.0, kind: type = Value) -> Value:
    """A new node made by `op` from operand a (and b), with d(data)/da (and d(data)/db)."""
    out = _new(kind)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out._a = a
    out._da = da
    out._b = b
    out._db = db
    out._fold = None
    return out


_new = object.__new__
_grad_of = attrgetter("grad")


def dot(weights: Sequence[Value], inputs: Sequence[Value | Number], bias: Value | None = None) -> Value:
    """A neuron's drive w1*x1 + ... + wn*xn (+ b) as one node with 2n (+1) inputs.

    Its inputs are (w1, x1, w2, x2, ..., b); the local derivative for each w_i
    is x_i, for each x_i it is w_i, and for b it is 1.

    >>> w = [Value(2.0), Value(-1.0)]
    >>> z = dot(w, [3.0, 4.0], Value(0.5))
    >>> z.data, z.op
    (2.5, 'w·x+b')
    """
    if not isinstance(bias, Value) and bias is not None:
        raise TypeError(f"dot needs a Value as bias (it receives a gradient) or None, got {bias!r}")
    if len(weights) != len(inputs):
        raise ValueError(f"dot needs as many weights as inputs, got {len(weights)} and {len(inputs)}")
    row = (*weights, bias) if bias is not None else tuple(weights)
    return drives([row], inputs, bias is not None)[0]


def drives(rows: Sequence[Sequence[Value]], inputs: Sequence[Value | Number], bias: bool = True,
           cache: dict | None = None, activation: str | None = None,
           labels: Sequence[str] | None = None) -> list[Value]:
    """The drives of neurons that all see `inputs`: one `dot` node per row of weights.

    Each row is a neuron's (w1, ..., wn, b), or (w1, ..., wn) with bias=False. The
    nodes share one vector of inputs, so a layer's graph holds it once; a row given
    as a tuple is kept as it is (a neuron that passes the same tuple every time is
    walked once per backward pass, not once per example). `cache`, a dict the
    caller keeps (a layer does), lets calls with unchanged weights share the
    numbers each node keeps as d/dx_i instead of copying them again.

    With `activation` ('tanh', 'sigmoid' or 'relu') the nodes returned are the
    neurons' activations a = f(z), each with its drive z folded in: z becomes a
    node of its own the first time anyone looks (`inputs`, `local_grads`, or a
    topological_order / backward_order walk), with the grad it would have had.
    Until then backward() goes from a straight to z's weights and inputs, one
    node per neuron instead of two. `labels` name the drives z.

    >>> first = (Value(2.0), Value(-1.0), Value(0.5))   # w1, w2, b
    >>> second = (Value(1.0), Value(1.0), Value(0.0))
    >>> z1, z2 = drives([first, second], [3.0, 4.0])
    >>> z1.data, z2.data, z1.inputs[1] is z2.inputs[1]   # both see the same leaf x1
    (2.5, 7.0, True)
    """
    xs = tuple(inputs)
    kinds = set(map(type, xs))
    if kinds != {Value}:
        if len(kinds) == 1 and issubclass(kinds.pop(), Value):  # a subclass (micrograd.batch) does its own
            return type(xs[0]).drives(rows, xs, bias, activation=activation, labels=labels)
        if any(isinstance(x, Value) and type(x) is not Value for x in xs):
            raise TypeError("a drive's inputs must be all Values (numbers become Values) or all Batches, "
                            f"got {sorted(k.__name__ for k in set(map(type, xs)))}")
        xs = tuple(map(_lift, xs))  # plain numbers become leaf Values
    xd = [x.data for x in xs]
    n, m = len(xs), len(xs) + bias
    rows = list(map(tuple, rows))  # a tuple stays the very same object
    if set(map(len, rows)) - {m}:
        raise ValueError(f"a drive needs {n} weights{' and a bias' if bias else ''} for {n} inputs, "
                         f"got rows of {sorted(set(map(len, rows)))} Values")
    try:  # every row's numbers in one pass, then sliced row by row
        flat = tuple([w.data for row in rows for w in row])
    except AttributeError:
        raise TypeError("a drive needs Values as weights (they receive gradients), got "
                        f"{sorted({type(w).__name__ for row in rows for w in row})}") from None
    hit = cache is not None and cache.get("numbers") == flat and len(cache["rows"]) == len(rows)
    if hit:
        wds = cache["rows"]  # the same weights as last time
    else:
        wds = [flat[k:k + m] for k in range(0, len(flat), m)]
    if bias:
        op, dx = "w·x+b", (*xd, 1.0)  # d/dw_i = x_i, d/db = 1: the same for every neuron
    else:
        op, dx = "w·x", tuple(xd)
    f = None
    if activation is not None:
        f = ACTIVATIONS.get(activation)
        if f is None:
            raise ValueError(f"drives folds in 'tanh', 'sigmoid' or 'relu', not {activation!r}")
        op = activation
    out = []
    for row, wd, label in zip(rows, wds, labels or repeat("")):
        # summed as b + w1 x1 + w2 x2 + ..., micrograd's order (map stops at the last x: wd[n] is b)
        s = sum(map(mul, wd, xd), wd[n] if bias else 0.0)
        if s.__class__ is not float:  # numpy float64 or int data is fine; an array (a Batch weight) is not
            s = _drive_number(s)
        z = _new(Value)  # _node(s, op, row, dx, xs, wd), written out: this is the hot loop of training
        if f is None:
            z.data = s
            z.label = label
            z._fold = None
        else:  # z = f(s) with the drive folded in: (its data, d f/d drive, its label)
            z.data, local = f(s)
            z.label = ""
            z._fold = (s, local, label)
        z.grad = 0.0
        z.op = op
        z._a = row
        z._da = dx
        z._b = xs
        z._db = wd
        out.append(z)
    if cache is not None and not hit:
        cache.update(numbers=flat, rows=wds)
    return out


def _drive_number(s: Any) -> float:
    try:
        return _as_float(s, "a drive")
    except TypeError:
        raise TypeError(f"a drive needs scalar Values as weights and inputs, got data {s!r}: "
                        "a Batch cannot be a weight") from None


def _interleave(a: Sequence, b: Sequence) -> tuple:
    """(a1, b1, a2, b2, ..., an, bn) and a's extra last element (a drive's bias), if any."""
    n = len(b)
    out = [None] * (2 * n)
    out[0::2], out[1::2] = a[:n], b
    return (*out, *a[n:])


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


def _postorder(root: Value, first_input_first: bool, leaves: list | None = None) -> list[Value]:
    """Every node under root, each after its inputs; with a list `leaves`, the leaves go there instead.

    Leaves need no visit of their own, so with `leaves` given they are noted as
    met where their consumer is (backward() does this: it only walks the nodes with inputs).
    """
    order: list[Value] = []
    seen: set[Value] = set()
    done: set[int] = set()  # ids of vectors (a layer's inputs, a neuron's weights) whose nodes are all placed
    stack: list[Value | None] = [root]  # nodes to visit; None marks "the node below is complete"
    pop, place, saw = stack.pop, order.append, seen.add  # bound once: this loop is hot
    leaf = place if leaves is None else leaves.append
    while stack:
        v = pop()
        if v is None:  # every input of the node under the marker is placed: it can go next
            place(pop())
            continue
        if v in seen:
            continue
        saw(v)
        if v._fold is not None and leaves is None:  # a walk anyone will read: folded drives become nodes
            v._unfold()
        a, b = v._a, v._b
        if a is None:
            leaf(v)
        elif a.__class__ is not tuple:  # one or two Values: push the ones not placed yet
            if leaves is not None:
                if a._a is None and a not in seen:
                    saw(a)
                    leaf(a)
                if b is not None and b._a is None and b not in seen:
                    saw(b)
                    leaf(b)
            if a in seen:
                if b is None or b in seen:
                    place(v)
                else:
                    stack += (v, None, b)
            elif b is None or b in seen:
                d = a._a
                if d.__class__ is tuple and id(d) in done and id(a._b) in done:  # an activation of a drive
                    saw(a)  # whose weights and inputs are placed: both go now, with no trip through the stack
                    place(a)
                    place(v)
                else:
                    stack += (v, None, a)
            else:  # the operand popped next goes at once if its inputs are leaves or placed (a sum's terms)
                u = a if first_input_first else b
                p, q = u._a, u._b
                if (leaves is not None and p.__class__ is not tuple and (p._a is None or p in seen)
                        and (q is None or q._a is None or q in seen)):
                    if p._a is None and p not in seen:
                        saw(p)
                        leaf(p)
                    if q is not None and q._a is None and q not in seen:
                        saw(q)
                        leaf(q)
                    saw(u)
                    place(u)
                    stack += (v, None, b if first_input_first else a)
                else:
                    stack += (v, None, b, a) if first_input_first else (v, None, a, b)
        elif id(a) in done and id(b) in done:  # a drive whose weights and inputs are all placed
            place(v)
        else:
            todo = [u for u in (a, b) if not _placed(u, seen, done)]
            if not todo:
                place(v)
                continue
            stack += (v, None)
            if len(todo) == 1 and todo[0].__class__ is tuple:
                nodes = todo[0]
            else:  # the inputs in order, without unfolding a folded drive (v.inputs would)
                nodes = _interleave(a, b) if b.__class__ is tuple else v.inputs
            # the stack is last in, first out: push reversed to explore the first input first
            stack += reversed(nodes) if first_input_first else nodes
    return order


def _placed(operand: Any, seen: set, done: set) -> bool:
    """Whether every node of an operand (a Value, a vector of them, or None) is already placed."""
    if operand is None:
        return True
    if operand.__class__ is not tuple:
        return operand in seen
    if id(operand) in done:
        return True
    if seen.issuperset(operand):  # seen and not placed would make a cycle: seen here means placed
        done.add(id(operand))
        return True
    return False


def values(xs: Iterable[Number], label: str = "") -> list[Value]:
    """Wrap numbers as leaf Values, labelled label1, label2, ... when a label is given."""
    return [Value(x, f"{label}{i}" if label else "") for i, x in enumerate(xs, 1)]


def _lift(x: Value | Number) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _as_float(x: object, what: str) -> float:
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
