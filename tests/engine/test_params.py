"""A model's parameters (views of a layer's array) in every op, and sums of their squares as one node."""

import random

import numpy as np
import pytest

import nn
from micrograd import Value, topological_order
from micrograd.batch import columns
from micrograd.params import Power2, Square, SumOfSquares

UNARY = [lambda v: -v, lambda v: v ** 2, lambda v: v ** 3, lambda v: v.relu(), lambda v: v.tanh(),
         lambda v: v.sigmoid(), lambda v: v.exp(), lambda v: (v * v + 1.0).log(), lambda v: abs(v.data) + v]


def model(seed: int = 3, sizes: tuple = (4, 3, 1)) -> nn.MLP:
    random.seed(seed)
    return nn.MLP(2, list(sizes))


@pytest.mark.parametrize("op", range(len(UNARY)))
def test_an_op_on_a_parameter_or_a_penalty_is_the_op_on_a_plain_value(op):
    f = UNARY[op]
    m = model()
    p = m.parameters()[1]
    for node in (p, nn.l2(m, 0.5), sum(q * q for q in m.parameters())):
        plain = Value(node.data)
        out, expected = f(node), f(plain)
        assert type(out) in (Value, Square, Power2) and out.data == expected.data  # a node, not a parameter
        out.backward()
        expected.backward()
        if node is p:
            assert p.grad == plain.grad


def test_the_sum_of_squares_is_one_node_with_micrograds_bits():
    m = model()
    params = m.parameters()
    plain = [Value(p.data) for p in params]
    for square in (lambda v: v * v, lambda v: v ** 2):
        reg = sum(square(p) for p in params)
        expected = sum(square(v) for v in plain)  # the 2n-node chain, walked node by node
        assert isinstance(reg, SumOfSquares) and reg.op == "L2"
        assert reg.data == expected.data  # summed left to right, as the chain does
        assert len(topological_order(reg)) == len(params) + 1
        m.zero_grad()
        for v in plain:
            v.grad = 0.0
        (0.37 * reg).backward()
        (0.37 * expected).backward()
        assert [p.grad for p in params] == [v.grad for v in plain]  # to the bit
        assert [p.grad for p in params] == pytest.approx([0.74 * v.data for v in plain], rel=1e-15)
        assert reg.local_grads == pytest.approx([2 * v.data for v in plain], rel=1e-15)
        assert list(reg.inputs) == params


def test_the_sum_of_squares_adds_into_the_layers_arrays_in_batch_mode():
    m = model()
    params = m.parameters()
    x = columns(np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]]))
    loss = m(x).sum() * (1.0 / 3)
    reg = 1e-2 * sum(p * p for p in params)
    (loss + reg).backward()
    grads = [p.grad for p in params]
    m.zero_grad()
    loss = m(x).sum() * (1.0 / 3)
    (loss + nn.l2(m, 1e-2)).backward()
    assert grads == pytest.approx([p.grad for p in params], rel=1e-13)


def test_a_longer_sum_does_not_change_the_shorter_one_it_grew_from():
    a, b, c, d = model().parameters()[:4]
    ab = a * a + b * b
    abc, abd = ab + c * c, ab + d * d  # both grow from ab
    assert [len(s.inputs) for s in (ab, abc, abd)] == [2, 3, 3]
    assert list(abd.inputs) == [a, b, d]
    for s, used in ((ab, (a, b)), (abc, (a, b, c)), (abd, (a, b, d))):
        for p in (a, b, c, d):
            p.grad = 0.0
        s.backward()
        assert [p.grad for p in (a, b, c, d)] == [2 * p.data if p in used else 0.0 for p in (a, b, c, d)]
        assert s.data == sum(p.data * p.data for p in used)


def test_a_parameter_twice_and_a_term_kept_by_the_user():
    p, q = model().parameters()[:2]
    kept = p * p
    total = kept + q * q + p * p + (p * p + q * q)  # a sum of two sums as well
    total.backward()
    assert p.grad == pytest.approx(6 * p.data, rel=1e-15) and q.grad == pytest.approx(4 * q.data, rel=1e-15)
    assert kept.grad == 1.0  # d total / d kept, as micrograd's graph would say


@pytest.mark.parametrize("mix", [lambda s: s + 1.5, lambda s: 1.5 + s, lambda s: Value(1.5) + s,
                                 lambda s: s + Value(1.5), lambda s: sum([s, Value(1.5)])])
def test_a_sum_of_squares_meets_other_values_as_a_plain_value_does(mix):
    p, q = model().parameters()[:2]
    for s in (p * p, p * p + q * q):
        out = mix(s)
        assert type(out) is Value and out.data == s.data + 1.5
        out.backward()
        assert p.grad != 0.0


def test_squares_that_leave_the_floats_say_so():
    p, q = nn.MLP(1, [2], init=1e200).parameters()[:2]
    with pytest.raises(OverflowError, match=r"^\* leaves the floats"):
        p * p
    with pytest.raises(OverflowError, match=r"^\*\*2 leaves the floats"):
        p ** 2
    small = nn.MLP(1, [2], init=1e154).parameters()
    with pytest.raises(OverflowError, match=r"^\+ leaves the floats"):
        sum(p * p for p in small)


@pytest.mark.parametrize("batch_mode", [False, True])
def test_squares_in_any_order_and_mix_give_the_chains_bits(batch_mode):
    m = model(sizes=(5, 4, 1))
    params = m.parameters()
    if batch_mode:  # the grads then live in the layers' arrays: the backward's array path
        m(columns(np.array([[0.5, -1.0], [2.0, 0.25]]))).sum().backward()
    rng = random.Random(7)
    picked = rng.sample(params, len(params) - 6)  # shuffled across layers, some left out
    plain = {id(p): Value(p.data) for p in params}
    squares = [(lambda v: v * v) if rng.random() < 0.7 else (lambda v: v ** 2) for _ in picked]
    reg = sum(sq(p) for sq, p in zip(squares, picked))
    chain = sum(sq(plain[id(p)]) for sq, p in zip(squares, picked))
    assert isinstance(reg, SumOfSquares) and {type(t) for t in reg.terms} == {Square, Power2}
    m.zero_grad()
    (0.37 * reg).backward()
    (0.37 * chain).backward()
    assert [p.grad for p in params] == [plain[id(p)].grad for p in params]  # to the bit; 0.0 if left out
    assert reg.data == chain.data


def test_a_parameters_number_is_checked_and_a_node_keeps_the_numbers_it_was_made_with():
    m = model()
    p = m.parameters()[0]
    block = p._block
    held = block.data  # as a layer's node holds it
    before = held.copy()
    for number in (3, np.float64(0.5), np.array(-0.25), float("nan")):  # nan too: a diverged model
        p.data = number
        assert type(p.data) is float and (p.data == float(number) or p.data != p.data)
        assert block.data[p._at] == p.data or p.data != p.data
    assert np.array_equal(held, before)  # never written into
    for bad in ("0.5", None, True, [0.5], np.array([0.5]), Value(0.5)):
        with pytest.raises(TypeError, match="a parameter's data must be a real number"):
            p.data = bad
    with pytest.raises(ValueError, match="read-only"):
        block.data[0, 0] = 1.0
    with pytest.raises(ValueError, match=r"shape \(4, 3\) cannot take numbers of shape \(3, 4\)"):
        block.update(np.zeros((3, 4)))


def test_after_an_optimisers_step_each_parameter_reads_and_writes_the_new_numbers():
    m = model()
    params = m.parameters()
    block = params[0]._block
    m(columns(np.array([[0.5, -1.0], [2.0, 0.25]]))).sum().backward()
    expected = [p.data - 0.1 * p.grad for p in params]
    nn.SGD(params, lr=0.1).step()
    assert block._flat is None  # a layer's step is array work only: no list of its numbers is made
    assert [p.data for p in params] == expected
    p = params[4]
    p.data = 0.5
    assert block.data[p._at] == 0.5 and (p * p).data == 0.25 and (p ** 2).data == 0.25
    assert [q.data for q in params] == expected[:4] + [0.5] + expected[5:]
