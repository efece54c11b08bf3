"""Seed 000: a 2-2-1 net without biases, sigma(x) = x^2 on both layers, L = 1/2 (t - y)^2, lr 0.01.

Every number the document prints is exact, so every assertion here is exact.
The document labels two different weights "w11"; they are w11, w12, w21, w22.
"""

import pytest

import nn


def seed_000() -> nn.MLP:
    """The document's network: W1 = [[-2, 3], [2, 1]], w2 = [-2, 1], no biases."""
    return nn.MLP(2, [2, 1], activation="square", output_activation="square", bias=False,
                  weights=[[[-2, 3], [2, 1]], [-2, 1]])


def test_forward_pass():
    model = seed_000()
    y = model([2, 3])
    hidden = [model.layers[0].neurons[j]([2.0, 3.0]) for j in range(2)]
    assert [a.inputs[0].data for a in hidden] == [5.0, 7.0]    # drive d^(1)
    assert [a.data for a in hidden] == [25.0, 49.0]            # activation a^(1)
    assert y.inputs[0].data == -1.0                            # drive d^(2)
    assert y.data == 1.0


def test_loss_and_every_gradient():
    model = seed_000()
    loss = nn.half_sum_squares(model([2, 3]), 3)
    assert loss.data == 2.0
    loss.backward()
    grads = {p.label: p.grad for p in model.parameters()}
    assert grads == {
        "w11^(2)": 100.0, "w12^(2)": 196.0,
        "w11^(1)": -160.0, "w12^(1)": -240.0, "w21^(1)": 112.0, "w22^(1)": 168.0,
    }


def test_deltas():
    # delta = dL/d(drive): 4 at the output, -80 and 56 in the hidden layer
    model = seed_000()
    y = model([2, 3])
    nn.half_sum_squares(y, 3).backward()
    output_drive = y.inputs[0]
    hidden_drives = [output_drive.inputs[1].inputs[0], output_drive.inputs[3].inputs[0]]
    assert output_drive.grad == 4.0
    assert [z.grad for z in hidden_drives] == [-80.0, 56.0]


def test_every_updated_weight():
    model = seed_000()
    opt = nn.SGD(model.parameters(), lr=0.01)
    nn.half_sum_squares(model([2, 3]), 3).backward()
    opt.step()
    # printed: w2 = [-3, -0.96], W1 = [[-0.4, 5.4], [0.88, -0.68]] (exact up to float rounding of 0.01 * g)
    assert model.layers[1].W == [[pytest.approx(-3, abs=1e-15), pytest.approx(-0.96, abs=1e-15)]]
    assert model.layers[0].W == [[pytest.approx(-0.4, abs=1e-15), pytest.approx(5.4, abs=1e-15)],
                                 [pytest.approx(0.88, abs=1e-15), pytest.approx(-0.68, abs=1e-15)]]
