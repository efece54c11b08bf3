"""derivation's work grows in step with the graph, with a max_nodes guard; draw_dot offers collapse='neuron'
only for a graph it can collapse."""

import time

import pytest

import nn
from micrograd import Value, topological_order
from viz.draw.graph import draw_dot
from viz.explain import derivation as derivation_module
from viz.explain.derivation import MAX_NODES, derivation


def chain(n: int) -> tuple[Value, Value]:
    """w, then n ops alternating + 0.1 and * 1.0001: dL/dw = 1.0001 ** (n // 2) by hand."""
    w = Value(0.5, "w")
    y = w
    for i in range(n):
        y = y * 1.0001 if i % 2 else y + 0.1
    y.backward()
    return y, w


def test_a_long_chain_is_derived_right():
    loss, w = chain(3000)
    d = derivation(loss, w)
    assert d.path_count == 1 and len(d.paths[0]) == 3000
    assert d.total == pytest.approx(1.0001 ** 1500, rel=1e-12)
    assert d.paths[0][-1].running == pytest.approx(1.0001 ** 1500, rel=1e-12)


def best_time(n: int) -> float:
    """The walk along every path from loss to w, the part that once copied the path at each step."""
    loss, w = chain(n)
    on = derivation_module._computed_from(topological_order(loss), w)
    times = []
    for _ in range(3):
        start = time.process_time()
        derivation_module._paths(loss, w, on)
        times.append(time.process_time() - start)
    return min(times)


def test_the_path_walk_grows_in_step_with_the_chain():
    # a ratio measured in the same run, not a time: 8 times the chain, about 8 times the work
    # (copying the path at each step, as before, made it about 80 times)
    ratio = best_time(32000) / best_time(4000)
    assert ratio < 30, f"8x the chain took {ratio:.1f}x the time"


def test_past_max_nodes_it_is_an_error_found_without_walking_the_whole_graph():
    loss, w = chain(MAX_NODES)  # 2 * MAX_NODES + 1 Values
    with pytest.raises(ValueError, match=f"has more than max_nodes={MAX_NODES} Values: .*a larger max_nodes"):
        derivation(loss, w)
    small, v = chain(10)  # 21 Values
    with pytest.raises(ValueError, match="has more than max_nodes=20 Values"):
        derivation(small, v, max_nodes=20)
    assert derivation(small, v, max_nodes=21).path_count == 1
    for bad in (0, -1, 2.5, True, "9"):
        with pytest.raises(ValueError, match="max_nodes must be a whole number > 0"):
            derivation(small, v, max_nodes=bad)


def labelled_like_a_network(n: int) -> Value:
    """A graph with nn-style labels on plain nodes, and no drive: nothing collapses."""
    z = Value(1.0, "z1^(1)")
    a = (z * 2.0)
    a.label = "a1^(1)"
    y = a
    for _ in range(n):
        y = y + 1.0
    return y


def test_collapse_is_offered_only_where_it_works():
    big = labelled_like_a_network(300)  # 603 Values: past MAX_NODES = 500
    with pytest.raises(ValueError) as error:
        draw_dot(big)
    assert "more than max_nodes=500" in str(error.value) and "collapse" not in str(error.value)
    with pytest.raises(ValueError, match="needs a graph built by nn"):
        draw_dot(big, collapse="neuron")  # before: an IndexError
    small = labelled_like_a_network(200)  # past COLLAPSE_AT = 150: drawn in full, not as one "neuron"
    assert draw_dot(small).name == "computation_graph"


def test_a_network_still_collapses_and_is_offered():
    model = nn.MLP(2, [16, 16, 1])
    loss = nn.sum_squares(model([0.5, -1.5]), 1.0)
    count = len(topological_order(loss))
    assert draw_dot(loss).name == "neurons"
    with pytest.raises(ValueError, match=f"has {count} Values.*collapse='neuron'"):
        draw_dot(loss, max_nodes=count - 1)
