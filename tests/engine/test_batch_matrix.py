"""Batch mode's matrix form: a layer is Z = W X + b over the layer's array; its errors are the engine's."""

import random
import re

import numpy as np
import pytest

import nn
from micrograd import Value, topological_order
from micrograd.batch import Batch, columns
from micrograd.blas import _LIBRARIES, one_thread
from micrograd.fastwalk import plain_backward


def test_a_layer_backward_is_delta_x_transposed_and_w_transposed_delta():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (6, 3))  # 6 examples, 3 inputs
    T = rng.uniform(-1, 1, (2, 6))  # a weight per neuron and example: delta = T
    random.seed(1)
    layer = nn.Layer(3, 2, "linear")
    inputs = columns(X)
    outputs = layer(inputs)
    loss = (outputs[0] * T[0]).sum() + (outputs[1] * T[1]).sum()
    loss.backward()
    W = np.array(layer.W)
    assert np.allclose([[w.grad for w in n.w] for n in layer.neurons], T @ X, rtol=1e-12, atol=0)
    assert np.allclose([n.b.grad for n in layer.neurons], T.sum(axis=1), rtol=1e-12, atol=0)
    assert np.allclose([x.grad for x in inputs], W.T @ T, rtol=1e-12, atol=0)
    z = outputs[0]._a  # every neuron's row of one node
    assert z.op == "W·X+b" and z.data.shape == (2, 6)
    w1, w2, w3, stacked, b = outputs[0].inputs  # the view: neuron 1's drive, as one neuron's graph has it
    assert [w1, w2, w3, b] == list(layer.neurons[0].w) + [layer.neurons[0].b]
    assert np.array_equal(outputs[0].local_grads[0], X[:, 0]) and outputs[0].local_grads[-1] == 1.0


def _train(model, batch: bool, X, y, steps=3):
    opt = nn.SGD(model.parameters(), lr=0.3, momentum=0.5)
    losses = []
    for _ in range(steps):
        if batch:
            data = (1 + -y * model(columns(X))).relu().mean()
        else:
            data = nn.mean([(1 + -yi * model(list(map(Value, xi)))).relu() for xi, yi in zip(X, y)])
        loss = data + nn.l2(model, 1e-3)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
    return losses


def test_the_same_code_one_example_at_a_time_gives_the_same_numbers_to_1e12():
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (9, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)
    random.seed(5)
    many = nn.MLP(2, [8, 8, 1])
    random.seed(5)
    one = nn.MLP(2, [8, 8, 1])
    batch_losses, eager_losses = _train(many, True, X, y), _train(one, False, X, y)
    assert len(set(eager_losses)) == 3  # training moved
    assert np.allclose(batch_losses, eager_losses, rtol=1e-12, atol=0)
    for p, q in zip(many.parameters(), one.parameters()):
        assert p.data == pytest.approx(q.data, rel=1e-12, abs=1e-15)
        assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-15)


def test_parameters_are_views_of_the_layers_array():
    random.seed(2)
    model = nn.MLP(2, [3, 1])
    params = model.parameters()
    layer = model.layers[0]
    block = layer._block
    assert block.data.shape == (3, 3)  # each row: w1, w2, b
    assert [p.data for p in params[:9]] == block.data.ravel().tolist()
    before = block.version
    params[0].data = 0.25
    assert block.data[0, 0] == 0.25 and block.version == before + 1
    loss = (model(columns([[1.0, 2.0], [0.5, -1.0]])) * 1.0).sum()
    loss.backward()
    nn.SGD(params, lr=0.1).step()
    assert model.parameters() == params  # the same Values, updated in place
    assert [p.data for p in params[:9]] == block.data.ravel().tolist()
    assert isinstance(params[0].grad, float)


def test_l2_is_one_node_with_the_sum_of_squares_and_2_alpha_p():
    random.seed(4)
    model = nn.MLP(2, [4, 3, 1])
    params = model.parameters()
    reg = nn.l2(model, 0.01)
    assert reg.data == pytest.approx(0.01 * sum(p.data ** 2 for p in params), rel=1e-13)
    assert len(topological_order(reg)) == len(params) + 1  # the parameters and the one node
    reg.backward()
    assert [p.grad for p in params] == pytest.approx([0.02 * p.data for p in params], rel=1e-13)
    assert nn.l2(params, 0.01).data == pytest.approx(reg.data, rel=1e-13)  # a list of parameters works too


def test_l2_in_an_eager_graph_gives_the_plain_loops_bits():
    random.seed(6)
    model = nn.MLP(2, [4, 1])
    grads = []
    for backward in (Value.backward, plain_backward):
        model.zero_grad()
        loss = nn.total([(model([x, -x]) - 1.0) ** 2 for x in (0.5, -1.5)]) + nn.l2(model, 0.1)
        backward(loss)
        grads.append([p.grad for p in model.parameters()])
    assert grads[0] == grads[1]


@pytest.mark.parametrize("make", [lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: nn.Adam(ps, lr=0.05)])
def test_an_optimiser_on_a_layers_array_matches_one_parameter_at_a_time_bit_for_bit(make):
    random.seed(8)
    model = nn.MLP(2, [3, 1])
    loose = model.parameters()[:-1] + [model.parameters()[-1]]  # the same list
    opt_array = make(model.parameters())
    random.seed(8)
    other = nn.MLP(2, [3, 1])
    opt_loose = make([Value(p.data) for p in other.parameters()])  # plain Values: one at a time
    assert opt_array.blocks and not opt_loose.blocks and loose
    for _ in range(3):
        for opt, ps in ((opt_array, model.parameters()), (opt_loose, opt_loose.parameters)):
            for k, p in enumerate(ps):
                p.grad = 0.1 * (k + 1) - p.data  # the same grads for both
            opt.step()
    assert [p.data for p in model.parameters()] == [p.data for p in opt_loose.parameters]


def test_one_thread_sets_blas_to_one_and_back():
    if not _LIBRARIES:
        pytest.skip("threadpoolctl is not installed (the fast extra)")
    before = [lib.get_num_threads() for lib in _LIBRARIES]
    with one_thread():
        assert [lib.get_num_threads() for lib in _LIBRARIES] == [1] * len(_LIBRARIES)
    assert [lib.get_num_threads() for lib in _LIBRARIES] == before


# ---- issue 15: lengths must match, ** checks its domain, one non-finite policy with the engine -----

@pytest.mark.parametrize("make, error, words", [
    (lambda: Batch([1.0]) + Batch([1.0, 2.0, 3.0]), ValueError, ["1 examples", "3", "must match"]),
    (lambda: Batch([1.0, 2.0]) * Batch([1.0, 2.0, 3.0]), ValueError, ["must match"]),
    (lambda: Batch([-1.0, 2.0]) ** 0.5, ValueError, ["-1.0", "example 0", "whole-number"]),
    (lambda: Batch([1.0, 0.0]) ** -1, ZeroDivisionError, ["example 1", "must not be 0"]),
    (lambda: Batch([1.0, 2.0]) ** float("nan"), ValueError, ["exponent", "finite"]),
    (lambda: Batch([1.0, -2.0]) ** Value(2.0), ValueError, ["base > 0", "example 1"]),
    (lambda: Value(-2.0) ** Batch([1.0, 2.0]), ValueError, ["base > 0"]),
    (lambda: Batch([1.0, 0.0]).log(), ValueError, ["log", "example 1"]),
    (lambda: Batch([1.0, 800.0]).exp(), OverflowError, ["exp", "example 1"]),
    (lambda: Batch([1.0, 1e200]) * Batch([1.0, 1e200]), OverflowError, ["*", "example 1"]),
    (lambda: Batch([2.0, 1e-200]) ** -2, OverflowError, ["**-2", "example 1"]),
    (lambda: 2.0 ** Batch([1.0, 2000.0]), OverflowError, ["**"]),
    (lambda: Batch([1e308, 1e308]).sum(), OverflowError, ["sum"]),
    (lambda: Batch([1.0, 1e-300]) / Batch([1.0, 1e-300]) / 1e-300, OverflowError, ["/"]),
])
def test_bad_numbers_in_a_batch_raise_what_the_engine_raises(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_a_layer_that_leaves_the_floats_says_so():
    model = nn.MLP(2, [2, 1], init=1e200)
    with pytest.raises(OverflowError, match="W·X"):
        model(columns([[1e200, 1.0], [1.0, 1.0]]))


def test_a_parameter_meets_a_batch_as_a_plain_value_does():
    random.seed(1)
    w = nn.Neuron(1).w[0]  # a Param, not a plain Value
    x = Batch([1.0, 2.0])
    for out in (w * x, x * w, w + x, w - x, w / x, w ** Batch([1.0, 2.0]) if w.data > 0 else x):
        assert isinstance(out, Batch)


@pytest.mark.parametrize("number", [float("nan"), float("inf")])
@pytest.mark.parametrize("op", ["+", "-", "*"])
def test_a_parameter_that_left_the_floats_stops_the_batch_op_it_meets(op, number):
    w = nn.Neuron(1).w[0]
    w.data = number  # a diverged model can hold one (it is refused when saved)
    x = Batch([0.0, 2.0])
    ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
    for a, b in ((w, x), (x, w)):
        with pytest.raises(OverflowError, match=rf"^{re.escape(op)} leaves the floats"):
            ops[op](a, b)


def test_a_rows_inputs_are_the_same_nodes_at_every_look_with_the_grads_of_now():
    random.seed(2)
    model = nn.MLP(2, [3, 2, 1])
    x = columns([[1.0, 2.0], [0.5, -1.0]])
    out = model.layers[1](model.layers[0](x))  # rows of A = relu(Z), on rows of the layer before
    loss = (out[0] * 1.0 + out[1] * 2.0).sum()
    loss.backward()
    order = topological_order(loss)
    assert [id(v) for v in topological_order(loss)] == [id(v) for v in order]  # a drawing walks twice
    (drive,) = out[0].inputs
    assert out[0].inputs[0] is drive and drive.label == "z1^(2)" and drive.inputs == drive.inputs
    first = drive.grad.copy()
    loss.backward()  # grads accumulate: the row shown now has twice the grad
    assert np.array_equal(out[0].inputs[0].grad, 2 * first)
