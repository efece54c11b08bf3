"""micrograd's own names and its way of adding an op, for the lectures and notebooks written for it.

micrograd builds an op's output as ``Value(data, (a, b), 'op')`` and then sets
``out._backward`` to a closure that moves ``out.grad`` back to ``a`` and ``b``.
`Value` (micrograd/engine.py) inherits these few members, so such code runs
unchanged: only nodes made this way keep a closure, and backward() calls it in
the place of the table's local derivatives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class MicrogradWays:
    """`_prev`, `_op`, `_backward` and the constructor's `_children`, as micrograd spells them."""

    __slots__ = ()  # Value declares the slots; these members reach them through an untyped self

    @property
    def _prev(self: Any) -> tuple:
        """micrograd's name for `inputs`, so its draw_dot recipes keep working."""
        return self.inputs

    @property
    def _op(self: Any) -> str:
        """micrograd's name for `op`."""
        return self.op

    @property
    def _backward(self: Any) -> Callable[[], None]:
        """micrograd's per-node step: add local * grad to each input (a new bound method, never kept)."""
        return self._closure if self._closure is not None else self._chain

    @_backward.setter
    def _backward(self, closure: Callable[[], None]) -> None:
        if not callable(closure):
            raise TypeError(f"_backward must be a function of no arguments, got {closure!r}")
        v: Any = self  # a Value: its slots are declared there
        v._adopt(v.inputs, always=True)
        v._closure = closure

    def _chain(self: Any) -> None:
        for node, local in zip(self.inputs, self.local_grads):
            node.grad += local * self.grad

    def _made_from(self, children: Iterable[Any] | str, op: str, label: str) -> None:
        """The rest of Value(data, _children, _op, label): a label by position, or inputs and op."""
        if isinstance(children, str):  # Value(2.0, 'x'): this package's way of writing a label
            label, children = children, ()
        for what, given in (("label", label), ("_op", op)):
            if not isinstance(given, str):
                raise TypeError(f"a Value's {what} must be a str, got {type(given).__name__}: {given!r}")
        v: Any = self
        v.label = label
        v._adopt(children)

    def _adopt(self, children: Iterable[Any], always: bool = False) -> None:
        """Make self a node on these inputs whose chain rule is a closure (micrograd's way), set next."""
        kids = tuple(dict.fromkeys(children))  # each input once, in order (micrograd keeps a set)
        bad = [k for k in kids if not isinstance(k, MicrogradWays)]
        if bad:
            raise TypeError(f"a Value's _children must be Values (the inputs it was computed from), "
                            f"got {type(bad[0]).__name__}: {bad[0]!r}")
        if kids or always:  # a vector of inputs, no second operand; local derivatives 0 until _backward
            v: Any = self
            v._a, v._da, v._b, v._db, v._fold = kids, (0.0,) * len(kids), (), (), None

    def _probe(self: Any) -> tuple:
        """The local derivatives of a node with a closure: its inputs' grads after one call at grad 1."""
        kids = self.inputs
        saved, self.grad = [k.grad for k in kids] + [self.grad], 1.0
        for k in kids:
            k.grad = 0.0
        try:
            self._closure()
            return tuple(k.grad for k in kids)
        finally:
            for k, g in zip((*kids, self), saved):
                k.grad = g
