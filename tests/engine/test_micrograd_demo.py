"""micrograd's two-moons demo, run through `micrograd.nn`, prints micrograd 0.1.0's losses."""

import random

import numpy as np
import pytest

from micrograd import Value
from micrograd.nn import MLP


def demo_losses(steps: int) -> list[float]:
    """The demo notebook's training loop, line for line (full batch, hinge loss, L2, decaying lr)."""
    datasets = pytest.importorskip("sklearn.datasets", reason="the demo's data comes from scikit-learn")
    make_moons = datasets.make_moons
    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = y * 2 - 1
    model = MLP(2, [16, 16, 1])
    seen = []
    for k in range(steps):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        seen.append(total.data)
        model.zero_grad()
        total.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    return seen


def test_demo_prints_micrograd_losses_at_steps_0_and_1():
    # the numbers micrograd 0.1.0's demo.ipynb prints for its first two steps
    step0, step1 = demo_losses(2)
    # to the last bit: backward() adds each weight's 100 contributions in the order micrograd
    # usually does (its sets make its own order, and last bit, vary with memory addresses)
    assert step0 == 0.8958441028683222
    assert step1 == 1.7235905336972022


def test_demo_model_has_micrograd_shape():
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337  # micrograd's demo prints this count
    assert str(model.layers[0].neurons[0]) == "ReLUNeuron(2)"
    assert str(model.layers[-1].neurons[0]) == "LinearNeuron(16)"
