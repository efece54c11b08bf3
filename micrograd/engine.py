"""The engine: a scalar `Value` that remembers how it was made, and `backward()`, the chain rule.

Every op computes its output and, in the same line, the local derivative of the
output with respect to each input (d out / d input): the table `OPS` below. A
node keeps its inputs and those local derivatives, so `backward()` only has to
visit the graph from the root back to the leaves and, along every edge, add
``local * out.grad`` to the input's grad. Read this file top to bottom: the
primitives, the `Value` they make with the chain rule in its `backward()`, then
the topological order that loop walks.

Beside it: `micrograd.checks` (a Value takes finite reals, and an op whose value or
local derivative leaves the floats raises, naming the op and the node) and
`micrograd.compat` (micrograd's names, and its way of writing an op with a closure).
The speed lives in modules of its own, each an optimisation of one loop here that
gives the same bits: `micrograd.drives` (a neuron's drive w·x + b as one node, a
layer's drives sharing their inputs, activations folded into them) and
`micrograd.fastwalk` (backward's walk, special-cased for those nodes).

>>> x = Value(2.0, label='x')
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad   # dy/dx = 2x + 3
7.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from micrograd.checks import as_float, not_finite, short
from micrograd.compat import MicrogradWays

Number = float | int


# ---- the primitives: each op's value and its local derivatives, side by side -----------------

def _sigmoid(x: float) -> tuple[float, float]:
    if x >= 0.0:
        s = 1.0 / (1.0 + math.exp(-x))
    else:  # e**x / (1 + e**x) never overflows for x < 0
        e = math.exp(x)
        s = e / (1.0 + e)
    return s, s * (1.0 - s)


class Op(NamedTuple):
    """One op: f(inputs) -> (value, d value/d each input), and the same written as formulas.

    The formulas are Python over the inputs as `fn` names them (a, b or x; k is the
    number a ** k carries in its name, **2) and `out`, the op's value, where the
    local derivative reuses it as `fn` does. viz writes every notation from them.
    """

    fn: Callable[..., tuple]
    value: str
    local: tuple[str, ...]
    written: tuple[str, ...] = ()  # the local derivatives as the documents write them, if not as `local`
    symbol: tuple[str, ...] = ()  # its name written f(x) in text and LaTeX, if not its key: ("σ", r"\sigma")


# Plain arithmetic, so micrograd.batch runs these same functions on arrays; it has its own
# only for exp, log, tanh, sigmoid, relu and a ** b, which numpy computes with its own functions.
OPS: dict[str, Op] = {
    "+": Op(lambda a, b: (a + b, 1.0, 1.0), "a + b", ("1", "1")),
    "-": Op(lambda a, b: (a - b, 1.0, -1.0), "a - b", ("1", "-1")),
    "*": Op(lambda a, b: (a * b, b, a), "a * b", ("b", "a")),
    "/": Op(lambda a, b: (a / b, 1.0 / b, -a / (b * b)), "a / b", ("1 / b", "-a / b ** 2")),
    "neg": Op(lambda x: (-x, -1.0), "-x", ("-1",)),
    # a number exponent k (the node's op reads **2, **-1, **0.5)
    "**k": Op(lambda x, k: (x ** k, k * x ** (k - 1.0) if k != 0.0 else 0.0),
              "x ** k", ("k * x ** (k - 1)",)),
    "**": Op(lambda a, b: (p := a ** b, b * a ** (b - 1.0), p * math.log(a)),
             "a ** b", ("b * a ** (b - 1)", "out * log(a)")),
    "exp": Op(lambda x: (e := math.exp(x), e), "exp(x)", ("exp(x)",), ("e ** x",), ("exp", r"\exp")),
    "log": Op(lambda x: (math.log(x), 1.0 / x), "log(x)", ("1 / x",), symbol=("ln", r"\ln")),
    "tanh": Op(lambda x: (t := math.tanh(x), 1.0 - t * t), "tanh(x)", ("1 - out ** 2",),
               ("1 - tanh(x) ** 2",), ("tanh", r"\tanh")),
    "sigmoid": Op(_sigmoid, "1 / (1 + exp(-x))", ("out * (1 - out)",),
                  ("sigmoid(x) * (1 - sigmoid(x))",), ("σ", r"\sigma")),
    "relu": Op(lambda x: (x, 1.0) if x > 0.0 else (0.0, 0.0), "max(0, x)", ("1 if x > 0 else 0",),
               symbol=("ReLU", r"\mathrm{ReLU}")),
}
ACTIVATIONS = {name: OPS[name].fn for name in ("tanh", "sigmoid", "relu")}
add, sub, mul, div, neg, pow_number, pow_value, exp, log = (
    OPS[name].fn for name in ("+", "-", "*", "/", "neg", "**k", "**", "exp", "log"))


class Value(MicrogradWays):
    """One number in a computation graph: its data, its grad, and how it was made.

    ``Value(data, _children=(), _op='', label='')``, as in micrograd (micrograd/compat.py
    keeps its ways of writing an op); a string in `_children`'s place is the label:
    ``Value(2.0, 'x')``.

    A node made by an op keeps one or two operands, ``_a`` and ``_b``, and the local
    derivative of its data with respect to each, ``_da`` and ``_db``. A drive's operands
    are vectors (tuples; see micrograd.drives). `inputs` and `local_grads` list them.
    """

    __slots__ = ("data", "grad", "label", "op", "_a", "_b", "_da", "_db", "_fold", "_closure")
    data: Any  # a float (an array in a micrograd.batch Batch)
    grad: Any
    label: str
    op: str
    _a: Any  # None (a leaf), a Value, or a vector of them (a tuple)
    _b: Any
    _da: Any
    _db: Any
    _fold: tuple[float, float, str] | None  # a folded drive: (z's data, d a/d z, z's label)
    _closure: Callable[[], None] | None  # an op written micrograd's way: its _backward
    __array_ufunc__ = None  # numpy scalars defer to our reflected operators
    _activations = ACTIVATIONS  # f(x) -> (value, local derivative); micrograd.batch's work on arrays
    _unary_kind: type  # what a one-operand op makes of this node: a Value (a Batch makes a Batch)

    def __init__(self, data: Number, _children: Iterable[Value] | str = (), _op: str = "",
                 label: str = "") -> None:
        self.data = as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self.op = _op
        self._a = self._b = None
        self._da = self._db = 0.0
        self._fold = self._closure = None
        if _children or _op or label.__class__ is not str:  # more than a leaf with a label: check it
            self._made_from(_children, _op, label)

    # ---- the ops: value and local derivatives from the table, then the node -------------------

    def __add__(self, other: Value | Number) -> Value:
        other = _lift(other)
        return _node2("+", add(self.data, other.data), self, other)

    def __sub__(self, other: Value | Number) -> Value:
        other = _lift(other)
        return _node2("-", sub(self.data, other.data), self, other)

    def __mul__(self, other: Value | Number) -> Value:
        other = _lift(other)
        return _node2("*", mul(self.data, other.data), self, other)

    def __truediv__(self, other: Value | Number) -> Value:
        other = _lift(other)
        if other.data == 0.0:
            raise ZeroDivisionError(
                f"division by zero: the divisor {other._name()} is 0.0 (dividend {self.data!r})")
        return _node2("/", div(self.data, other.data), self, other)

    def __neg__(self) -> Value:
        return _node1("neg", neg(self.data), self)

    def __pow__(self, other: Value | Number) -> Value:
        a = self.data
        if isinstance(other, Value):  # a ** b with both in the graph: d/db = a**b ln a
            if a <= 0.0:
                raise ValueError(f"** with a Value exponent needs a base > 0, got {a!r} ({self._name()}): "
                                 "use a number exponent for a negative base")
            return _node2("**", _or_inf(pow_value, a, other.data, outputs=3), self, other)
        k = as_float(other, "exponent")
        if a == 0.0 and k < 0.0:
            raise ZeroDivisionError(f"0.0 ** {k!r} is undefined ({self._name()}): the base must not be 0")
        if a < 0.0 and not k.is_integer():
            raise ValueError(f"{a!r} ** {k!r} is not a real number ({self._name()}): "
                             "a negative base needs a whole-number exponent")
        if a == 0.0 and 0.0 < k < 1.0:  # the value is 0, its slope k x**(k-1) infinite (sqrt at 0)
            raise not_finite(f"**{short(k)}", (self,), (0.0, math.inf))
        return _node1(f"**{short(k)}", _or_inf(pow_number, a, k), self)

    def exp(self) -> Value:
        """e ** self; d/dx = e ** x."""
        return _node1("exp", _or_inf(exp, self.data), self)

    def log(self) -> Value:
        """Natural logarithm; d/dx = 1 / x."""
        if self.data <= 0.0:
            raise ValueError(f"log is undefined for {self.data!r} ({self._name()}): the input must be > 0")
        return _node1("log", log(self.data), self)

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx = 1 - tanh(x)**2."""
        return _node1("tanh", self._activations["tanh"](self.data), self)

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e**-x); d/dx = s (1 - s)."""
        return _node1("sigmoid", self._activations["sigmoid"](self.data), self)

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 where x > 0, else 0."""
        return _node1("relu", self._activations["relu"](self.data), self)

    # a number on the left: the number becomes a leaf, then the op runs as written
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

    # ---- the chain rule ------------------------------------------------------------------------

    def backward(self, grad: Number = 1.0) -> None:
        """Add d(self)/d(node) * grad to the grad of every node that self depends on.

        The seed `grad` is 1.0 unless given. Gradients accumulate: calling backward()
        twice doubles every grad, as in PyTorch (this pass's are computed from zero,
        then added on), so clear them first with zero_grad() or a model's zero_grad().
        micrograd.fastwalk runs this same loop faster, to the same bits.
        """
        order = backward_order(self)  # every node before its inputs
        earlier = [v.grad for v in order]
        for v in order:
            v.grad = 0.0
        self.grad = as_float(grad, "backward seed")
        for out in order:
            if out._closure is not None:  # an op written micrograd's way brings its own chain rule
                out._closure()
                continue
            for node, local in zip(out.inputs, out.local_grads):
                node.grad += local * out.grad
        for v, before in zip(order, earlier):
            v.grad += before

    def zero_grad(self) -> None:
        """Set grad to 0.0 on self and every node it was computed from."""
        for v in topological_order(self):
            v.grad = 0.0

    # ---- looking at a Value: the pairs the chain rule reads ------------------------------------

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
        if self._closure is not None:  # an op written micrograd's way: ask its closure, at grad 1
            return self._probe()
        if self._fold is not None:
            self._unfold()
        if self._a is None:
            return ()
        if self._a.__class__ is tuple:
            return _interleave(self._da, self._db[:len(self._b)])
        return (self._da,) if self._b is None else (self._da, self._db)

    def _unfold(self) -> None:
        """Make the drive folded into this activation a node (set by micrograd.drives, which folds them)."""
        raise NotImplementedError

    def _name(self) -> str:
        if self.label:
            return f"node {self.label!r}"
        return f"a node made by {self.op!r}" if self.op else "a leaf"

    def __repr__(self) -> str:
        extra = f", label={self.label!r}" if self.label else f", op={self.op!r}" if self.op else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{extra})"


# ---- making nodes: each keeps its operands and the local derivatives, checked finite -------------

def _node(data: Any, op: str, a: Any, da: Any, b: Any = None, db: Any = 0.0, kind: type = Value) -> Value:
    """A new node made by `op` from operand a (and b), with d(data)/da (and d(data)/db)."""
    out: Value = _new(kind)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out._a = a
    out._da = da
    out._b = b
    out._db = db
    out._fold = out._closure = None
    return out


def _node2(op: str, result: tuple, a: Value, b: Value) -> Value:
    """_node for a binary op, from its table function's (value, d/da, d/db)."""
    if 0.0 * result[0] + 0.0 * result[1] + 0.0 * result[2] != 0.0:  # 0 * inf is nan: one left the floats
        raise not_finite(op, (a, b), result)
    out = _new(Value)
    out.data, out._da, out._db = result
    out.grad = 0.0
    out.label = ""
    out.op = op
    out._a = a
    out._b = b
    out._fold = out._closure = None
    return out


def _node1(op: str, result: tuple, x: Value) -> Value:
    """_node for a unary op, from its table function's (value, d/dx); a Batch makes a Batch."""
    out: Value = _new(x._unary_kind)
    out.data, out._da = result
    if out.data.__class__ is float and 0.0 * out.data + 0.0 * out._da != 0.0:  # a Batch checks its own
        raise not_finite(op, (x,), result)
    out.grad = out._db = 0.0
    out.label = ""
    out.op = op
    out._a = x
    out._b = out._fold = out._closure = None
    return out


_new = object.__new__
Value._unary_kind = Value  # a parameter's or a penalty's relu, exp, ... is a plain node


def _lift(x: Value | Number) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _or_inf(f: Callable[..., tuple], *args: float, outputs: int = 2) -> tuple:
    """f(*args), with the OverflowError of ** and math.exp read as inf (the node then says which op)."""
    try:
        return f(*args)
    except OverflowError:
        return (math.inf,) * outputs


def _interleave(a: Sequence, b: Sequence) -> tuple:
    """(a1, b1, a2, b2, ..., an, bn) and a's extra last element (a drive's bias), if any."""
    n = len(b)
    out: list[Any] = [None] * (2 * n)
    out[0::2], out[1::2] = a[:n], b
    return (*out, *a[n:])


# ---- the order: every node after (or, for backward, before) the nodes it was made from -----------

def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, inputs before the nodes made from them.

    Iterative depth-first search, so a graph of any depth works without touching
    Python's recursion limit. A node's first input is explored first, so the order
    reads like the formula: x1's part comes before x2's.
    """
    return _postorder(root, first_input_first=True)


def backward_order(root: Value) -> list[Value]:
    """The nodes in the order backward() visits them: `root` first, every node before its inputs.

    Walking back, a node's first input is reached before its later ones. Where a
    grad is a sum of many contributions (a weight used by every example), they are
    added in this order, the same as micrograd's, so the sums round alike.
    """
    return _postorder(root, first_input_first=False)[::-1]


def _postorder(root: Value, first_input_first: bool) -> list[Value]:
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[Value | None] = [root]  # nodes to visit; None marks "the node below is complete"
    while stack:
        v = stack.pop()
        if v is None:  # every input of the node under the marker is placed: it goes next
            order.append(stack.pop())  # type: ignore[arg-type]
        elif v not in seen:
            seen.add(v)
            stack += (v, None)
            inputs = v.inputs  # last in, first out: reversed, the first input is explored first
            stack += reversed(inputs) if first_input_first else inputs
    return order


def values(xs: Iterable[Number], label: str = "") -> list[Value]:
    """Wrap numbers as leaf Values, labelled label1, label2, ... when a label is given."""
    return [Value(x, f"{label}{i}" if label else "") for i, x in enumerate(xs, 1)]
