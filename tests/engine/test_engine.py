"""The engine against independent answers: hand formulas, finite differences, micrograd's README."""

import gc
import math

import numpy as np
import pytest

from micrograd import Value, backward_order, dot, topological_order
from micrograd.engine import Value as EngineValue


def central_difference(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


# (name, function on a Value, the same on a float, points away from kinks and edges)
UNARY = [
    ("exp", lambda v: v.exp(), math.exp, [-2.0, 0.3, 4.0]),
    ("log", lambda v: v.log(), math.log, [0.2, 1.0, 7.5]),
    ("tanh", lambda v: v.tanh(), math.tanh, [-1.5, 0.0, 0.8]),
    ("sigmoid", lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x)), [-3.0, 0.0, 2.5]),
    ("relu", lambda v: v.relu(), lambda x: max(0.0, x), [-1.0, 0.5, 3.0]),
    ("neg", lambda v: -v, lambda x: -x, [-1.0, 2.0]),
    ("square", lambda v: v**2, lambda x: x**2, [-3.0, 0.7]),
    ("cube", lambda v: v**3, lambda x: x**3, [-1.3, 2.0]),
    ("sqrt", lambda v: v**0.5, math.sqrt, [0.5, 4.0]),
    ("reciprocal", lambda v: v**-1, lambda x: 1 / x, [-2.0, 0.5]),
    ("radd", lambda v: 3 + v, lambda x: 3 + x, [1.0]),
    ("rsub", lambda v: 3 - v, lambda x: 3 - x, [1.0]),
    ("rmul", lambda v: 3 * v, lambda x: 3 * x, [1.0]),
    ("rtruediv", lambda v: 3 / v, lambda x: 3 / x, [-1.5, 2.0]),
    ("rpow", lambda v: 2**v, lambda x: 2**x, [-1.0, 1.5]),
]


@pytest.mark.parametrize("name, op, ref, points", UNARY, ids=[u[0] for u in UNARY])
def test_unary_ops_match_float_math_and_finite_differences(name, op, ref, points):
    for x in points:
        v = Value(x)
        out = op(v)
        out.backward()
        assert out.data == pytest.approx(ref(x), rel=1e-12)
        assert v.grad == pytest.approx(central_difference(ref, x), rel=1e-6, abs=1e-9)


BINARY = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("truediv", lambda a, b: a / b),
    ("pow", lambda a, b: a**b),
]


@pytest.mark.parametrize("name, op", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("x, y", [(1.7, 0.4), (0.3, -2.2), (2.5, 3.0)])
def test_binary_ops_against_finite_differences(name, op, x, y):
    a, b = Value(x), Value(y)
    out = op(a, b)
    out.backward()
    assert out.data == pytest.approx(op(x, y), rel=1e-12)
    assert a.grad == pytest.approx(central_difference(lambda t: op(t, y), x), rel=1e-6)
    assert b.grad == pytest.approx(central_difference(lambda t: op(x, t), y), rel=1e-6)


def test_inputs_are_kept_in_order_with_their_local_derivatives():
    a, b = Value(3.0, "a"), Value(-2.0, "b")
    c = a * b
    assert c.op == "*" and c.inputs == (a, b) and c.local_grads == (-2.0, 3.0)
    d = b - a
    assert d.inputs == (b, a) and d.local_grads == (1.0, -1.0)
    assert a.op == "" and a.inputs == () and a.grad == 0.0 and isinstance(a.grad, float)


def test_dot_is_one_node_whose_edges_are_the_documents_partials():
    w = [Value(-2.0), Value(3.0)]
    x = [Value(2.0), Value(3.0)]
    b = Value(0.5)
    z = dot(w, x, b)
    assert z.data == -2 * 2 + 3 * 3 + 0.5
    assert z.inputs == (w[0], x[0], w[1], x[1], b)
    assert z.local_grads == (2.0, -2.0, 3.0, 3.0, 1.0)
    (z * z).backward()
    # d(z^2)/dw_i = 2 z x_i, d(z^2)/dx_i = 2 z w_i, d(z^2)/db = 2 z
    assert [v.grad for v in w] == [2 * 5.5 * 2, 2 * 5.5 * 3]
    assert [v.grad for v in x] == [2 * 5.5 * -2, 2 * 5.5 * 3]
    assert b.grad == 11.0
    with pytest.raises(ValueError, match="2 and 3"):
        dot(w, [1.0, 2.0, 3.0])


def test_micrograd_readme_vector():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def test_a_node_used_twice_gets_both_contributions():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    b = Value(3.0)
    (b * b * b).backward()
    assert b.grad == 27.0  # 3 b^2


def test_backward_accumulates_and_zero_grad_clears_the_graph():
    a, b = Value(2.0), Value(5.0)
    c = a * b + a
    c.backward()
    first = (a.grad, b.grad, c.grad)
    assert first == (6.0, 2.0, 1.0)
    c.backward()
    assert (a.grad, b.grad, c.grad) == tuple(2 * g for g in first)
    c.zero_grad()
    assert all(v.grad == 0.0 for v in topological_order(c))
    c.backward(grad=-0.5)
    assert (a.grad, b.grad) == (-3.0, -1.0)


def test_values_are_floats_and_bad_data_is_a_type_error_naming_the_type():
    assert Value(3).data == 3.0 and type(Value(3).data) is float
    assert type(Value(np.float32(1.5)).data) is float and Value(np.int64(7)).data == 7.0
    for bad, name in [("2", "str"), ([1.0], "list"), (None, "NoneType"), (True, "bool"), (1j, "complex")]:
        with pytest.raises(TypeError, match=name):
            Value(bad)
    with pytest.raises(TypeError, match="str"):
        Value(1.0) + "x"
    with pytest.raises(ValueError, match="finite"):
        Value(float("nan"))


def test_numpy_scalars_on_the_left_give_values():
    v = Value(3.0)
    for out in (np.float64(2.0) * v, np.int64(2) + v, -np.float32(1.0) * v):
        assert isinstance(out, Value)


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: Value(0.0, "z2").log(), ValueError, ["log", "0.0", "'z2'", "> 0"]),
        (lambda: Value(-1.0).log(), ValueError, ["log", "-1.0"]),
        (lambda: Value(1.0) / Value(0.0, "d"), ZeroDivisionError, ["division", "'d'", "0.0"]),
        (lambda: 1.0 / Value(0.0), ZeroDivisionError, ["division"]),
        (lambda: Value(-8.0, "u") ** (1 / 3), ValueError, ["-8.0", "'u'", "whole-number"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["0.0", "-1"]),
        (lambda: Value(-2.0) ** Value(2.0), ValueError, ["base > 0", "-2.0"]),
        (lambda: Value(800.0, "big").exp(), OverflowError, ["exp", "800.0", "'big'"]),
        (lambda: Value(1e200) ** 2, OverflowError, ["**2", "1e+200", "leaves the floats"]),
        # + - * / return inf rather than raise in Python: the node says so instead
        (lambda: Value(1e308, "p") + Value(1e308), OverflowError, ["+", "'p'", "its value = inf"]),
        (lambda: Value(-1e308) - 1e308, OverflowError, ["-", "its value = -inf"]),
        (lambda: Value(1e200) * Value(1e200, "q"), OverflowError, ["*", "'q'", "inf"]),
        (lambda: Value(1e300) / Value(1e-10), OverflowError, ["/", "its value = inf"]),
        # a finite value whose local derivative is not: -a / b**2 at b = 1e-160
        (lambda: Value(1.0) / Value(1e-160, "tiny"), OverflowError, ["/", "'tiny'", "d/db = -inf"]),
        (lambda: Value(5e-324).log(), OverflowError, ["log", "d/dx = inf"]),
        (lambda: dot([Value(10.0), Value(1.0)], [1e308, 1e308]), OverflowError, ["drive", "inf"]),
        (lambda: Value(0.0, "u") ** 0.5, OverflowError, ["**0.5", "'u'", "d/dx = inf"]),
        (lambda: Value(2.0) ** Value(1e6, "k"), OverflowError, ["**", "'k'", "its value = inf"]),
    ],
)
def test_domain_errors_name_the_op_and_the_value(make, error, words):
    with pytest.raises(error) as info:
        make()
    message = str(info.value)
    assert "math domain error" not in message
    for word in words:
        assert word in message


def test_sigmoid_is_stable_far_from_zero():
    assert Value(-800.0).sigmoid().data == 0.0
    assert Value(800.0).sigmoid().data == 1.0
    assert Value(-30.0).sigmoid().data == pytest.approx(1 / (1 + math.exp(30)), rel=1e-12)


def test_repr_is_one_line():
    w = Value(0.5, "w1")
    w.grad = -0.04623904
    assert repr(w) == "Value(data=0.5, grad=-0.046239, label='w1')"
    assert repr(Value(2.0) * 3) == "Value(data=6, grad=0, op='*')"


def test_both_import_paths_give_the_same_class_and_micrograd_names_work():
    assert Value is EngineValue
    a = Value(1.0)
    c = a * 2
    assert c._op == "*" and a in c._prev


@pytest.mark.slow
def test_a_million_op_chain_backpropagates_without_recursion():
    import sys

    limit = sys.getrecursionlimit()
    x = leaf = Value(1.0)
    n = 1_000_000
    for _ in range(n):
        x = x * 0.999 + 0.001
    x.backward()
    # x_n = 0.999^n (x_0 - 1) + 1, so dx_n/dx_0 = 0.999^n
    assert leaf.grad == pytest.approx(0.999**n, rel=1e-9)
    assert sys.getrecursionlimit() == limit
    del x, leaf  # freeing a deep chain must not overflow the C stack either


def test_no_reference_cycles_a_graph_is_freed_by_refcounting():
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        xs = [Value(float(i)) * Value(0.5) for i in range(50_000)]
        total = sum(xs)
        total.backward()
        del xs, total
        found = gc.collect()
        assert found == 0
        assert not any(issubclass(type(o), Value) for o in gc.get_objects())
    finally:
        if was_enabled:
            gc.enable()


def test_backward_order_visits_each_node_before_its_inputs_first_input_first():
    x1, x2 = Value(1.0, "x1"), Value(2.0, "x2")
    a1, a2 = x1.tanh(), x2.tanh()
    out = a1 * a2
    order = backward_order(out)
    assert order[0] is out
    position = {id(v): k for k, v in enumerate(order)}
    for v in order:
        assert all(position[id(v)] < position[id(u)] for u in v.inputs)
    assert position[id(a1)] < position[id(a2)]  # walking back, the first input's branch comes first
    assert set(map(id, order)) == set(map(id, topological_order(out)))
