"""Random expression graphs (with shared sub-expressions) against finite differences and PyTorch."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micrograd import Value, backward_order, topological_order
from micrograd.fastwalk import interior_order

# Each step applies one op to nodes chosen from those made so far, so later nodes reuse
# earlier ones: the graph is a DAG with shared sub-expressions, not a tree.
UNARY = ["tanh", "sigmoid", "exp", "relu", "neg", "square", "log1p_abs"]
BINARY = ["+", "-", "*", "/"]

step = st.one_of(
    st.tuples(st.just("unary"), st.sampled_from(UNARY), st.integers(0, 10**6)),
    st.tuples(st.just("binary"), st.sampled_from(BINARY), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("const"), st.sampled_from(BINARY), st.integers(0, 10**6),
              st.floats(-2.0, 2.0).filter(lambda c: abs(c) > 0.1)),
)
program_strategy = st.lists(step, min_size=1, max_size=14)
inputs_strategy = st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3)


def run(program, xs, lib):
    """Evaluate `program` on leaves `xs` with the ops of `lib` (our Values, floats or torch)."""
    nodes = list(xs)
    for instr in program:
        kind, op = instr[0], instr[1]
        a = nodes[instr[2] % len(nodes)]
        if kind == "unary":
            out = lib[op](a)
        elif kind == "binary":
            b = nodes[instr[3] % len(nodes)]
            out = lib["bin"](op, a, b)
        else:
            out = lib["bin"](op, a, instr[3])
        nodes.append(out)
    return nodes[-1] + nodes[0] * 0.5  # make sure the last node depends on a leaf


def _bin(op, a, b):
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    # keep division well away from 0: divide by (1 + b^2)
    return a / (b * b + 1.0)


VALUE_OPS = {
    "tanh": lambda v: v.tanh(), "sigmoid": lambda v: v.sigmoid(), "exp": lambda v: (v * 0.3).exp(),
    "relu": lambda v: v.relu(), "neg": lambda v: -v, "square": lambda v: v**2,
    "log1p_abs": lambda v: (v * v + 1.0).log(), "bin": _bin,
}
FLOAT_OPS = {
    "tanh": math.tanh, "sigmoid": lambda x: 1 / (1 + math.exp(-x)), "exp": lambda x: math.exp(x * 0.3),
    "relu": lambda x: max(x, 0.0), "neg": lambda x: -x, "square": lambda x: x**2,
    "log1p_abs": lambda x: math.log(x * x + 1.0), "bin": _bin,
}


def _relu_inputs(program, xs):
    """The values fed to relu, so the check can stay away from its kink."""
    seen = []
    lib = dict(FLOAT_OPS, relu=lambda x: seen.append(x) or max(x, 0.0))
    run(program, xs, lib)
    return seen


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program_strategy, inputs_strategy)
def test_random_graphs_match_central_differences(program, xs):
    if any(abs(r) < 1e-3 for r in _relu_inputs(program, xs)):
        return  # too close to relu's kink for a finite difference
    leaves = [Value(x) for x in xs]
    out = run(program, leaves, VALUE_OPS)
    if abs(out.data) > 1e6:
        return
    out.backward()
    assert out.data == pytest.approx(run(program, xs, FLOAT_OPS), rel=1e-12, abs=1e-12)
    h = 1e-6
    for i, leaf in enumerate(leaves):
        up = list(xs)
        down = list(xs)
        up[i] += h
        down[i] -= h
        numeric = (run(program, up, FLOAT_OPS) - run(program, down, FLOAT_OPS)) / (2 * h)
        assert leaf.grad == pytest.approx(numeric, rel=1e-4, abs=1e-5)


@settings(max_examples=150, deadline=None)
@given(program_strategy, inputs_strategy)
def test_random_graphs_match_pytorch_float64(program, xs):
    torch = pytest.importorskip("torch", reason="PyTorch cross-check needs torch (pip install torch)")
    torch_ops = {
        "tanh": torch.tanh, "sigmoid": torch.sigmoid, "exp": lambda t: torch.exp(t * 0.3),
        "relu": torch.relu, "neg": lambda t: -t, "square": lambda t: t**2,
        "log1p_abs": lambda t: torch.log(t * t + 1.0), "bin": _bin,
    }
    leaves = [Value(x) for x in xs]
    out = run(program, leaves, VALUE_OPS)
    out.backward()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    tout = run(program, ts, torch_ops)
    tout.backward()
    assert out.data == pytest.approx(tout.item(), rel=1e-12, abs=1e-12)
    for leaf, t in zip(leaves, ts):
        expected = 0.0 if t.grad is None else t.grad.item()
        assert leaf.grad == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(program_strategy, inputs_strategy)
def test_backwards_own_walk_keeps_backward_orders_order(program, xs):
    # backward() walks only the nodes with inputs and places some of them early (a sum's terms
    # whose inputs are leaves); the order must still be the one backward_order documents
    leaves = [Value(x) for x in xs]
    out = run(program, leaves, VALUE_OPS)
    noted = []
    interior = interior_order(out, noted)[::-1]
    assert interior == [v for v in backward_order(out) if v.op]
    assert len(noted) == len(set(noted)) and set(noted) == {v for v in topological_order(out) if not v.op}
