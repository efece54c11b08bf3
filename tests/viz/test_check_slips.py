"""`check`'s explanations on sheets with planted slips, each worked out by hand here.

Seed 004 (2-2-1 sigmoid, W2 = (b, w11, w12) = (1, 2, -4), t = 1, lr = 2), seed 002 (tanh, every
weight and bias 0.1, x = (1, 0, 1, 0)) and seed 000 (sigma(z) = z^2, y = 1, t = 3, lr = 0.01).
"""

import math

import pytest

from viz.homework.check import check, parse_answers, report
from viz.homework.problem_file import load, shipped


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def marks(seed: str, lines: list[str]) -> dict:
    return {v.answer.name: v for v in check(load(shipped(seed)), parse_answers(lines))}


# seed 004 with z1^(2) slipped: 1 + 2 * 0.5 - 4 * 1.0 is -2, written -1.5; the rest done right from it
CARRIED = ["z1^(1) = 0", "z2^(1) = 24", "a1^(1) = 0.5", "a2^(1) = 1.0", "z1^(2) = -1.5",
           "y_hat = 0.1824", "loss = 0.3342", "dL/dy_hat = -0.8176"]


def test_a_slip_and_the_numbers_it_carries_into():
    vs = marks("seed_004", CARRIED)
    assert [name for name, v in vs.items() if v.right] == ["z1^(1)", "z2^(1)", "a1^(1)", "a2^(1)"]
    slip = vs["z1^(2)"]
    assert slip.kind == "wrong" and slip.causes == [] and slip.recomputed == 1 + 2 * 0.5 - 4 * 1.0
    assert "the slip is in this step: from your own numbers it would be -2" in slip.line()
    own = {"y_hat": sigmoid(-1.5), "loss": 0.5 * (1 - 0.1824) ** 2, "dL/dy_hat": 0.1824 - 1}
    for name, value in own.items():
        v = vs[name]
        assert v.kind == "carried" and [c.name for c in v.causes] == ["z1^(2)"], name
        assert math.isclose(v.recomputed, value, rel_tol=1e-12), name
        assert "computed from z1^(2) = -1.5, which is wrong, and that explains it" in v.line()


def test_the_loss_is_not_a_cause_of_the_gradients_it_does_not_feed():
    # a wrong loss (0.45 for 0.3342) is not read by dL/dy_hat = y_hat - t: no cause, and right
    lines = [*CARRIED[:6], "loss = 0.45", "dL/dy_hat = -0.8176", "delta1^(2) = -0.1219"]
    vs = marks("seed_004", lines)
    assert vs["loss"].kind == "wrong"
    for name in ("dL/dy_hat", "delta1^(2)"):
        assert all(c.name != "loss" for c in vs[name].causes), name
    assert [c.name for c in vs["delta1^(2)"].causes] == ["z1^(2)"]


def test_rounding_explains_it_only_when_the_students_own_numbers_give_it():
    # tanh(0.3) = 0.2913 written 0.29 (right); z1^(2) = 0.1 * 4 * 0.29 + 0.1 = 0.216 against the exact 0.2165
    a = [f"a{j}^(1) = 0.29" for j in range(1, 5)]
    own = 0.1 * 4 * 0.29 + 0.1
    v = marks("seed_002", [*a, "z1^(2) = 0.2160"])["z1^(2)"]
    assert not v.right and v.kind == "rounding" and v.causes == []
    assert math.isclose(v.recomputed, own, rel_tol=1e-12)
    assert "your rounding of earlier numbers explains it: from your own numbers it comes to 0.216" in v.line()
    # within one unit of what their numbers give, and nearer to it than the exact 0.2165, but not it
    v = marks("seed_002", [*a, "z1^(2) = 0.215"])["z1^(2)"]
    assert v.kind == "wrong" and not v.explained
    assert "the slip is in this step: from your own numbers it would be 0.216" in v.line()


def test_cut_off_instead_of_rounded():
    # sigmoid(-1.5) = 0.18242552, written 0.1824 is right; 0.182425 at six decimals is cut off (0.182426)
    v = marks("seed_004", [*CARRIED[:5], "y_hat = 0.182425"])["y_hat"]
    assert v.kind == "cut" and [c.name for c in v.causes] == ["z1^(2)"]
    cut = "0.182425 is sigmoid(-1.5) = 0.182425523806 cut off at 6 decimals; rounded, it is 0.182426"
    assert cut in v.line()


def test_a_sign_slip_and_an_update_that_goes_up_the_gradient():
    y = sigmoid(-2.0)
    dw = (y - 1) * y * (1 - y) * 0.5  # dL/dw11^(2) = delta a1^(1)
    lines = ["z1^(2) = -2", f"dL/dw11^(2) = {-dw:.5f}", "[pass 1]", f"new w11^(2) = {2 + 2 * dw:.4f}"]
    vs = marks("seed_004", lines)
    sign, update = vs["dL/dw11^(2)"], vs["new w11^(2)"]
    assert sign.kind == "sign" and "the sign is flipped" in sign.line()
    assert math.isclose(sign.recomputed, dw, rel_tol=1e-9)
    # from their own -dw, 2 - 2 * (-dw) is 2 + 2 dw: right from their gradient, so carried
    assert update.kind == "carried" and [c.name for c in update.causes] == ["dL/dw11^(2)"]
    lines[1] = f"dL/dw11^(2) = {dw:.5f}"
    update = marks("seed_004", lines)["new w11^(2)"]  # now their gradient is right: the update's sign is not
    assert update.kind == "sign" and "the update with the sign flipped" in update.line()


@pytest.mark.parametrize("line, why", [
    ("loss = 4", "the loss without the ½"),               # (t - y)^2 = 4, the loss is 1/2 of it
    ("dL/dw11^(2) = 200", "the loss without the ½"),      # twice delta1^(2) a1^(1) = 2 * 4 * 25
    ("delta1^(2) = -4", "delta = -dE/dz"),                # dL/dz = (y - t) * 2z = (-2)(-2) = 4
    ("Δw11^(2) = 1", "the amount taken away"),            # new w11^(2) - w11^(2) = -3 - (-2) = -1
])
def test_another_convention(line, why):
    v = next(iter(marks("seed_000", [line]).values()))
    assert v.kind == "convention" and why in v.line(), v.line()


def test_a_bias_on_a_constant_input_minus_one():
    # seed 004's dL/db1^(2) = delta1^(2) = (y - 1) y (1 - y) with y = sigmoid(-2)
    y = sigmoid(-2.0)
    v = next(iter(marks("seed_004", [f"dL/db1^(2) = {-(y - 1) * y * (1 - y):.5f}"]).values()))
    assert v.kind == "convention" and "a bias on a constant input -1" in v.line()


def test_the_report_counts_and_warns():
    text = report(check(load(shipped("seed_004")), parse_answers([*CARRIED, "w99^(1) = 3"])), "sheet")
    assert text.splitlines()[0] == "sheet: 8 answers, 4 right, 4 wrong, 1 line(s) not marked"
    assert "warning: line 9: w99^(1) = 3: `w99^(1)` names no value of this problem" in text


def test_a_local_derivative_is_read_off_the_students_own_activation():
    # a1^(1) = sigmoid(0) = 0.5 written 0.6; sigma' = a (1 - a) from their a is 0.24 (from z = 0 it is 0.25)
    vs = marks("seed_004", ["a1^(1) = 0.6", "sigmoid'(z1^(1)) = 0.24"])
    assert vs["a1^(1)"].kind == "wrong"
    local = vs["sigmoid'(z1^(1))"]
    assert local.kind == "carried" and [c.name for c in local.causes] == ["a1^(1)"]
    assert math.isclose(local.recomputed, 0.6 * (1 - 0.6), rel_tol=1e-12)
