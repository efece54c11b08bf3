"""Memory: a dropped graph is freed at once by reference counting, and depth has no limit."""

import gc
import random
import sys

import pytest

import nn
from micrograd import Value, topological_order
from micrograd.batch import Batch, columns


def live_values() -> int:
    """Values (and Batches) the cycle collector can still see."""
    return sum(1 for o in gc.get_objects() if issubclass(type(o), Value))  # type(): no __class__ lookups


def freed_without_the_collector(build) -> tuple[int, int]:
    """(Values left, cycles found) after building, back-propagating and dropping a graph with gc off."""
    gc.collect()
    before = live_values()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        root = build()
        root.backward()
        assert live_values() > before  # the graph was there
        del root
        left = live_values() - before
        found = gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    return left, found


def demo_step_graph():
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    rows = [[Value(random.uniform(-1, 1)), Value(random.uniform(-1, 1))] for _ in range(20)]
    losses = [(1 + -1.0 * model(x)).relu() for x in rows]
    return sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())


def wide_graph():
    level = [Value(random.random()) * Value(random.random()) for _ in range(20_000)]
    while len(level) > 1:
        level = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)] + level[len(level) // 2 * 2:]
    return level[0]


def batch_graph():
    random.seed(2)
    model = nn.MLP(2, [8, 8, 1], activation="tanh")
    X = [[random.uniform(-1, 1), random.uniform(-1, 1)] for _ in range(50)]
    return ((model(columns(X)) - 0.5) ** 2).mean() + 1e-4 * sum(p * p for p in model.parameters())


@pytest.mark.parametrize("build", [demo_step_graph, wide_graph, batch_graph],
                         ids=["mlp-demo", "wide-products", "batch-mlp"])
def test_a_dropped_graph_leaves_no_values_and_no_cycles(build):
    left, cycles = freed_without_the_collector(build)
    # the MLP's own parameters go with the model, which `build` dropped too
    assert left == 0
    assert cycles == 0


def test_parameters_survive_their_graph():
    random.seed(3)
    model = nn.MLP(2, [3, 1])
    gc.collect()
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    grads = [p.grad for p in model.parameters()]
    del loss
    assert [p.grad for p in model.parameters()] == grads  # only the graph went
    assert live_values() >= len(grads)


@pytest.mark.parametrize("n", [1, 10, 1_000, 50_000])
def test_chain_of_any_depth_backpropagates(n):
    limit = sys.getrecursionlimit()
    x = leaf = Value(1.0)
    for _ in range(n):
        x = x * 0.999 + 0.001
    order = topological_order(x)
    assert len(order) == 4 * n + 1  # leaf, and per step: 0.999, the product, 0.001, the sum
    assert order[0] is leaf and order[-1] is x
    position = {id(v): i for i, v in enumerate(order)}
    assert all(position[id(u)] < position[id(v)] for v in order for u in v.inputs)
    x.backward()
    # x_n = 0.999^n (x_0 - 1) + 1, so dx_n/dx_0 = 0.999^n
    assert leaf.grad == pytest.approx(0.999**n, rel=1e-9)
    assert sys.getrecursionlimit() == limit
    del x, order, position  # freeing a deep chain must not overflow the C stack either


def test_batch_chain_is_as_deep_as_a_scalar_one():
    x = leaf = Batch([1.0, 2.0, 3.0])
    for _ in range(20_000):
        x = x * 0.999 + 0.001
    x.sum().backward()
    assert all(g == pytest.approx(0.999**20_000, rel=1e-9) for g in leaf.grad)
