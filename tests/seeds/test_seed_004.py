"""Seed 004: a 2-2-1 sigmoid net with biases, given in the documents' W^T x layout (bias = first row):
W1 = [[-1, 2], [-2, 1], [1, 4]], W2 = [1, 2, -4], x = [2, 5], y = 1, l = 1/2 (y - y_hat)^2, lr 2.

The document rounds sigmoid(24) to 0.999, so its y_hat, loss and gradients carry that rounding.
The first tests assert the exact values; the last ones round that one activation to 0.999, as the
document does, and get the document's own numbers. The document's W2_11 (from hidden neuron 1 to the
output) is our w11^(2); its W1_21 (from x2 into hidden neuron 1) is our w12^(1).
"""


import numpy as np
import pytest
from conftest import printed, truncated

import nn

X = [2.0, 5.0]
W1 = [[-1, 2], [-2, 1], [1, 4]]
W2 = [[1], [2], [-4]]


def seed_004() -> nn.MLP:
    return nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
                  weights=[W1, W2], layout="in_out")


def param(model, label):
    return next(p for p in model.parameters() if p.label == label)


def test_weights_read_in_the_documents_layout():
    model = seed_004()
    assert model.layers[0].b == [-1.0, 2.0] and model.layers[1].b == [1.0]
    assert model.layers[0].W == [[-2.0, 1.0], [1.0, 4.0]] and model.layers[1].W == [[2.0, -4.0]]
    # the same net from numpy arrays, and in PyTorch's layout
    assert seed_004()(X).data == nn.MLP(2, [2, 1], "sigmoid", "sigmoid", layout="in_out",
                                        weights=[np.array(W1), np.array(W2)])(np.array(X)).data
    torch_layout = nn.MLP(2, [2, 1], "sigmoid", "sigmoid",
                          weights=[([[-2, 1], [1, 4]], [-1, 2]), ([[2, -4]], [1])])
    assert torch_layout(X).data == model(X).data


def test_forward_pass_exact():
    model = seed_004()
    hidden = model.layers[0].forward(X)
    assert [a.inputs[0].data for a in hidden] == [0.0, 24.0]   # alpha^1 = W1^T [1, x]
    assert hidden[0].data == 0.5
    # the document writes sigmoid(24) = 0.99999999996 as 0.999: cut, not rounded (that would be 1.000)
    truncated(hidden[1].data, "0.999")
    y_hat = model(X)
    assert y_hat.data == pytest.approx(0.1192029, abs=5e-8)   # printed 0.119623 (from 0.999)
    loss = nn.half_sum_squares(y_hat, 1.0)
    assert loss.data == pytest.approx(0.3879017, abs=5e-8)    # printed 0.38753 (from 0.999)
    assert y_hat.data < 0.5                                    # "classifies x as 0"


def test_gradients_and_updates_at_lr_2_exact():
    model = seed_004()
    loss = nn.half_sum_squares(model(X), 1.0)
    loss.backward()
    w2_11, w1_21 = param(model, "w11^(2)"), param(model, "w12^(1)")
    assert w2_11.grad == pytest.approx(-0.0462390, abs=5e-8)   # printed -0.04635772 (from 0.999)
    assert w1_21.grad == pytest.approx(-0.2311951, abs=5e-8)   # printed -0.23178 (from 0.999)
    # the document's chain rule, written out: -(y - y_hat) y_hat (1 - y_hat) * beta_1 (and on to x2)
    y = model(X).data
    assert w2_11.grad == pytest.approx(-(1 - y) * y * (1 - y) * 0.5, rel=1e-14)
    assert w1_21.grad == pytest.approx(-(1 - y) * y * (1 - y) * 2 * 0.5 * (1 - 0.5) * 5, rel=1e-14)
    nn.SGD(model.parameters(), lr=2.0).step()
    assert w2_11.data == pytest.approx(2.0924780, abs=5e-8)    # printed 2.0927 (from 0.999)
    assert w1_21.data == pytest.approx(1.4623902, abs=5e-8)    # printed 1.4636 (from 0.999)


def forward_with_the_documents_rounding(model):
    """The forward pass with sigmoid(24) rounded to 0.999, as the document does it by hand.

    The rounding is a constant added to that one activation (0.999 - sigmoid(24)): its value
    becomes 0.999, and the gradient still flows through it with local derivative 1.
    """
    beta = model.layers[0].forward(X)
    shift = 0.999 - beta[1].data
    rounded = beta[1] + shift
    rounded.label = "a2^(1) rounded"
    (y_hat,) = model.layers[1].forward([beta[0], rounded])
    return rounded, y_hat


def test_with_sigmoid_24_rounded_to_0_999_the_documents_numbers():
    model = seed_004()
    rounded, y_hat = forward_with_the_documents_rounding(model)
    assert rounded.data == pytest.approx(0.999, abs=1e-15)
    assert y_hat.inputs[0].data == pytest.approx(-1.996, abs=1e-14)   # alpha^2 = 1 + 1 - 3.996
    truncated(y_hat.data, "0.119623")   # 0.11962354: the document cuts rather than rounds
    loss = nn.half_sum_squares(y_hat, 1.0)
    printed(loss.data, "0.38753")
    loss.backward()
    w2_11, w1_21 = param(model, "w11^(2)"), param(model, "w12^(1)")
    # printed -0.04635772: its last two digits come from using y_hat = 0.119623 in the formula
    printed(w2_11.grad, "-0.046358")
    assert -(1 - 0.119623) * 0.119623 * (1 - 0.119623) * 0.5 == pytest.approx(-0.04635772, abs=5e-9)
    truncated(w1_21.grad, "-0.23178")   # -0.2317894, cut after five digits as y_hat was
    nn.SGD(model.parameters(), lr=2.0).step()
    printed(w2_11.data, "2.0927")
    printed(w1_21.data, "1.4636")
