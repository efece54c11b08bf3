"""Losses: values against their formulas, gradients against hand derivatives and finite differences."""

import math

import numpy as np
import pytest

import nn
from micrograd import Value

Y = [0.3, -1.2, 2.0]
T = [0.0, 1.0, 1.5]


def leaves(xs):
    return [Value(x) for x in xs]


def numeric_grad(f, xs, k, h=1e-6):
    up, down = list(xs), list(xs)
    up[k] += h
    down[k] -= h
    return (f(up) - f(down)) / (2 * h)


@pytest.mark.parametrize("loss, value, grad", [
    (nn.half_sum_squares, lambda y, t: 0.5 * sum((a - b) ** 2 for a, b in zip(y, t)), lambda a, b, n: a - b),
    (nn.sum_squares, lambda y, t: sum((a - b) ** 2 for a, b in zip(y, t)), lambda a, b, n: 2 * (a - b)),
    (nn.mean_squared_error, lambda y, t: sum((a - b) ** 2 for a, b in zip(y, t)) / len(y),
     lambda a, b, n: 2 * (a - b) / n),
])
def test_squared_errors_carry_the_factor_their_name_says(loss, value, grad):
    ys = leaves(Y)
    out = loss(ys, T)
    assert out.data == pytest.approx(value(Y, T), rel=1e-15)
    out.backward()
    assert [y.grad for y in ys] == pytest.approx([grad(a, b, len(Y)) for a, b in zip(Y, T)], rel=1e-15)


def test_squared_error_of_one_output_takes_bare_values():
    y = Value(4.5)
    assert nn.half_sum_squares(y, 1.0).data == 6.125
    assert nn.sum_squares(y, 1).data == 12.25 and nn.mean_squared_error(y, 1).data == 12.25


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="the prediction has 3 outputs but the target has 2"):
        nn.half_sum_squares(leaves(Y), [1.0, 2.0])


def test_softmax_matches_the_formula_and_sums_to_one():
    probs = nn.softmax(leaves(Y))
    e = np.exp(Y)
    assert [p.data for p in probs] == pytest.approx(list(e / e.sum()), rel=1e-15)
    assert sum(p.data for p in probs) == pytest.approx(1.0, rel=1e-15)


def test_softmax_and_cross_entropy_are_stable_for_large_logits():
    big = [1000.0, 1001.0, 999.0]
    probs = [p.data for p in nn.softmax(leaves(big))]
    shifted = np.exp(np.array(big) - 1001.0)
    assert probs == pytest.approx(list(shifted / shifted.sum()), rel=1e-15)
    loss = nn.cross_entropy(leaves(big), 0)
    assert loss.data == pytest.approx(1.0 + math.log(shifted.sum()), rel=1e-14)


def test_cross_entropy_value_and_gradient_softmax_minus_target():
    zs = leaves(Y)
    loss = nn.cross_entropy(zs, 2)
    e = np.exp(Y)
    p = e / e.sum()
    assert loss.data == pytest.approx(-math.log(p[2]), rel=1e-15)
    loss.backward()
    assert [z.grad for z in zs] == pytest.approx(list(p - np.array([0, 0, 1])), rel=1e-14, abs=1e-16)


def test_cross_entropy_with_a_soft_target_against_finite_differences():
    target = [0.2, 0.5, 0.3]
    zs = leaves(Y)
    nn.cross_entropy(zs, target).backward()
    for k in range(3):
        numeric = numeric_grad(lambda v: nn.cross_entropy(leaves(v), target).data, Y, k)
        assert zs[k].grad == pytest.approx(numeric, rel=1e-7)


def test_cross_entropy_agrees_with_pytorch():
    torch = pytest.importorskip("torch", reason="the PyTorch cross-check needs torch")
    z = torch.tensor([Y], dtype=torch.float64, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(z, torch.tensor([1]))
    ref.backward()
    zs = leaves(Y)
    loss = nn.cross_entropy(zs, 1)
    loss.backward()
    assert loss.data == pytest.approx(ref.item(), rel=1e-15)
    assert [v.grad for v in zs] == pytest.approx(z.grad[0].tolist(), rel=1e-14)


@pytest.mark.parametrize("target, message", [
    (3, "class index 3 is out of range for 3 logits"),
    ([0.5, 0.6, 0.0], "must be a class index or a distribution"),
    ([1.0, 0.0], "the target has 2 entries but there are 3 logits"),
])
def test_cross_entropy_bad_targets(target, message):
    with pytest.raises(ValueError, match=message):
        nn.cross_entropy(leaves(Y), target)


@pytest.mark.parametrize("p, t", [(0.8, 1.0), (0.3, 0.0), (0.6, 0.25)])
def test_binary_cross_entropy(p, t):
    pv = Value(p)
    loss = nn.binary_cross_entropy(pv, t)
    assert loss.data == pytest.approx(-(t * math.log(p) + (1 - t) * math.log(1 - p)), rel=1e-15)
    loss.backward()
    assert pv.grad == pytest.approx((p - t) / (p * (1 - p)), rel=1e-14)


def test_binary_cross_entropy_needs_a_probability():
    with pytest.raises(ValueError, match="strictly between 0 and 1, got 1.0: put a sigmoid"):
        nn.binary_cross_entropy(Value(1.0), 1.0)


@pytest.mark.parametrize("score, label, want, grad", [
    (0.3, 1, 0.7, -1.0), (-0.4, -1, 0.6, 1.0), (2.0, 1, 0.0, 0.0), (0.5, -1, 1.5, 1.0),
])
def test_hinge(score, label, want, grad):
    s = Value(score)
    loss = nn.hinge(s, label)
    assert loss.data == pytest.approx(want, rel=1e-15)
    loss.backward()
    assert s.grad == grad


def test_hinge_is_bit_for_bit_micrograds_expression():
    for score, label in ((0.123456789, 1), (-0.987654321, -1), (0.3333333, -1)):
        ours = nn.hinge(Value(score), label).data
        assert ours == (1 + -label * Value(score)).relu().data == max(0.0, 1 - label * score)


def test_total_and_mean():
    ls = leaves([1.0, 2.0, 4.0])
    assert nn.total(ls).data == 7.0
    m = nn.mean(ls)
    assert m.data == pytest.approx(7 / 3, rel=1e-15)
    m.backward()
    assert [v.grad for v in ls] == [1 / 3] * 3
    with pytest.raises(ValueError, match="total of no losses"):
        nn.total([])
