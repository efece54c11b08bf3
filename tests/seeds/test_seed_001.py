"""Seed 001: a sparse sigmoid net (h1 sees x1, x2; h2 sees x3, x4; y_hat sees h1, h2), no biases,
Div = (y_hat - y)^2 with no 1/2; and the gradient of y = w0 + w1 x1 + w2 x2 + w3 x1^2.

The document writes dDiv/dy_hat as 2|y_hat - y|; the derivative is 2(y_hat - y), the same
value here only because y_hat > y. Its printed numbers are right to the digits shown.
"""

import math

import pytest
from conftest import printed

import nn
from micrograd import Value, dot

X = [-0.7, 1.2, 1.1, -2.0]
W = [-1.7, 0.1, -0.6, -1.8, -0.2, 0.5]   # the document's w1 ... w6
TARGET = 0.5


def test_gradient_of_the_polynomial_model_and_its_update():
    x1, x2 = 1.5, -2.0
    w = [Value(v, f"w{k}") for k, v in enumerate([0.3, -0.1, 0.7, 0.2])]
    y = w[0] + w[1] * x1 + w[2] * x2 + w[3] * x1 ** 2
    y.backward()
    assert [p.grad for p in w] == [1.0, x1, x2, x1 ** 2]   # <1, x1, x2, x1^2>
    eta = 0.1
    before = [p.data for p in w]
    nn.SGD(w, lr=eta).step()
    assert [p.data for p in w] == [before[0] - eta, before[1] - eta * x1, before[2] - eta * x2,
                                   before[3] - eta * x1 ** 2]


def sparse_net_from_values():
    """The network built straight from Values: one drive node per neuron, as the document draws it."""
    w = [Value(v, f"w{k}") for k, v in enumerate(W, 1)]
    x = [Value(v, f"x{k}") for k, v in enumerate(X, 1)]
    s1 = dot(w[0:2], x[0:2])
    s2 = dot(w[2:4], x[2:4])
    h1, h2 = s1.sigmoid(), s2.sigmoid()
    s3 = dot(w[4:6], [h1, h2])
    y_hat = s3.sigmoid()
    div = nn.sum_squares(y_hat, TARGET)
    return w, {"s1": s1, "s2": s2, "h1": h1, "h2": h2, "s3": s3, "y_hat": y_hat, "div": div}


def test_forward_pass_and_divergence():
    _, v = sparse_net_from_values()
    printed(v["s1"].data, "1.31")
    printed(v["s2"].data, "2.94")
    printed(v["h1"].data, "0.78751")
    printed(v["h2"].data, "0.9498")
    printed(v["s3"].data, "0.317")
    printed(v["y_hat"].data, "0.57869")
    printed(v["div"].data, "0.006192")


def test_backward_pass_down_to_w1():
    w, v = sparse_net_from_values()
    v["div"].backward()
    printed(v["y_hat"].grad, "0.15738")
    assert v["y_hat"].grad == 2 * (v["y_hat"].data - TARGET)   # 2(y_hat - y), not 2|y_hat - y|
    printed(v["s3"].grad, "0.03837")
    printed(v["h1"].grad, "-0.007674")
    printed(v["s1"].grad, "-0.001284")
    printed(w[0].grad, "0.0008989")


def hand_gradients() -> list[float]:
    """dDiv/dw for all six weights by the chain rule written out with floats (part 3 of the document)."""
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    x1, x2, x3, x4 = X
    w1, w2, w3, w4, w5, w6 = W
    h1, h2 = sig(x1 * w1 + x2 * w2), sig(x3 * w3 + x4 * w4)
    y = sig(h1 * w5 + h2 * w6)
    d_s3 = 2 * (y - TARGET) * y * (1 - y)
    d_s1 = d_s3 * w5 * h1 * (1 - h1)
    d_s2 = d_s3 * w6 * h2 * (1 - h2)
    return [d_s1 * x1, d_s1 * x2, d_s2 * x3, d_s2 * x4, d_s3 * h1, d_s3 * h2]


def test_all_six_weight_derivatives_match_the_chain_rule_and_finite_differences():
    w, v = sparse_net_from_values()
    v["div"].backward()
    got = [p.grad for p in w]
    assert got == pytest.approx(hand_gradients(), rel=1e-12)
    for k in range(6):
        h = 1e-6
        up, down = list(W), list(W)
        up[k] += h
        down[k] -= h
        numeric = (divergence(up) - divergence(down)) / (2 * h)
        assert got[k] == pytest.approx(numeric, rel=1e-6, abs=1e-12)


def divergence(weights: list[float]) -> float:
    model = masked_net(weights)
    return nn.sum_squares(model(X), TARGET).data


def masked_net(weights: list[float] = W) -> nn.MLP:
    """The same network as an MLP with a mask saying which inputs each neuron sees."""
    w1, w2, w3, w4, w5, w6 = weights
    return nn.MLP(4, [2, 1], activation="sigmoid", output_activation="sigmoid", bias=False,
                  mask=[[[1, 1, 0, 0],
                         [0, 0, 1, 1]], None],
                  weights=[[[w1, w2, 0, 0],
                            [0, 0, w3, w4]], [w5, w6]])


def test_masked_mlp_gives_the_same_numbers_as_the_hand_built_net():
    w, v = sparse_net_from_values()
    v["div"].backward()
    model = masked_net()
    div = nn.sum_squares(model(X), TARGET)
    div.backward()
    assert div.data == v["div"].data
    assert [p.grad for p in model.parameters()] == [p.grad for p in w]
    assert [p.label for p in model.parameters()] == ["w11^(1)", "w12^(1)", "w23^(1)", "w24^(1)",
                                                     "w11^(2)", "w12^(2)"]
