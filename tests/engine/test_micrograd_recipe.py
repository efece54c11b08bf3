"""micrograd's way of extending the engine: Value(data, _children, _op, label) and out._backward.

nn-zero-to-hero's micrograd lecture adds ops to Value by making the output node with
its inputs and op name, then setting a closure that moves the gradient back. Those
nodes must backpropagate like ours; the built-in ones stay free of closures.
"""

import gc
import math

import pytest

from micrograd import Value, backward_order, topological_order


def user_tanh(x: Value) -> Value:
    t = (math.exp(2 * x.data) - 1) / (math.exp(2 * x.data) + 1)
    out = Value(t, (x,), "tanh")

    def _backward():
        x.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def user_exp(x: Value) -> Value:
    out = Value(math.exp(x.data), (x,), "exp")

    def _backward():
        x.grad += out.data * out.grad

    out._backward = _backward
    return out


def user_mul(a: Value, b: Value) -> Value:
    out = Value(a.data * b.data, _children=(a, b), _op="*")

    def _backward():
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad

    out._backward = _backward
    return out


def neuron(tanh, mul):
    """A two-input neuron as the lecture draws it: o = tanh(x1 w1 + x2 w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = mul(x1, w1) + mul(x2, w2) + b
    return tanh(n), (x1, x2, w1, w2, b)


def test_the_constructor_takes_children_and_op_by_position_and_by_keyword():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    by_position = Value(4.0, (a,))
    assert by_position.inputs == (a,) and by_position.label == "" and by_position._prev == (a,)
    by_keyword = Value(5.0, _children=(a, b), _op="+", label="c")
    assert by_keyword.inputs == (a, b) and by_keyword._op == "+" and by_keyword.label == "c"
    assert Value(6.0, (a, b), "*", "d").label == "d"
    assert Value(2.0, "x").label == "x" and Value(2.0, "x").inputs == ()  # a string there is a label
    assert Value(1.0, (a, a)).inputs == (a,)  # each input once, as micrograd's set keeps them


def test_bad_labels_children_and_closures_are_type_errors_saying_what_was_passed():
    with pytest.raises(TypeError, match=r"label must be a str, got int: 3"):
        Value(1.0, label=3)
    with pytest.raises(TypeError, match=r"_op must be a str, got tuple"):
        Value(1.0, (), ("+",))
    with pytest.raises(TypeError, match=r"_children must be Values .* got float: 2.0"):
        Value(1.0, (2.0,))
    with pytest.raises(TypeError, match=r"_backward must be a function"):
        Value(1.0)._backward = 3


def test_a_user_built_tanh_backpropagates_like_the_built_in_one():
    o, leaves = neuron(user_tanh, user_mul)
    o.backward()
    o2, leaves2 = neuron(Value.tanh, lambda a, b: a * b)
    o2.backward()
    assert o.data == pytest.approx(o2.data, rel=1e-15)
    for mine, builtin in zip(leaves, leaves2):
        assert mine.grad == pytest.approx(builtin.grad, rel=1e-14, abs=1e-15)
    # the lecture's numbers: do/dw1 = x1 (1 - o^2) = 1.0, do/dx2 = w2 (1 - o^2) = 0.5
    assert leaves[2].grad == pytest.approx(1.0, rel=1e-12) and leaves[1].grad == pytest.approx(0.5, rel=1e-12)


def test_user_ops_match_pytorch_and_central_differences():
    torch = pytest.importorskip("torch")

    def f(lib_tanh, lib_exp, lib_mul, x):
        y = lib_mul(x, x) + 1.0
        return lib_tanh(lib_mul(lib_exp(y * 0.5), x)) * 2.0

    x = Value(0.3)
    out = f(user_tanh, user_exp, user_mul, x)
    out.backward()
    t = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    tout = f(torch.tanh, torch.exp, lambda a, b: a * b, t)
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-14)
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-13)
    h = 1e-6
    plain = lambda v: f(math.tanh, math.exp, lambda a, b: a * b, v)  # noqa: E731
    assert x.grad == pytest.approx((plain(0.3 + h) - plain(0.3 - h)) / (2 * h), rel=1e-7)


def test_a_user_op_shows_its_local_derivatives_and_accumulates_like_any_node():
    x = Value(0.5)
    o = user_tanh(x * 2.0)
    assert o.local_grads == (1 - o.data**2,)  # asked of its closure, at grad 1
    assert x.grad == 0.0 and o.grad == 0.0  # and asking leaves every grad as it was
    assert backward_order(o)[0] is o and x in topological_order(o)
    o.backward()
    first = x.grad
    o.backward()
    assert x.grad == 2 * first
    square = user_mul(x, x)  # the same input twice: one input, both halves of the chain rule
    assert square.inputs == (x,) and square.local_grads == (2 * x.data,)


def test_micrograds_manual_backward_steps_run_on_built_in_nodes():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + Value(10.0)
    d.grad = 1.0
    for node in reversed(topological_order(d)):  # micrograd's own loop: node._backward() in turn
        node._backward()
    assert (a.grad, b.grad, c.grad) == (-3.0, 2.0, 1.0)
    assert d._closure is None and c._closure is None  # nothing kept: the method is made on each look


def test_only_user_ops_carry_a_closure_so_a_built_in_graph_has_no_cycles():
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        x = Value(0.5)
        y = ((x * 3.0).tanh() + x.exp()).relu()
        y.backward()
        assert all(v._closure is None for v in topological_order(y))
        del x, y
        assert gc.collect() == 0  # nothing for the cycle collector: freed by reference counting
        z = user_tanh(Value(0.5))
        del z
        assert gc.collect() > 0  # the closure points back at its node: micrograd's cycle
    finally:
        if was:
            gc.enable()
