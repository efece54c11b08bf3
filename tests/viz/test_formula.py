"""Formulas: a whitelist read with ast (never eval), drives as one node, gradients by finite differences."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd import Value
from viz.homework.formula import FormulaError, build, show, split
from viz.notation.document import T


def leaves(**values):
    return {name: Value(v, name) for name, v in values.items()}


def test_a_sum_of_products_is_one_drive_node_with_the_weight_first():
    env = leaves(x1=-0.7, x2=1.2, w1=-1.7, w2=0.1, b=0.3)
    out = build({"s": "x1*w1 + x2*w2 + b"}, env, frozenset({"w1", "w2", "b"}))
    s = out["s"]
    assert s.op == "w·x+b" and s.label == "s"
    assert [v.label for v in s.inputs] == ["w1", "x1", "w2", "x2", "b"]
    assert s.data == pytest.approx(-0.7 * -1.7 + 1.2 * 0.1 + 0.3)


def test_other_shapes_use_the_engines_ops():
    env = leaves(a=2.0, b=3.0)
    out = build({"c": "a - b", "d": "exp(c) / a", "e": "-d ** 2", "f": "sqrt(a) * 2 + 1"}, env)
    assert [out[k].op for k in "cdef"] == ["-", "/", "neg", "+"]
    assert out["e"].data == pytest.approx(-(math.exp(-1) / 2) ** 2)
    assert out["f"].data == pytest.approx(math.sqrt(2) * 2 + 1)


@pytest.mark.parametrize("expr, message", [
    ("__import__('os').system('true')", "system\\(\\) is not a known function"),
    ("a.real", "'a.real' is not allowed"),
    ("[a, b]", "is not allowed"),
    ("a if b else 1", "is not allowed"),
    ("'text'", "'text' is not a number"),
    ("sigmoid(a, b)", "sigmoid\\(\\) takes one argument, got 2"),
    ("lambda: 1", "is not allowed"),
    ("a +* b", "cannot be read at column"),
    ("abs(a - b)", "write \\(a - b\\)\\*\\*2 for \\|a - b\\|\\^2"),
])
def test_anything_outside_the_whitelist_is_refused(expr, message):
    with pytest.raises(FormulaError, match=message):
        build({"c": expr}, leaves(a=1.0, b=2.0))


def test_names_must_exist_earlier_and_be_new():
    with pytest.raises(FormulaError, match="uses 'd', which is not defined \\(it is defined later"):
        build({"c": "d + 1", "d": "a"}, leaves(a=1.0))
    with pytest.raises(FormulaError, match="defines 'a' a second time"):
        build({"a": "2 * a"}, leaves(a=1.0))
    with pytest.raises(FormulaError, match="only gives 'a' a second name"):
        build({"c": "a"}, leaves(a=1.0))
    with pytest.raises(FormulaError, match="is a function's name"):
        split("tanh = a")
    with pytest.raises(FormulaError, match="is not a formula"):
        split("just words")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=4, max_size=4))
def test_gradients_of_a_formula_graph_match_central_differences(xs):
    formulas = {"s": "x*w + y*v", "h": "tanh(s)", "g": "sigmoid(h * v) + exp(w / 4)",
                "L": "(g - 1)**2 + relu(s)"}

    def loss(values: dict) -> Value:
        env = leaves(**values)
        return build(formulas, env, frozenset({"w", "v"}))["L"], env

    point = dict(zip("xywv", xs))
    out, env = loss(point)
    out.backward()
    for name in "xywv":
        if abs(point["x"] * point["w"] + point["y"] * point["v"]) < 1e-3:
            return  # relu's kink: no derivative there
        h = 1e-6
        up, down = dict(point), dict(point)
        up[name] += h
        down[name] -= h
        numeric = (loss(up)[0].data - loss(down)[0].data) / (2 * h)
        assert env[name].grad == pytest.approx(numeric, rel=1e-4, abs=1e-6)


def test_show_writes_the_documents_notation_with_numbers_in_parentheses():
    names = {"x1": T("x_1", "x1"), "w1": T("w_1", "w1")}
    numbers = {"x1": -0.7, "w1": -1.7}
    number = lambda v: T(repr(v), repr(v))  # noqa: E731
    assert show("x1*w1 + 2", names.get, number).plain == "x1 · w1 + 2.0"
    assert show("x1*w1 + 2", lambda n: number(numbers[n]), number).plain == "(-0.7) · (-1.7) + 2.0"
    assert show("sigmoid(x1)**2 / w1", names.get, number).latex == r"\frac{\sigma\left(x_1\right)^{2.0}}{w_1}"
    assert show("-(x1 - w1)", names.get, number).plain == "-(x1 - w1)"


# Random formulas with a number on either side of every operator: the graph's value equals the same
# formula on plain floats, and d/dw equals a central difference (numbers on the left used to crash).
_OPS = ["+", "-", "*", "/"]


@st.composite
def _formulas(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(["w", "x", "0.5", "2", "3", "1.5"]))
    left, right = draw(_formulas(depth=depth - 1)), draw(_formulas(depth=depth - 1))
    op = draw(st.sampled_from(_OPS + ["**2", "log", "sigmoid"]))
    if op == "**2":
        return f"({left})**2"
    if op in ("log", "sigmoid"):
        return f"{op}(({left})**2 + 1)" if op == "log" else f"sigmoid({left})"
    return f"({left}) {op} ({right})"


def _plain(expr, w, x):
    functions = {"log": math.log, "sigmoid": lambda z: 1 / (1 + math.exp(-z))}
    tree = compile(expr, "<formula>", "eval")  # the test's own reference, on plain floats
    return eval(tree, {"__builtins__": {}}, {"w": w, "x": x, **functions})


@settings(max_examples=300, deadline=None)
@given(_formulas())
def test_numbers_on_either_side_of_every_operator(expr):
    w0, x0 = 0.7, -1.3
    if expr in ("w", "x"):
        return  # a second name for a leaf is refused (test_errors)
    try:
        expected = _plain(expr, w0, x0)
    except ZeroDivisionError:
        return
    if not math.isfinite(expected) or abs(expected) > 1e6:
        return
    env = leaves(w=w0, x=x0)
    out = build({"y": expr}, env, frozenset({"w"}))["y"]
    assert out.data == pytest.approx(expected, rel=1e-12, abs=1e-12)
    out.backward()
    if "w" not in expr:
        assert env["w"].grad == 0.0
        return
    h = 1e-6
    numeric = (_plain(expr, w0 + h, x0) - _plain(expr, w0 - h, x0)) / (2 * h)
    assert env["w"].grad == pytest.approx(numeric, rel=1e-4, abs=1e-5)
