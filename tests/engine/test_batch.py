"""Batch mode against the scalar engine: the same numbers, example by example, to 1e-9."""

import random

import numpy as np
import pytest

import nn
from micrograd import Value, dot, topological_order
from micrograd.batch import Batch, columns

B = 7  # examples per batch in these tests


def close(a, b, rel=1e-9, abs_=1e-12):
    return abs(a - b) <= rel * abs(b) + abs_


# Expressions written once and run on both engines: x, y are per-example inputs,
# w, c are shared parameters (scalar Values in both cases).
EXPRESSIONS = {
    "add_sub": lambda x, y, w, c: (x + w) - (y - c) + 2.0 - x,
    "mul_div": lambda x, y, w, c: (x * w) / (y * y + 1.0) + 3.0 / (c + y * y + 2.0),
    "pow": lambda x, y, w, c: (x * w) ** 2 + (y * y + 1.0) ** 0.5 + (x * x + 1.0) ** c + 2.0 ** (w * x),
    "unary": lambda x, y, w, c: (x * w).tanh() + (y * c).sigmoid() + (x * 0.1).exp() + (y * y + 1.0).log(),
    "relu_neg": lambda x, y, w, c: (-(x * w) + c).relu() + (y - w).relu() * x,
    "drive": lambda x, y, w, c: (dot([w, c], [x, y], c).tanh() * dot([c, w], [y, x]) + x),
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_every_op_matches_the_scalar_engine_example_by_example(name):
    f = EXPRESSIONS[name]
    rng = np.random.default_rng(len(name))
    xs, ys = rng.uniform(-1.5, 1.5, B), rng.uniform(-1.5, 1.5, B)
    w, c = Value(0.7, "w"), Value(-0.4, "c")

    # one example at a time: the loss is the sum over examples, so the grads add up
    scalar_out, scalar_dx = [], []
    for x0, y0 in zip(xs, ys):
        x, y = Value(x0), Value(y0)
        out = f(x, y, w, c)
        out.backward()
        scalar_out.append(out.data)
        scalar_dx.append(x.grad)
    scalar_dw, scalar_dc = w.grad, c.grad

    w.grad = c.grad = 0.0
    x, y = Batch(xs, "x"), Batch(ys, "y")
    out = f(x, y, w, c)
    assert isinstance(out, Batch)
    out.backward()  # an array root: the gradient of the sum over the batch
    for k in range(B):
        assert close(out.data[k], scalar_out[k])
        assert close(x.grad[k], scalar_dx[k])
    assert isinstance(w.grad, float) and close(w.grad, scalar_dw)
    assert close(c.grad, scalar_dc)


def demo_data(n=12, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (n, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)
    return X, y


def test_training_loop_reads_the_same_and_gives_the_same_losses_and_gradients():
    X, y = demo_data()
    random.seed(1337)
    one = nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    many = nn.MLP(2, [16, 16, 1])

    # the one-example loop: a list of Values per example
    rows = [list(map(Value, row)) for row in X]
    one_losses = []
    for k in range(4):
        scores = [one(x) for x in rows]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + 1e-4 * sum(p * p for p in one.parameters())
        one.zero_grad()
        total.backward()
        for p in one.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        one_losses.append(total.data)

    # the batch loop: one Batch per input, holding every example
    inputs = columns(X)
    many_losses = []
    for k in range(4):
        scores = many(inputs)
        losses = (1 + -y * scores).relu()
        data_loss = losses.sum() * (1.0 / len(losses))
        total = data_loss + 1e-4 * sum(p * p for p in many.parameters())
        many.zero_grad()
        total.backward()
        for p in many.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        many_losses.append(total.data)

    assert isinstance(many_losses[-1], float)
    for a, b in zip(many_losses, one_losses):
        assert close(a, b)
    assert len(set(one_losses)) > 1  # training moved: the comparison is not of one number
    for p, q in zip(many.parameters(), one.parameters()):
        assert close(p.grad, q.grad, abs_=1e-13)  # the last step's gradients
        assert close(p.data, q.data)


def test_input_gradients_come_back_per_example():
    X, y = demo_data(n=5)
    random.seed(0)
    model = nn.MLP(2, [4, 3, 1], activation="tanh")
    inputs = columns(X)
    out = ((model(inputs) - y) ** 2).sum()
    out.backward()
    for k in range(len(X)):
        x = [Value(v) for v in X[k]]
        one = (model(x) - y[k]) ** 2
        one.backward()
        assert close(inputs[0].grad[k], x[0].grad) and close(inputs[1].grad[k], x[1].grad)


def test_backward_twice_doubles_every_grad_as_for_values():
    w = Value(0.5)
    x = Batch([1.0, 2.0, -3.0])
    loss = ((w * x).tanh() + w).sum()
    loss.backward()
    once = w.grad
    loss.backward()
    assert w.grad == pytest.approx(2 * once, rel=1e-12)


def _mlp_loss(model, inputs, y):
    return ((1 + -y * model(inputs)).relu()).sum() * 0.5 + 1e-4 * sum(p * p for p in model.parameters())


def test_backward_twice_doubles_every_grad_of_a_batch_mlp_exactly():
    X, y = demo_data(n=B)
    random.seed(3)
    model = nn.MLP(2, [4, 3, 1])
    inputs = columns(X)
    loss = _mlp_loss(model, inputs, y)
    loss.backward()
    # parameters and inputs (a layer's per-neuron nodes are views made for a look, their grads a copy)
    nodes = [v for v in topological_order(loss) if not v.inputs]
    once = [np.array(v.grad, copy=True) for v in nodes]
    loss.backward()
    assert all(np.array_equal(v.grad, 2 * g) for v, g in zip(nodes, once))


def test_a_fresh_graph_adds_its_gradient_onto_the_grads_its_leaves_carry():
    # leaves outlive each step's graph (a training loop's inputs; parameters before zero_grad):
    # as in PyTorch, a fresh backward() adds this graph's whole gradient onto what they hold
    X, y = demo_data(n=B)
    random.seed(4)
    model = nn.MLP(2, [4, 3, 1])
    inputs = columns(X)
    leaves = [*inputs, *model.parameters()]
    fresh = []
    for scale in (1.0, 0.5):  # two graphs' gradients, each computed from zero
        for v in leaves:
            v.grad = 0.0
        (_mlp_loss(model, inputs, y) * scale).backward()
        fresh.append([np.array(v.grad, copy=True) for v in leaves])
    for v in leaves:
        v.grad = 0.0
    for scale in (1.0, 0.5):  # the same two, the second one's leaves carrying the first one's grads
        (_mlp_loss(model, inputs, y) * scale).backward()
    assert all(np.array_equal(v.grad, first + second) for v, first, second in zip(leaves, *fresh))


def test_mean_and_sum_seed_a_scalar_root():
    w = Value(3.0)
    x = Batch([1.0, 2.0, 4.0, 5.0])
    loss = (w * x).mean()
    loss.backward()
    assert loss.data == pytest.approx(9.0) and w.grad == pytest.approx(3.0)  # mean of x
    assert np.allclose(x.grad, 0.75)  # w / 4


def test_dropped_input_layer_cache_does_not_mix_batches():
    random.seed(5)
    model = nn.MLP(2, [3, 1])
    X1, _ = demo_data(n=4, seed=1)
    X2, _ = demo_data(n=4, seed=2)
    first = model(columns(X1)).data.copy()
    second = model(columns(X2)).data
    for k in range(4):
        assert close(second[k], model(list(X2[k])).data)
        assert close(first[k], model(list(X1[k])).data)


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: Batch([[1.0, 2.0]]), ValueError, ["1-D", "(1, 2)"]),
        (lambda: Batch([1.0, float("nan")], "x"), ValueError, ["finite", "'x'"]),
        (lambda: columns([1.0, 2.0]), ValueError, ["2-D"]),
        (lambda: Batch([1.0, 0.0]).log(), ValueError, ["log", "> 0"]),
        (lambda: Value(1.0) / Batch([1.0, 0.0]), ZeroDivisionError, ["division"]),
        (lambda: dot([Batch([1.0])], [Batch([2.0])]), TypeError, ["scalar Value weights"]),
    ],
)
def test_bad_input_says_what_is_wrong(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "square"])
def test_a_layer_activates_all_its_neurons_at_once_with_the_scalar_numbers(activation):
    X, y = demo_data(n=6, seed=4)
    random.seed(7)
    model = nn.MLP(2, [5, 3, 1], activation=activation, output_activation="sigmoid")
    inputs = columns(X)
    predictions = model(inputs)
    out = ((predictions - y) ** 2).sum()
    out.backward()
    batch_grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    for k in range(len(X)):
        x = [Value(v) for v in X[k]]
        prediction = model(x)
        ((prediction - y[k]) ** 2).backward()
        assert close(predictions.data[k], prediction.data)
        assert close(inputs[0].grad[k], x[0].grad) and close(inputs[1].grad[k], x[1].grad)
    for p, g in zip(model.parameters(), batch_grads):
        assert close(g, p.grad)
    hidden = model.layers[0].forward(inputs)
    if activation == "square":  # a function of a user's: applied to each neuron's row of Z = W X + b
        assert all(type(h) is Batch and h.op == "**2" and h.inputs[0].op == "row" for h in hidden)
    else:  # every neuron's activation is a row of one node, A = f(Z)
        (a,) = {id(h._a): h._a for h in hidden}.values()  # the operand itself (inputs shows neuron j's view)
        assert a.op == activation and a.data.shape == (5, len(X))
        assert [h.op for h in hidden] == ["row"] * 5
