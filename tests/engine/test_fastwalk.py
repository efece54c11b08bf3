"""The fast path against the chain rule as the engine writes it: the same grads, to the bit.

Random graphs mix everything the fast path special-cases: a layer's drives sharing one
vector of inputs, activations folded into their drives, plain binary and unary ops,
nodes shared by several later ones, the same model applied to several examples and
summed (a batch, as micrograd's demo writes it), and an op written micrograd's way with
its own `_backward`. Each graph is built twice: one copy goes through Value.backward
(micrograd.fastwalk), the other through the engine's loop (fastwalk.plain_backward).
"""

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micrograd import Value, drives, topological_order
from micrograd.fastwalk import plain_backward

ACTIVATION = st.sampled_from([None, "tanh", "sigmoid", "relu"])
step = st.one_of(
    st.tuples(st.just("layer"), st.integers(1, 3), st.integers(1, 3), ACTIVATION, st.booleans(),
              st.integers(0, 10**6)),
    st.tuples(st.just("binary"), st.sampled_from("+-*/"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("unary"), st.sampled_from(["tanh", "sigmoid", "relu", "exp", "neg", "sq", "closure"]),
              st.integers(0, 10**6)),
    st.tuples(st.just("const"), st.sampled_from("+*"), st.integers(0, 10**6), st.floats(-2.0, 2.0)),
)
graphs = st.tuples(
    st.lists(step, min_size=1, max_size=10),
    st.lists(st.floats(-1.0, 1.0), min_size=12, max_size=12),  # weights: one pool, shared by the layers
    st.lists(st.lists(st.floats(-1.5, 1.5), min_size=2, max_size=2), min_size=1, max_size=3),  # examples
)


def closure_tanh(x: Value) -> Value:
    """tanh written as nn-zero-to-hero writes an op: the node, then its _backward."""
    t = math.tanh(x.data)
    out = Value(t, (x,), "tanh")

    def _backward():
        x.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def build(graph):
    """(root, weights): the program run on every example, the outputs summed."""
    program, numbers, examples = graph
    weights = [Value(w, f"w{k}") for k, w in enumerate(numbers)]
    total = None
    for example in examples:
        nodes = [Value(x) for x in example]
        for instr in program:
            kind = instr[0]
            if kind == "layer":  # drives never take a weight that is also one of their inputs
                _, nin, nout, activation, bias, pick = instr
                xs = [nodes[(pick + i) % len(nodes)] for i in range(nin)]
                m = nin + bias
                rows = [tuple(weights[(pick + j * m + i) % len(weights)] for i in range(m))
                        for j in range(nout)]
                nodes += drives(rows, xs, bias, activation=activation)
                continue
            a = nodes[instr[2] % len(nodes)]
            if kind == "binary":
                b = nodes[instr[3] % len(nodes)]
                op = instr[1]
                out = (a + b if op == "+" else a - b if op == "-" else a * b if op == "*"
                       else a / (b * b + 1.0))
            elif kind == "const":
                out = a + instr[3] if instr[1] == "+" else a * instr[3]
            else:
                name = instr[1]
                out = (-a if name == "neg" else a ** 2 if name == "sq" else (a * 0.3).exp() if name == "exp"
                       else closure_tanh(a) if name == "closure" else getattr(a, name)())
            nodes.append(out)
        out = nodes[-1] + nodes[0] * 0.5 + weights[0]  # every root depends on an input and a weight
        total = out if total is None else total + out
    return total, weights


def same(xs, ys):
    """Equal to the bit; a zero's sign apart (no sum can see it: -0.0 + x is x)."""
    return [x if x != 0.0 else 0.0 for x in xs] == [y if y != 0.0 else 0.0 for y in ys]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs)
def test_fast_backward_gives_the_chain_rules_grads_to_the_bit(graph):
    fast, _ = build(graph)
    plain, _ = build(graph)
    fast.backward()
    plain_backward(plain)
    fast_nodes, plain_nodes = topological_order(fast), topological_order(plain)  # drives unfold here
    assert [v.op for v in fast_nodes] == [v.op for v in plain_nodes]
    assert [v.data for v in fast_nodes] == [v.data for v in plain_nodes]
    assert same([v.grad for v in fast_nodes], [v.grad for v in plain_nodes])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs, st.floats(-2.0, 2.0))
def test_a_second_backward_adds_the_same_bits_on_either_path(graph, seed):
    fast, fast_weights = build(graph)
    plain, plain_weights = build(graph)
    for _ in range(2):  # the second pass carries the first pass's grads
        fast.backward(seed)
        plain_backward(plain, seed)
    # (a folded drive's own grad is its activation's total times d a/d z, one rounding fewer)
    assert same([w.grad for w in fast_weights], [w.grad for w in plain_weights])
    leaves = [v for v in topological_order(fast) if not v.op]
    assert same([v.grad for v in leaves], [v.grad for v in topological_order(plain) if not v.op])
