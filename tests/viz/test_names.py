"""viz.notation.names and .numbers: one typeset name per node, and numbers that never round into a lie."""

import math

from hypothesis import given
from hypothesis import strategies as st

import nn
from micrograd import Value, topological_order
from viz.notation.names import leaf_kind, node_names, outputs, typeset
from viz.notation.numbers import HONEST_DIGITS, number, pretty


def _seed_004():
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", layout="in_out",
                   weights=[[[-1, 2], [-2, 1], [1, 4]], [[1], [2], [-4]]])
    loss = nn.half_sum_squares(model([Value(2.0, "x1"), Value(5.0, "x2")]), Value(1.0, "t1"))
    loss.label = "loss"
    return topological_order(loss)


def test_typeset_writes_the_documents_notation():
    cases = {"w12^(1)": "w₁₂⁽¹⁾", "w12,3^(2)": "w₁₂,₃⁽²⁾", "b1^(2)": "b₁⁽²⁾", "z1^(2)": "z₁⁽²⁾",
             "a2^(1)": "a₂⁽¹⁾", "x3": "x₃", "y_hat": "ŷ", "y_hat2": "ŷ₂", "delta1^(2)": "δ₁⁽²⁾",
             "t1": "t₁", "loss": "L", "h1": "h₁", "w_out": "w_out", "my node": "my node"}
    assert {label: typeset(label) for label in cases} == cases


def test_seed_004_loss_end_is_named_from_the_output_and_target():
    order = _seed_004()
    names = node_names(order)
    assert names[-4:] == ["t", "ŷ − t", "(ŷ − t)²", "L"]
    assert node_names(order, unicode=False)[-4:] == ["t", "y_hat - t", "(y_hat - t)^2", "loss"]
    assert [v.label for v in outputs(order)] == ["a1^(2)"]
    assert names[[v.label for v in order].index("a1^(2)")] == "ŷ"


def test_half_in_front_of_a_square_reads_as_a_half():
    y, t = Value(0.25, "a1^(2)"), Value(1.0, "t1")
    order = topological_order(0.5 * (y - t) ** 2)
    assert node_names(order)[-1] == "½ (ŷ − t)²"


def test_several_outputs_get_indices_and_their_own_targets():
    model = nn.MLP(2, [3], activation="linear", init=0.1)
    targets = [Value(v, f"t{k}") for k, v in enumerate([0.0, 1.0, 0.0], 1)]
    loss = nn.half_sum_squares(model([Value(1.0, "x1"), Value(0.0, "x2")]), targets)
    names = node_names(topological_order(loss))
    for j in (1, 2, 3):
        assert f"ŷ{'₀₁₂₃'[j]} − t{'₀₁₂₃'[j]}" in names


def test_leaf_kinds():
    assert [leaf_kind(Value(1.0, s)) for s in ("w12^(1)", "b1", "x2", "t1", "")] == [
        "parameter", "parameter", "input", "constant", "constant"]
    assert leaf_kind(Value(1.0, "w") * 2) is None


def test_sigmoid_24_is_not_shown_as_1():
    s = Value(24.0).sigmoid().data
    assert number(s) == "0.999999999962" and pretty(s) == "0.999999999962"
    assert number(1.0) == "1" and number(-0.04623902) == "-0.04624"
    assert pretty(-1.396e-11) == "−1.396×10⁻¹¹"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
       st.integers(min_value=1, max_value=8))
def test_a_number_is_either_exact_or_shows_that_it_is_rounded(x, digits):
    text = number(x, digits)
    shown = float(text)
    if shown == x:
        return
    mantissa = text.split("e")[0].lstrip("-")
    significant = mantissa.replace(".", "").lstrip("0")
    if "." not in mantissa:
        significant = significant.rstrip("0")
    # rounded: at most one zero dropped (two would read as an exact number), or shown to 12 digits
    least = digits if digits <= 2 else digits - 1
    assert len(significant) >= least or math.isclose(shown, x, rel_tol=10 ** -(HONEST_DIGITS - 1))
    assert math.isclose(shown, x, rel_tol=10 ** -(digits - 1), abs_tol=0)


def test_logits_under_cross_entropy_are_not_called_y_hat():
    logits = nn.MLP(4, [3], activation="linear", init=0.1)([Value(1.0, "x1"), 0.0, 1.0, 0.0])
    names = node_names(topological_order(nn.cross_entropy(logits, [0, 1, 0])))
    assert "z₁⁽¹⁾" in names and not any(n.startswith("ŷ") for n in names)
