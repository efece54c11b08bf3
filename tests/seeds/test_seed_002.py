"""Seed 002: a 4-4-3-3 net, every weight and bias 0.1, x = [1, 0, 1, 0], y = [0, 1, 0], lr 0.1.

Question 1: tanh hidden layers, identity output, L = 1/2 sum of squares.
Question 2: softmax output with cross-entropy: outputs all 1/3, L = ln 3, dL/dz3 = softmax(z3) - y.
And a batch: the gradient of a sum (mean) of losses is the sum (mean) of the gradients.

The document prints z3 as 0.16936; the exact value is 0.163961 (two digits swapped).
Its gradients are formulas, not numbers: the test computes them with numpy from those
formulas (delta3 = y_hat - y, dL/dW = delta h^T, dL/dh = W^T delta, delta = dL/dh * (1 - h^2)).
"""

import math

import numpy as np
import pytest
from conftest import printed

import nn

X = [1.0, 0.0, 1.0, 0.0]
Y = [0.0, 1.0, 0.0]
LR = 0.1


def seed_002() -> nn.MLP:
    return nn.MLP(4, [4, 3, 3], activation="tanh", output_activation="linear", init=0.1)


def by_hand(x, y, output="identity"):
    """The document's backpropagation in matrix form: (z's, h's, loss, [(dL/dW, dL/db) per layer])."""
    Ws = [np.full((4, 4), 0.1), np.full((3, 4), 0.1), np.full((3, 3), 0.1)]
    bs = [np.full(4, 0.1), np.full(3, 0.1), np.full(3, 0.1)]
    h = [np.array(x)]
    zs = []
    for k, (W, b) in enumerate(zip(Ws, bs)):
        zs.append(W @ h[-1] + b)
        h.append(np.tanh(zs[-1]) if k < 2 else zs[-1])
    y = np.array(y)
    if output == "identity":
        loss = 0.5 * np.sum((h[3] - y) ** 2)
        delta = h[3] - y
    else:
        p = np.exp(zs[2] - zs[2].max())
        p /= p.sum()
        loss = -np.sum(y * np.log(p))
        delta = p - y
    grads = [None, None, None]
    for k in (2, 1, 0):
        grads[k] = (np.outer(delta, h[k]), delta)
        if k:
            delta = (Ws[k].T @ delta) * (1 - h[k] ** 2)
    return zs, h, loss, grads


def layer_grads(model):
    return [(np.array([[w.grad for w in n.w] for n in layer.neurons]),
             np.array([n.b.grad for n in layer.neurons])) for layer in model.layers]


def test_forward_pass_and_loss():
    model = seed_002()
    out = model(X)
    z1 = [n(X).inputs[0].data for n in model.layers[0].neurons]   # the drive under each tanh
    h1 = [n(X).data for n in model.layers[0].neurons]
    z2_node = out[0].inputs[1].inputs[0]
    assert all(v == pytest.approx(0.3, abs=1e-15) for v in z1)      # printed 0.3
    for v in h1:
        printed(v, "0.2913")
    printed(z2_node.data, "0.2165")
    for z in out:
        # printed 0.16936: the digits of the exact 0.163961 swapped
        assert z.data == pytest.approx(0.163961, abs=5e-7)
    zs, _, loss, _ = by_hand(X, Y)
    assert [z.data for z in out] == pytest.approx(list(zs[2]), rel=1e-14)
    loss_value = nn.half_sum_squares(out, Y)
    printed(loss_value.data, "0.376")
    assert loss_value.data == pytest.approx(0.376364, abs=5e-7)
    assert loss_value.data == pytest.approx(loss, rel=1e-14)


def test_every_dl_dw_and_dl_db_of_question_1():
    model = seed_002()
    nn.half_sum_squares(model(X), Y).backward()
    *_, grads = by_hand(X, Y)
    for (dW, db), (want_W, want_b) in zip(layer_grads(model), grads):
        np.testing.assert_allclose(dW, want_W, rtol=1e-13, atol=1e-16)
        np.testing.assert_allclose(db, want_b, rtol=1e-13, atol=1e-16)


def test_one_sgd_step_at_lr_0_1():
    model = seed_002()
    opt = nn.SGD(model.parameters(), lr=LR)
    opt.zero_grad()
    nn.half_sum_squares(model(X), Y).backward()
    opt.step()
    *_, grads = by_hand(X, Y)
    for layer, (dW, db) in zip(model.layers, grads):
        np.testing.assert_allclose(layer.W, 0.1 - LR * dW, rtol=1e-15, atol=1e-17)
        np.testing.assert_allclose(layer.b, 0.1 - LR * db, rtol=1e-15, atol=1e-17)


def test_question_2_softmax_and_cross_entropy():
    model = seed_002()
    z3 = model(X)
    assert [p.data for p in nn.softmax(z3)] == pytest.approx([1 / 3] * 3, rel=1e-15)
    loss = nn.cross_entropy(z3, Y)
    assert loss.data == pytest.approx(math.log(3), rel=1e-15)    # ln 3
    loss.backward()
    assert [z.grad for z in z3] == pytest.approx([1 / 3, -2 / 3, 1 / 3], rel=1e-15)
    # "and we continue by applying exactly the same rules as in question 1"
    *_, grads = by_hand(X, Y, output="softmax")
    for (dW, db), (want_W, want_b) in zip(layer_grads(model), grads):
        np.testing.assert_allclose(dW, want_W, rtol=1e-13, atol=1e-16)
        np.testing.assert_allclose(db, want_b, rtol=1e-13, atol=1e-16)


def test_cross_entropy_with_a_class_index_is_the_same():
    model = seed_002()
    assert nn.cross_entropy(model(X), 1).data == nn.cross_entropy(model(X), Y).data


SECOND_X, SECOND_Y = [0.0, 2.0, -1.0, 0.5], [1.0, 0.0, 0.0]


@pytest.mark.parametrize("reduce, factor", [(nn.total, 1.0), (nn.mean, 0.5)])
def test_batch_gradient_is_the_sum_or_mean_of_per_example_gradients(reduce, factor):
    model = seed_002()
    per_example = []
    for x, y in ((X, Y), (SECOND_X, SECOND_Y)):
        model.zero_grad()
        nn.half_sum_squares(model(x), y).backward()
        per_example.append([p.grad for p in model.parameters()])
    model.zero_grad()
    batch = reduce([nn.half_sum_squares(model(x), y) for x, y in ((X, Y), (SECOND_X, SECOND_Y))])
    batch.backward()
    want = [factor * (g1 + g2) for g1, g2 in zip(*per_example)]
    assert [p.grad for p in model.parameters()] == pytest.approx(want, rel=1e-14, abs=1e-17)
    # and against the hand formulas, example by example
    hand = [by_hand(x, y)[3] for x, y in ((X, Y), (SECOND_X, SECOND_Y))]
    for k, (dW, db) in enumerate(layer_grads(model)):
        np.testing.assert_allclose(dW, factor * (hand[0][k][0] + hand[1][k][0]), rtol=1e-13, atol=1e-16)
        np.testing.assert_allclose(db, factor * (hand[0][k][1] + hand[1][k][1]), rtol=1e-13, atol=1e-16)
