"""A neuron's drive w·x + b as one node, and a layer's drives built together: an optimisation.

The chain rule in micrograd/engine.py is unchanged by anything here; these nodes are
the same sums it would build from `*` and `+`, stored so the graph is smaller.

- `dot`: z = w1 x1 + ... + wn xn (+ b) is one node whose operands are two vectors,
  the weights (w1, ..., wn, b) with local derivatives (x1, ..., xn, 1), and the inputs
  with local derivatives (w1, ..., wn): dL/dw_i = delta * x_i falls straight out.
- `drives`: the neurons of a layer share one vector of inputs (stored and walked once),
  a `cache` lets calls with unchanged weights share the numbers each node keeps,
  and with `activation` each node is a = f(z) with its drive z folded in: backward()
  goes from a straight to z's weights, one node per neuron instead of two, until the
  first look at a's `inputs` makes z a node of its own (`_unfold`, with the grad the
  chain rule gives it).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from operator import mul
from typing import Any

from micrograd.checks import as_float
from micrograd.engine import ACTIVATIONS, Number, Value, _new
from micrograd.params import Block, Param, _ArrayParam

_SCALAR = {Value, Param, _ArrayParam}  # one number each (a parameter too)


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
           cache: dict | Block | None = None, activation: str | None = None,
           labels: Sequence[str] | None = None) -> list[Value]:
    """The drives of neurons that all see `inputs`: one `dot` node per row of weights.

    Each row is a neuron's (w1, ..., wn, b), or (w1, ..., wn) with bias=False. The
    nodes share one vector of inputs, so a layer's graph holds it once; a row given
    as a tuple is kept as it is (a neuron that passes the same tuple every time is
    walked once per backward pass, not once per example). `cache` lets calls with
    unchanged weights share the numbers each node keeps as d/dx_i instead of
    copying them again: a layer passes its `Block` (micrograd.params), whose rows
    these are and whose version counter says whether they changed; a dict the
    caller keeps works too, checked by reading every weight.

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
    xs: tuple[Any, ...] = tuple(inputs)
    kinds = set(map(type, xs))
    if not kinds <= _SCALAR:
        kind = kinds.pop() if len(kinds) == 1 else None
        if kind is not None and issubclass(kind, Value):  # all Batches (micrograd.batch) do their own
            return kind.drives(rows, xs, bias, activation=activation, labels=labels,  # type: ignore[attr-defined]
                               block=cache if isinstance(cache, Block) else None)
        if any(isinstance(x, Value) for x in xs if type(x) not in _SCALAR):
            raise TypeError("a drive's inputs must be all Values (numbers become Values) or all Batches, "
                            f"got {sorted(k.__name__ for k in set(map(type, xs)))}")
        xs = tuple(x if isinstance(x, Value) else Value(x) for x in xs)  # numbers become leaf Values
    xd = [x.data for x in xs]
    n, m = len(xs), len(xs) + bias
    rows = list(map(tuple, rows))  # a tuple stays the very same object
    if set(map(len, rows)) - {m}:
        raise ValueError(f"a drive needs {n} weights{' and a bias' if bias else ''} for {n} inputs, "
                         f"got rows of {sorted(set(map(len, rows)))} Values")
    numbers: dict | None = None  # a dict cache: the numbers it holds are checked one by one
    if isinstance(cache, Block):  # a layer's own rows: its numbers, read once per change
        if cache._grad is not None:
            cache.in_slots()  # eager backward adds weight by weight: into each Param's slot
        wds: Sequence[tuple[float, ...]] = cache.numbers()
        hit = True
    else:
        numbers = cache
        try:  # every row's numbers in one pass, then sliced row by row
            flat = tuple([w.data for row in rows for w in row])
        except AttributeError:
            raise TypeError("a drive needs Values as weights (they receive gradients), got "
                            f"{sorted({type(w).__name__ for row in rows for w in row})}") from None
        hit = numbers is not None and numbers.get("numbers") == flat and len(numbers["rows"]) == len(rows)
        if hit:
            wds = numbers["rows"]  # type: ignore[index]  # the same weights as last time
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
        if s.__class__ is not float or s - s != 0.0:  # numpy float64 or int is fine; an array or inf is not
            s = _drive_number(s, row)
        z = _new(Value)  # engine._node(s, op, row, dx, xs, wd), written out: this is the hot loop of training
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
        z._closure = None
        out.append(z)
    if numbers is not None and not hit:
        numbers.update(numbers=flat, rows=wds)
    return out


def _unfold(a: Value) -> None:
    """Make the drive folded into activation a a node of its own: a = f(z) becomes a node on z.

    z gets the grad the chain rule gives it, d a/d z times a's grad.
    """
    z_data, local, label = a._fold  # type: ignore[misc]
    z = _new(Value)
    z.data, z.grad, z.label = z_data, local * a.grad, label
    z.op = "w·x+b" if len(a._a) > len(a._b) else "w·x"
    z._a, z._da, z._b, z._db, z._fold, z._closure = a._a, a._da, a._b, a._db, None, None
    a._a, a._da, a._b, a._db, a._fold = z, local, None, 0.0, None


Value._unfold = _unfold  # type: ignore[method-assign,assignment]  # the engine's views call it on a folded node


def _drive_number(s: Any, row: Sequence[Value]) -> float:
    try:
        s = as_float(s, "a drive")
    except TypeError:
        raise TypeError(f"a drive needs scalar Values as weights and inputs, got data {s!r}: "
                        "a Batch cannot be a weight") from None
    except ValueError:
        raise OverflowError(f"a drive (w·x + b) leaves the floats ({s!r}), weights {[w.data for w in row]}: "
                            "keep the numbers between about 1e-308 and 1e308 in size") from None
    return s
