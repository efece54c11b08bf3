"""backward(), faster: an optimisation of the chain-rule loop in micrograd/engine.py.

`Value.backward` there walks `backward_order(root)` and, for each node, zips its
public views `inputs` and `local_grads`. This module installs a backward that does
the same additions in the same order, so every grad comes out to the same bits
(tests/engine/test_fastwalk.py holds the two together on random graphs), without the
views' overhead:

- the walk visits only the nodes with inputs: a leaf is noted where its consumer
  is, and a sum's terms whose inputs are placed go at once, without a trip through
  the stack (`interior_order`);
- a drive's vectors are checked once per pass, however many neurons share them;
- an activation with its drive folded in (micrograd.drives) stays folded: the walk
  goes from a = f(z) straight to z's weights and inputs;
- nothing flows back from a node whose grad is 0 (a ReLU that is off, a hinge met),
  and the grads from before are set aside only when there are some.

One difference no sum can see: within one drive, the plain loop adds to w1, x1, w2,
x2, ... in turn and this one to all the weights, then all the inputs, so a Value that
is both a weight and an input of the same drive may round differently.
"""

from __future__ import annotations

from operator import attrgetter

from micrograd.checks import as_float
from micrograd.engine import Number, Value, _interleave

plain_backward = Value.backward  # the core's loop, kept for the property test and for reading
_grad_of = attrgetter("grad")


def backward(self: Value, grad: Number = 1.0) -> None:
    """Add d(self)/d(node) * grad to the grad of every node that self depends on.

    The seed `grad` is 1.0 unless given. Gradients accumulate: calling
    backward() twice doubles every grad, as in PyTorch, so clear them first
    with `zero_grad()` (the whole graph) or a model's zero_grad() (its
    parameters) when you want a fresh gradient.
    """
    leaves: list[Value] = []
    order = interior_order(self, leaves)
    order.reverse()  # the nodes with inputs, each before its inputs
    carry = any(map(_grad_of, order)) or any(map(_grad_of, leaves))
    if carry:  # this pass's contributions are computed from zero, then added on
        order += leaves
        earlier = [v.grad for v in order]
        for v in order:
            v.grad = 0.0
    self.grad = as_float(grad, "backward seed")
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
            elif out._closure is not None:  # an op written micrograd's way (its inputs are a vector too)
                out._closure()
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


backward.__qualname__ = "Value.backward"
Value.backward = backward  # type: ignore[method-assign]


def interior_order(root: Value, leaves: list[Value]) -> list[Value]:
    """The nodes with inputs under root, each after its inputs; the leaves go to `leaves` as met.

    The reverse of `backward_order(root)` without its leaves (a property test checks
    it). Folded drives stay folded.
    """
    order: list[Value] = []
    seen: set[Value] = set()
    done: set[int] = set()  # ids of vectors (a layer's inputs, a neuron's weights) whose nodes are all placed
    stack: list[Value | None] = [root]  # nodes to visit; None marks "the node below is complete"
    pop, place, saw, leaf = stack.pop, order.append, seen.add, leaves.append  # bound once: this loop is hot
    while stack:
        v = pop()
        if v is None:  # every input of the node under the marker is placed: it can go next
            place(pop())  # type: ignore[arg-type]
            continue
        if v in seen:
            continue
        saw(v)
        a, b = v._a, v._b
        if a is None:
            leaf(v)
        elif a.__class__ is not tuple:  # one or two Values: push the ones not placed yet
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
            else:  # b, popped next, goes at once if its inputs are leaves or placed (a sum's terms)
                p, q = b._a, b._b
                if (p.__class__ is not tuple and (p._a is None or p in seen)
                        and (q is None or q._a is None or q in seen)):
                    if p._a is None and p not in seen:
                        saw(p)
                        leaf(p)
                    if q is not None and q._a is None and q not in seen:
                        saw(q)
                        leaf(q)
                    saw(b)
                    place(b)
                    stack += (v, None, a)
                else:
                    stack += (v, None, a, b)
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
            stack += nodes  # last in, first out: the last input is explored first, as backward_order does
    return order


def _placed(operand: object, seen: set, done: set) -> bool:
    """Whether every node of an operand (a Value, a vector of them, or None) is already placed."""
    if operand is None:
        return True
    if operand.__class__ is not tuple:
        return operand in seen
    if id(operand) in done:
        return True
    if seen.issuperset(operand):  # seen and not placed would make a cycle
        done.add(id(operand))
        return True
    return False
