"""Penalties on a model's parameters, each ONE node in the graph however many parameters it covers.

`l2(model, alpha)` is alpha * sum of p**2 over every parameter: micrograd's demo writes
it as ``alpha * sum(p*p for p in model.parameters())``, which micrograd.params also
makes one node (SumOfSquares), but one Python step per parameter; here each layer's
parameters are squared and summed as one array, so the term costs the same for 337
parameters as for 17,000. Its local derivative with respect to each parameter p is
2 alpha p, and backward() adds 2 alpha p * grad to each p.grad (into the layer's
array in batch mode).

>>> import nn
>>> model = nn.MLP(1, [1], init=3.0)    # w = 3, b = 3
>>> reg = nn.l2(model, alpha=0.5)        # 0.5 * (9 + 9)
>>> reg.data, reg.op
(9.0, 'L2')
>>> reg.backward()
>>> [p.grad for p in model.parameters()]   # 2 * 0.5 * 3
[3.0, 3.0]
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

import numpy as np

from micrograd import Value
from micrograd.checks import as_float, not_finite
from micrograd.engine import _new
from micrograd.params import Block, Param, Shared


class Penalty(Shared):
    """alpha * sum of p**2 over some parameters, as one node (its own chain rule, over whole arrays)."""

    __slots__ = ("_blocks", "_others", "_alpha", "__weakref__")
    _blocks: list[tuple[Block, np.ndarray]]  # each whole layer's block and its numbers when computed
    _others: list[tuple[Value, float]]  # parameters outside a whole block, with their numbers
    _alpha: float

    @property
    def inputs(self) -> tuple:
        """Every parameter the term covers."""
        return (*(p for block, _ in self._blocks for p in block.views), *(p for p, _ in self._others))

    @property
    def local_grads(self) -> tuple:
        """2 alpha p for each parameter p, at the numbers the term was computed from."""
        two_alpha = 2.0 * self._alpha
        in_blocks = [two_alpha * w for _, data in self._blocks for w in _entries(data, _)]
        return (*in_blocks, *(two_alpha * d for _, d in self._others))


def _entries(data: np.ndarray, block: Block) -> list[float]:
    return (data.ravel() if block.mask is None else data[block.mask]).tolist()


def l2(parameters: Any, alpha: float = 1.0) -> Penalty:
    """alpha * (sum of p**2 over every parameter of a model, or of a list of parameters) as one node."""
    alpha = as_float(alpha, "alpha")
    if hasattr(parameters, "parameter_blocks"):  # a model: its layers' blocks, without listing every weight
        blocks, others = parameters.parameter_blocks()
    else:
        params = list(parameters)
        if not params or not all(isinstance(p, Value) for p in params):
            raise TypeError("l2 needs a model or a list of its parameters (Values), got "
                            f"{type(parameters).__name__}")
        blocks, others = _whole_blocks(params)
    total = 0.0
    kept = []
    for block in blocks:
        data = block.data  # the numbers of this step (a block never writes into a given array)
        square = data * data
        total += float(square.sum())
        kept.append((block, data))
    total += sum(p.data * p.data for p in others)
    out = _new(Penalty)
    out.data, out.grad, out.label, out.op = alpha * total, 0.0, "", "L2"
    if out.data - out.data != 0.0:
        raise not_finite("L2", others[:1] or [blocks[0].views[0]], (out.data,))
    # to the walks a node with no operands; its closure adds 2 alpha p * grad to every parameter
    out._a, out._da, out._b, out._db, out._fold = (), (), (), (), None
    out._blocks, out._others, out._alpha = kept, [(p, p.data) for p in others], alpha
    out._closure = _chain_rule(weakref.ref(out))
    return out


def _chain_rule(node: weakref.ref) -> Any:
    """The penalty's backward step; it holds its node weakly, so the graph keeps no cycle."""
    def chain() -> None:
        out = node()
        if out is None or out.grad == 0.0:
            return
        scale = 2.0 * out._alpha * out.grad
        for block, data in out._blocks:
            block.add_grad(scale * data)
        for p, d in out._others:
            p.grad += scale * d
    return chain


def _whole_blocks(params: Iterable[Value]) -> tuple[list[Block], list[Value]]:
    """The blocks all of whose parameters are listed (each once), and the other parameters."""
    params = list(params)
    listed = {id(p) for p in params}
    counts: dict[int, int] = {}
    blocks: dict[int, Block] = {}
    for p in params:
        if isinstance(p, Param):
            key = id(p._block)
            counts[key] = counts.get(key, 0) + 1
            blocks[key] = p._block
    whole = {}  # in the order the parameters list them, so the sum is always taken alike
    for key, block in blocks.items():
        views = block.views
        if counts[key] == len(views) and all(id(p) in listed for p in views):
            whole[key] = block
    others = [p for p in params if not (isinstance(p, Param) and id(p._block) in whole)]
    return list(whole.values()), others
