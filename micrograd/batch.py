"""Batch mode: the same graph for B examples at once, every number an array of B (numpy).

A `Batch` is a `Value` whose data holds one number per example. Parameters stay
Values, shared by every example: an op that mixes the two broadcasts the
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

Each op is the engine's (micrograd/engine.py `OPS`) run on arrays, and records its
inputs and the local derivative for each; `backward()` is the same chain rule.
A layer is the documents' matrix form: its drives for the whole batch are one
product Z = W X + b (W the layer's `Block`, micrograd/params.py), and backward
gives dL/dW = delta X^T and dL/dX = W^T delta, straight into the block's array.
An op whose value or local derivative leaves the floats for any example raises
OverflowError naming the op, as the engine does.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import repeat
from operator import attrgetter
from typing import Any

import numpy as np

from micrograd.blas import one_thread
from micrograd.checks import as_float, short
from micrograd.engine import OPS, Value, _node, topological_order
from micrograd.fastwalk import _grad_of, interior_order
from micrograd.heap import keep_freed_memory
from micrograd.params import Block

_ONE = 1.0
# a number that leaves the floats is the OverflowError each op raises, naming it: numpy's warning
# about it, from the table's functions run on arrays, would only come first and say less
# (np.errstate around every op would cost more than the op)
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"micrograd\.(engine|batch)")
keep_freed_memory()  # a step's arrays then reuse the last step's memory (micrograd/heap.py says why)


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
LAYER_OPS = ("W·X+b", "W·X")


class Batch(Value):
    """A Value holding one number per example: data and grad are arrays of shape (B,).

    A reduction (sum, mean) gives a Batch with a plain float, like a Value's. Inside
    a layer, a node holds every neuron's numbers at once, an array of (neurons, B).
    """

    __slots__ = ()
    _activations = _ACTIVATIONS  # tanh, sigmoid and relu on arrays: Value's methods use them
    per_example = True  # a parameter meeting a Batch lets the Batch's op run (micrograd.params.Shared)
    _unary_kind: type  # Batch (set below the class): relu, exp, ... of a Batch are Batches

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
        self._fold = self._closure = None

    # ---- the primitives: the engine's table, on arrays -------------------------------------
    # _binary(op, f, a, b): the node of f(a, b) -> (value, d/da, d/db), checked finite

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
        return _unary("neg", _neg, self)

    def __pow__(self, other: Any) -> Batch:
        if isinstance(other, Value):
            return _power(self, other)
        k = as_float(other, "exponent")
        a = self.data
        if k < 0.0 and np.any(a == 0.0):
            raise ZeroDivisionError(f"0.0 ** {k!r} is undefined ({self._name()}, example "
                                    f"{_first(a == 0.0)}): the base must not be 0")
        if not k.is_integer() and np.any(a < 0.0):
            raise ValueError(f"{_at(a, a < 0.0)} ** {k!r} is not a real number ({self._name()}): "
                             "a negative base needs a whole-number exponent")
        out = _unary(f"**{short(k)}", lambda x: ARRAY_OPS["**k"](x, k), self)
        if k == 0.0:
            out._da = 0.0 * a  # an array of zeros, like every other local derivative here
        return out

    def __rpow__(self, other: Any) -> Batch:
        return _power(_lift(other), self)

    def exp(self) -> Batch:
        """e ** x for every example; d/dx = e ** x."""
        return _unary("exp", ARRAY_OPS["exp"], self)

    def log(self) -> Batch:
        """Natural logarithm; d/dx = 1 / x."""
        x = self.data
        if np.any(x <= 0.0):
            raise ValueError(f"log is undefined for {_at(x, x <= 0.0)} ({self._name()}): "
                             "the input must be > 0")
        return _unary("log", ARRAY_OPS["log"], self)

    @classmethod
    def activate(cls, zs: Sequence[Batch], name: str) -> list[Batch]:
        """A layer's activations all at once: one array op for every neuron."""
        out, local = _ACTIVATIONS[name](np.array([z.data for z in zs]))
        return [_batch(a, name, z, d) for a, d, z in zip(out, local, zs)]

    # ---- reductions: one number for the whole batch ---------------------------------------

    def sum(self) -> Batch:
        """The sum over the examples; d/dx_k = 1 for every example k."""
        x = self.data
        with np.errstate(all="ignore"):
            total = float(x.sum())
        return _checked("sum", (total, np.ones_like(x)), (self,))

    def mean(self) -> Batch:
        """The mean over the examples: sum() * (1/B), micrograd's demo's way of writing it."""
        return self.sum() * (1.0 / self.data.size)

    # ---- the neurons' drives: one matrix product for a layer ---------------------------------

    @classmethod
    def drives(cls, rows: Sequence[Sequence[Value]], inputs: Sequence[Batch], bias: bool = True,
               activation: str | None = None, labels: Sequence[str] | None = None,
               block: Block | None = None) -> list[Batch]:
        """micrograd.drives for a batch: every neuron's w·x (+ b) for every example, in one product.

        With `block` (a layer's parameters, whose rows these are) the layer is one node
        Z = W X + b on the stacked inputs X (n x B), then, with `activation`, one node
        A = f(Z); each neuron's output is a row of it. Without, each drive is a node of
        its own on its row of Values (a masked layer's neurons, `dot`): the inputs x_i
        are stacked into one node, shared, and each drive's local derivatives are the
        stacked inputs (a row of ones for b) for its weights and w for the inputs.
        `labels` name the drives.
        """
        xs = tuple(inputs)
        if block is not None and all(map(isinstance, xs, repeat(Batch))):
            return _layer(block, xs, bias, activation, labels)
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
        stacked = _stacked(xs)
        X = stacked.data
        if bias:  # the bias is a weight on an input that is 1 for every example
            X = np.vstack([X, np.ones(X.shape[1])])
        op = "w·x+b" if bias else "w·x"
        Z = _finite(op, W @ X, (stacked,))
        zs = [_batch(z, op, row, X, stacked, w[:n]) for row, z, w in zip(rows, Z, W)]
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
        # (a training loop's fresh nodes have none, so they are only looked through when one has):
        # a layer's block first, so that its Params read 0.0 as leaves
        blocks = {id(b): b for b in map(_db_of, order) if b.__class__ is Block}.values()
        taken = [(b, b.take_grad()) for b in blocks]
        earlier = [(v, v.grad) for v in (order + leaves if _carry(order) else leaves)
                   if type(v.grad) is not float or v.grad != 0.0]
        for v, _ in earlier:
            v.grad = 0.0
        self.grad = float(grad) if not isinstance(self.data, np.ndarray) else np.full_like(self.data, grad)
        fresh: dict[int, tuple[Block, np.ndarray]] = {}  # block -> this pass's delta X^T
        with one_thread():
            _walk(order, fresh)
        for block, g in fresh.values():
            block.add_grad(g)
        for block, before in taken:
            if before is not None:
                block.add_grad(before)
        for v, before in earlier:
            v.grad = v.grad + before

    def zero_grad(self) -> None:
        """Set grad to 0.0 on self and every node it was computed from."""
        for v in topological_order(self):
            v.grad = 0.0

    # ---- looking at a Batch node ----------------------------------------------------------------

    @property
    def inputs(self) -> tuple:
        """As for a Value; a drive's are (w1, ..., wn, rows, b), where rows stacks the layer's inputs;
        a layer's are its parameters, then its inputs stacked."""
        a = self._a
        if self.op in LAYER_OPS and self._db.__class__ is Block:
            return (*self._db.views, a)
        if self.op == "row":  # neuron j's part of a layer, as the one-neuron graph has it
            return _neuron_view(self)[0]
        if a.__class__ is tuple and self.op != "rows":
            n = len(self._db)
            return (*a[:n], self._b, *a[n:])
        return a if self.op == "rows" else super().inputs

    @property
    def local_grads(self) -> tuple:
        """As for a Value; a drive's are (x1, ..., xn, w, 1): a row of inputs per weight; a layer's
        are x_i (or 1) for each weight and W for the stacked inputs; a row's is 1."""
        a = self._a
        if self.op in LAYER_OPS and self._db.__class__ is Block:
            block, X = self._db, a.data
            n = X.shape[0]
            ones = np.ones(X.shape[1])
            return (*(X[k] if k < n else ones for _, k in (v._at for v in block.views)), self._da[:, :n])
        if self.op == "rows":
            return (_ONE,) * len(a)
        if self.op == "row":
            return _neuron_view(self)[1]
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


Batch._unary_kind = Batch
_db_of = attrgetter("_db")


def _walk(order: list[Value], fresh: dict[int, tuple[Block, np.ndarray]]) -> None:
    """The chain rule, node by node from the root: local derivative times the node's grad, to each input."""
    waiting: dict[Value, list] = {}  # rows node -> (w, g) of each drive on it, for one product
    for out in order:
        g, a = out.grad, out._a
        if out._closure is not None:  # an op with its own chain rule (an L2 term over arrays, a user's)
            out._closure()
        elif type(out) is not Batch:  # a plain scalar op (an L2 term as written): the engine's rule
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
        elif out.op == "row":  # row j of a layer's node: its grad is row j of the node's
            if type(a.grad) is float:
                a.grad = np.zeros_like(a.data)  # ours: written into in place
            a.grad[out._db] += g
        elif out._db.__class__ is Block:  # a layer, Z = W X (+ b): dL/dW = delta X^T, dL/dX = W^T delta
            block, W, X = out._db, out._da, a.data
            n = X.shape[0]
            dW = g @ X.T
            if W.shape[1] > n:  # the bias column: delta times a row of ones
                dW = np.concatenate((dW, g.sum(axis=1)[:, None]), axis=1)
            key = id(block)
            fresh[key] = (block, fresh[key][1] + dW) if key in fresh else (block, dW)
            _accumulate(a, W[:, :n].T @ g)
        elif a.__class__ is tuple:  # a drive: every dz/dw_i (and dz/db) from one product, X @ g
            for weight, d in zip(a, (out._da @ g).tolist()):
                weight.grad += d
            waiting.setdefault(out._b, []).append((out._db, g))
        else:
            _accumulate(a, out._da * g)
            if out._b is not None:
                _accumulate(out._b, out._db * g)


def _neuron_view(r: Batch) -> tuple[tuple, tuple]:
    """(inputs, local_grads) of row j of a layer's node, as a neuron's own nodes would show them.

    Row j of Z = W X + b shows neuron j's drive: (w_j1, ..., w_jn, X, b_j) with local
    derivatives (x_1, ..., x_n, w_j, 1). Row j of A = f(Z) shows its drive z_j (a row of
    Z made for the look, with its label and grad) and f'(z_j). Backward never reads these.
    """
    whole, j = r._a, r._db
    if whole.op in LAYER_OPS and whole._db.__class__ is Block:
        views = whole._db.views
        m = whole._da.shape[1]
        row = views[j * m:(j + 1) * m] if whole._db.mask is None else [v for v in views if v._at[0] == j]
        X = whole._a
        n = X.data.shape[0]
        weights, bias = row[:n], row[n:]
        shown = X
        if X.op != "rows":  # the layer before's node: shown as its neurons' rows, stacked, as given
            shown = _made_for_the_look(r, lambda: _batch(X.data, "rows", whole._fold[1], None))
            shown.grad = X.grad
        return ((*weights, shown, *bias),
                (*X.data, whole._da[j, :n][:, None], *(_ONE,) * len(bias)))
    z = whole._a
    if z.op in LAYER_OPS and z._db.__class__ is Block and whole._da.__class__ is np.ndarray:
        drive = _made_for_the_look(r, lambda: _batch(z.data[j], "row", z, _ONE, None, j))
        labels = z._fold[0]
        drive.label = labels[j] if j < len(labels) else ""
        drive.grad = z.grad[j].copy() if type(z.grad) is not float else 0.0
        return (drive,), (whole._da[j],)
    return (whole,), (_ONE,)


def _made_for_the_look(r: Batch, make: Any) -> Batch:
    """The node a row shows as its input: made at the first look, the same one at every look after
    (a drawing walks the graph more than once). It is kept in the row's `_fold`, unused by rows."""
    if r._fold is None:
        r._fold = make()
    return r._fold  # type: ignore[return-value]


def _batch(data: Any, op: str, a: Any, da: Any, b: Any = None, db: Any = 0.0) -> Batch:
    return _node(data, op, a, da, b, db, Batch)  # type: ignore[return-value]


def _layer(block: Block, xs: tuple, bias: bool, activation: str | None,
           labels: Sequence[str] | None) -> list[Batch]:
    """A layer on a batch: Z = W X + b as one node, A = f(Z) as one more, and each neuron's row of it."""
    X = _stacked(xs)
    block.in_array()  # batch mode adds delta X^T into the array: its grads live there from now on
    W = block.data  # never written into: the node keeps the numbers it was computed with
    n = X.data.shape[0]
    if W.shape[1] != n + bias:
        raise ValueError(f"a layer of {W.shape[1] - bias} inputs got {n}")
    op = LAYER_OPS[0] if bias else LAYER_OPS[1]
    with one_thread():
        Z = W[:, :n] @ X.data
    if bias:
        Z += W[:, n:]  # each neuron's bias, for every example
    z = _batch(_finite(op, Z, (X,)), op, X, W, None, block)
    z._fold = (tuple(labels or ()), xs)  # type: ignore[assignment]  # names and inputs, for _neuron_view
    out = z if activation is None else getattr(z, activation)()
    rows = [_batch(row, "row", out, _ONE, None, j) for j, row in enumerate(out.data)]
    if activation is None:
        for r, label in zip(rows, labels or ()):
            r.label = label
    return rows


def _stacked(xs: tuple) -> Batch:
    """The inputs as one node of (n, B): the layer before's node itself when they are its rows, in order."""
    first = xs[0]
    if first.op == "row":
        whole = first._a
        if len(xs) == len(whole.data) and all(x.op == "row" and x._a is whole and x._db == j
                                              for j, x in enumerate(xs)):
            return whole
    lengths = {x.data.shape for x in xs}
    if len(lengths) != 1 or any(x.data.__class__ is not np.ndarray for x in xs):
        raise ValueError("a layer's inputs must be Batches of the same number of examples, got "
                         f"{sorted(len(x) for x in xs)} examples")
    return _batch(np.array([x.data for x in xs]), "rows", xs, None)


def _binary(op: str, f: Any, a: Value, b: Value) -> Batch:
    """The Batch node of a binary op from the table: f(a, b) -> (value, d/da, d/db), checked finite."""
    da, db = a.data, b.data
    if da.__class__ is np.ndarray and db.__class__ is np.ndarray and da.shape != db.shape:
        raise ValueError(f"{op} of a Batch of {da.shape[-1]} examples ({a._name()}) and one of "
                         f"{db.shape[-1]} ({b._name()}): the numbers of examples must match "
                         "(a parameter shared by every example is a Value)")
    return _checked(op, f(da, db), (a, b))


def _unary(op: str, f: Any, x: Value) -> Batch:
    return _checked(op, f(x.data), (x,))


# ops whose local derivatives are constants or their operands' numbers: only their value can leave the
# floats (an operand that has, a nan parameter, makes the value nan too), so only it is checked
_FINITE_LOCALS = frozenset(("+", "-", "*", "neg", "relu", "sum"))


def _checked(op: str, result: tuple, operands: tuple) -> Batch:
    """The node of `op` from (value, d/d each operand); the engine's OverflowError if one left the floats."""
    for part in result[:1] if op in _FINITE_LOCALS else result:
        if part.__class__ is np.ndarray and not np.isfinite(part).all() or (
                part.__class__ is float and part - part != 0.0):
            _finite(op, part, operands)
    if len(operands) == 1:
        return _batch(result[0], op, operands[0], result[1])
    return _batch(result[0], op, operands[0], result[1], operands[1], result[2])


def _finite(op: str, x: Any, operands: Sequence[Value]) -> Any:
    """x, if every number in it is finite; else an OverflowError naming the op, the nodes and the example."""
    if np.isfinite(x).all():
        return x
    array = np.asarray(x, dtype=float)
    names = ", ".join(v._name() for v in operands)
    if array.ndim:
        where = tuple(np.argwhere(~np.isfinite(array))[0])
        at = f"{float(array[where])!r} at example {where[-1]}"
    else:
        at = repr(float(array))
    raise OverflowError(f"{op} leaves the floats ({at}; {names}): "
                        "keep the numbers between about 1e-308 and 1e308 in size")


def _first(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


def _at(x: np.ndarray, mask: np.ndarray) -> str:
    k = _first(mask)
    return f"{x[k]!r} (example {k})"


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
    zero = np.asarray(b.data) == 0.0
    if np.any(zero):
        example = f", example {_first(zero)}" if zero.ndim else ""
        raise ZeroDivisionError(f"division by zero: the divisor {b._name()} is 0.0{example}")
    return _binary("/", _div, a, b)


def _power(a: Value, b: Value) -> Batch:
    base = np.asarray(a.data)
    if np.any(base <= 0.0):
        at = _at(base, base <= 0.0) if base.ndim else repr(a.data)
        raise ValueError(f"** with a Value exponent needs a base > 0, got {at} ({a._name()}): "
                         "use a number exponent for a negative base")
    return _binary("**", ARRAY_OPS["**"], a, b)


def _lift(x: Any) -> Value:
    """A Batch or Value as it is; an array of per-example numbers as a Batch; a number as a Value."""
    if isinstance(x, Value):
        return x
    if isinstance(x, np.ndarray) and x.ndim == 1:
        return Batch(x)
    return Value(x)
