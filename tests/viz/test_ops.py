"""viz.notation.ops reads the engine's op strings the way the engine writes them."""

import micrograd
from micrograd import Value
from viz.notation.names import formula
from viz.notation.ops import DOT_OPS, exponent, local_template, local_text, partner


def test_exponent_reads_the_number_the_engine_put_in_the_op():
    x = Value(3.0, "x")
    assert [exponent(op) for op in ((x ** 2).op, (x ** 0.5).op, (x ** -1).op)] == ["2", "0.5", "-1"]
    assert exponent((x ** Value(2.0)).op) is None and exponent("exp") is None


def test_partner_is_the_input_whose_data_the_engine_stored_as_the_local_derivative():
    w, x, b = micrograd.values([0.5, -2.0], "w"), micrograd.values([3.0, 7.0], "x"), Value(0.25, "b")
    a, c = Value(1.5, "a"), Value(-4.0, "c")
    for v in (micrograd.dot(w, x, bias=b), micrograd.dot(w, x), a * c):
        n = len(v.inputs)
        for p, local in enumerate(v.local_grads):
            bias = v.op == "w·x+b" and p == n - 1
            assert local == (1.0 if bias else v.inputs[partner(v.op, p, n)].data)
    assert set(DOT_OPS) == {micrograd.dot(w, x, bias=b).op, micrograd.dot(w, x).op}


def test_a_drive_reads_as_the_documents_sum_and_each_input_s_derivative_is_its_partner():
    args = ["w1", "x1", "w2", "x2", "-0.5"]
    assert formula("w·x+b", args) == "w1·x1 + w2·x2 + (-0.5)"
    assert [local_text("w·x+b", p, args, "z", True) for p in range(5)] == ["x1", "w1", "x2", "w2", "1"]
    assert local_template("w·x+b", 4, True) == ("1", "1")
    assert local_text("**3", 0, ["a + b"], "y", True) == "3·(a + b)^2"
    assert local_text("relu", 0, ["z"], "a", False) == "0 because z ≤ 0"
