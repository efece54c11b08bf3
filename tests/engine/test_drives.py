"""The drive node w·x+b: numbers, gradients, shared vectors, views, orders and errors, each
checked against an answer found another way (plain floats, finite differences, PyTorch, a
walk over the public views) or a property that breaks when the structure does."""

import math
import random

import numpy as np
import pytest

import nn
from micrograd import Value, backward_order, dot, drives, topological_order
from micrograd.batch import Batch
from micrograd.fastwalk import interior_order


def close(a, b, rel=1e-9, abs_=1e-12):
    return abs(a - b) <= rel * abs(b) + abs_


def layer_rows(nout, nin, bias=True, seed=0):
    """nout rows (w1..wn[, b]) of labelled weights and nin inputs, all random leaf Values."""
    rng = random.Random(seed)
    rows = [tuple(Value(rng.uniform(-1, 1), f"w{j}{i}") for i in range(1, nin + 1))
            + ((Value(rng.uniform(-1, 1), f"b{j}"),) if bias else ()) for j in range(1, nout + 1)]
    return rows, [Value(rng.uniform(-2, 2), f"x{i}") for i in range(1, nin + 1)]


def plain_drive(row, xs, bias=True):
    """b + w1 x1 + ... + wn xn on plain floats, in micrograd's order."""
    s = row[len(xs)] if bias else 0.0
    for w, x in zip(row, xs):
        s += w * x
    return s


def plain_loss(zs):
    """A loss that mixes the drives nonlinearly, on floats: sum_k (k+1) tanh(z_k) + z_1 z_last."""
    return sum((k + 1) * math.tanh(z) for k, z in enumerate(zs)) + zs[0] * zs[-1]


def value_loss(zs):
    """plain_loss on Values."""
    return sum(((k + 1) * z.tanh() for k, z in enumerate(zs)), zs[0] * zs[-1])


def data(vs):
    return [v.data for v in vs]


# ---- 1. numbers and gradients against independent answers ---------------------------------

@pytest.mark.parametrize("bias", [True, False])
def test_drive_data_is_the_plain_float_sum_and_equals_dot(bias):
    rows, xs = layer_rows(4, 3, bias)
    zs = drives(rows, xs, bias)
    assert len(zs) == 4
    for row, z in zip(rows, zs):
        assert z.data == plain_drive(data(row), data(xs), bias)  # the same order: exactly equal
        assert z.op == ("w·x+b" if bias else "w·x")
        assert dot(row[:3], xs, row[3] if bias else None).data == z.data


@pytest.mark.parametrize("bias", [True, False])
def test_drive_gradients_match_central_differences(bias):
    rows, xs = layer_rows(3, 4, bias, seed=1)
    value_loss(drives(rows, xs, bias)).backward()
    W, x = [data(r) for r in rows], data(xs)

    def f():
        return plain_loss([plain_drive(r, x, bias) for r in W])

    h = 1e-6
    for numbers, values in [(r, row) for r, row in zip(W, rows)] + [(x, xs)]:
        for k, v in enumerate(values):
            keep = numbers[k]
            numbers[k] = keep + h
            up = f()
            numbers[k] = keep - h
            down = f()
            numbers[k] = keep
            assert close(v.grad, (up - down) / (2 * h), rel=1e-6, abs_=1e-8), v.label


@pytest.mark.parametrize("bias", [True, False])
def test_drive_gradients_match_pytorch(bias):
    torch = pytest.importorskip("torch")
    rows, xs = layer_rows(3, 4, bias, seed=2)
    value_loss(drives(rows, xs, bias)).backward()
    W = torch.tensor([data(r[:4]) for r in rows], dtype=torch.float64, requires_grad=True)
    x = torch.tensor(data(xs), dtype=torch.float64, requires_grad=True)
    z = W @ x
    if bias:
        b = torch.tensor([r[4].data for r in rows], dtype=torch.float64, requires_grad=True)
        z = z + b
    loss = (torch.arange(1, 4, dtype=torch.float64) * torch.tanh(z)).sum() + z[0] * z[-1]
    loss.backward()
    for j, row in enumerate(rows):
        for i in range(4):
            assert close(row[i].grad, W.grad[j, i].item())
        if bias:
            assert close(row[4].grad, b.grad[j].item())
    for i, v in enumerate(xs):
        assert close(v.grad, x.grad[i].item())


def test_plain_number_inputs_become_shared_leaves_that_receive_gradients():
    rows, _ = layer_rows(2, 3)
    zs = drives(rows, [1.5, -2, np.float64(0.25)])
    leaves = zs[0]._b
    assert leaves is zs[1]._b and all(type(v) is Value and v.op == "" for v in leaves)
    assert data(leaves) == [1.5, -2.0, 0.25]
    (zs[0] * 2.0 + zs[1]).backward()  # dL/dx_i = 2 w1i + w2i
    for i, v in enumerate(leaves):
        assert v.grad == 2.0 * rows[0][i].data + rows[1][i].data


def test_rows_given_as_lists_work_like_tuples():
    rows, xs = layer_rows(3, 2, seed=3)
    value_loss(drives(rows, xs)).backward()
    expected = [p.grad for r in rows for p in r] + [x.grad for x in xs]
    for v in [p for r in rows for p in r] + xs:
        v.grad = 0.0
    zs = drives([list(r) for r in rows], xs)
    assert data(zs) == [plain_drive(data(r), data(xs)) for r in rows]
    value_loss(zs).backward()
    assert [p.grad for r in rows for p in r] + [x.grad for x in xs] == expected


# ---- 2. the vectors are really shared, and a cache is never stale -----------------------

def test_a_layers_drives_share_one_inputs_vector_and_one_da():
    rows, xs = layer_rows(3, 2)
    zs = drives(rows, xs)
    assert all(z._b is zs[0]._b and z._da is zs[0]._da for z in zs)
    assert all(z._a is row for z, row in zip(zs, rows))  # a row given as a tuple is kept as it is


def test_a_neuron_and_a_layer_pass_their_own_row_tuple_every_call():
    neuron = nn.Neuron(3, "linear")
    assert neuron([1.0, 2.0, 3.0])._a is neuron._params
    layer = nn.Layer(2, 3, "linear")
    for _ in range(2):
        zs = layer.forward([Value(0.5), Value(-1.0)])
        assert [z._a for z in zs] == [n._params for n in layer.neurons]
        assert all(z._a is n._params for z, n in zip(zs, layer.neurons))


def test_a_cache_shares_numbers_while_weights_stay_and_is_never_stale():
    rows, xs = layer_rows(2, 3, seed=4)
    cache = {}
    first = drives(rows, xs, cache=cache)
    again = drives(rows, xs, cache=cache)
    assert all(a._db is b._db for a, b in zip(first, again))
    rows[1][2].data += 0.75  # a step of training: the next call must read the new number
    after = drives(rows, xs, cache=cache)
    assert after[1]._db is not first[1]._db
    assert data(after) == [plain_drive(data(r), data(xs)) for r in rows]
    value_loss(after).backward()
    dz = [(k + 1) * (1 - math.tanh(z.data) ** 2) for k, z in enumerate(after)]
    dz[0] += after[1].data
    dz[1] += after[0].data
    for i, x in enumerate(xs):  # dL/dx_i = sum_j dL/dz_j w_ji with the new w
        assert close(x.grad, dz[0] * rows[0][i].data + dz[1] * rows[1][i].data)
    assert first[1].data != after[1].data  # the old graph kept its own numbers


def test_a_layer_with_changed_weights_computes_with_the_new_ones():
    layer = nn.Layer(2, 2, "linear")
    x = [Value(1.5), Value(-0.5)]
    layer.forward(x)
    neuron = layer.neurons[1]
    neuron.w[0].data = 4.0
    new_w = (Value(neuron.w[0].data), Value(neuron.w[1].data))  # new objects, same numbers
    neuron.w = new_w
    z = layer.forward(x)[1]
    assert z.data == plain_drive(data(neuron._params), [1.5, -0.5])
    z.backward()
    assert [w.grad for w in new_w] == [1.5, -0.5] and x[0].grad == 4.0


def test_a_cache_reused_for_rows_of_another_shape_is_not_used():
    ws = [Value(float(k)) for k in range(6)]
    cache = {}
    drives([tuple(ws[:3]), tuple(ws[3:])], [Value(1.0), Value(2.0)], cache=cache)
    rows = [tuple(ws[2 * k:2 * k + 2]) for k in range(3)]  # the same six numbers as (w, b) rows
    zs = drives(rows, [Value(1.0)], cache=cache)
    assert data(zs) == [plain_drive(data(r), [1.0]) for r in rows]



# ---- 3. the public views ------------------------------------------------------------------

@pytest.mark.parametrize("bias", [True, False])
def test_inputs_and_local_grads_views_list_the_pairs(bias):
    rows, xs = layer_rows(2, 3, bias)
    for row, z in zip(rows, drives(rows, xs, bias)):
        pairs = [v for w, x in zip(row, xs) for v in (w, x)] + ([row[3]] if bias else [])
        assert len(z.inputs) == len(pairs) and all(a is b for a, b in zip(z.inputs, pairs))
        locals_ = [v for w, x in zip(row, xs) for v in (x.data, w.data)] + ([1.0] if bias else [])
        assert list(z.local_grads) == locals_
        assert z._prev == z.inputs and z._op == z.op


def test_micrograd_style_trace_over_prev_finds_every_edge():
    rows, xs = layer_rows(2, 2)
    z1, z2 = drives(rows, xs)
    root = z1.tanh() * z2
    nodes, edges, stack = set(), set(), [root]
    while stack:  # micrograd's draw_dot trace, written over _prev
        v = stack.pop()
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                stack.append(child)
    assert nodes == {root, root._a, z1, z2, *xs, *rows[0], *rows[1]}
    assert len(edges) == 2 + 1 + 2 * 5  # *, tanh, and each drive's 5 inputs


# ---- 4. errors name the problem, and build nothing -----------------------------------------

@pytest.mark.parametrize("make, error, match", [
    (lambda r, x: ([r[0][:2]], x), ValueError, r"needs 3 weights and a bias for 3 inputs.*\[2\]"),
    (lambda r, x: ([(*r[0][:3], 0.5)], x), TypeError, r"Values as weights.*float"),
    (lambda r, x: (r, [x[0], Batch([1.0, 2.0]), x[2]]), TypeError, r"all Values.*or all Batches"),
    (lambda r, x: (r, [Batch([1.0, 2.0]), 2.0, 3.0]), TypeError, r"all Values.*or all Batches"),
])
def test_bad_drives_raise_a_clear_error_and_leave_the_cache(make, error, match):
    rows, xs = layer_rows(2, 3)
    cache = {}
    drives(rows, xs, cache=cache)
    before = dict(cache)
    with pytest.raises(error, match=match):
        drives(*make(rows, xs), cache=cache)
    assert cache == before


def test_dot_rejects_a_bias_that_is_not_a_value_and_unequal_lengths():
    w = [Value(1.0), Value(2.0)]
    with pytest.raises(TypeError, match="Value as bias"):
        dot(w, [1.0, 2.0], 0.5)
    with pytest.raises(ValueError, match="as many weights as inputs, got 2 and 1"):
        dot(w, [1.0])


def test_a_batch_weight_is_a_clear_type_error_and_leaves_the_cache_usable():
    rows, xs = layer_rows(2, 2)
    cache = {}
    bad = [(Batch([1.0, 2.0]), *rows[0][1:]), rows[1]]
    with pytest.raises(TypeError, match="a Batch cannot be a weight"):
        drives(bad, xs, cache=cache)
    assert data(drives(rows, xs, cache=cache)) == [plain_drive(data(r), data(xs)) for r in rows]


def test_a_weight_whose_data_became_a_numpy_float_still_drives():
    random.seed(5)
    model = nn.MLP(2, [3, 1])
    nn.SGD(model.parameters(), lr=np.float64(0.1)).step()  # grads are 0: only the type changes
    expected = plain_drive([w.data for w in model.layers[1].neurons[0]._params],
                           [max(0.0, plain_drive(data(n._params), [1.0, -1.0]))
                            for n in model.layers[0].neurons])
    assert model([1.0, -1.0]).data == expected


@pytest.mark.parametrize("kind", [np.float64, int])
def test_scalar_data_of_another_number_type_still_drives(kind):
    w, b, x = Value(1.0), Value(0.0), Value(1.0)
    w.data, b.data, x.data = kind(2), kind(1), kind(3)
    assert drives([(w, b)], [x])[0].data == 7.0


# ---- 5. backward and the two orders on graphs made of drives --------------------------------

def mlp_graph(seed=0, mask=None):
    """The summed squared error of a small tanh MLP over three examples, plus an L2 term."""
    random.seed(seed)
    model = nn.MLP(3, [4, 3, 1], activation="tanh", mask=mask)
    examples = [([0.5, -1.0, 2.0], 1.0), ([-0.3, 0.8, 0.1], -1.0), ([1.2, 0.4, -0.7], 0.5)]
    loss = sum(((model(x) - y) ** 2 for x, y in examples), sum(p * p for p in model.parameters()) * 0.01)
    return loss, model


def random_drive_graph(seed):
    """Drives on shared inputs, rows reused across calls, a Value as weight and input, nodes used twice."""
    rng = random.Random(seed)
    params = [Value(rng.uniform(-1, 1), f"p{k}") for k in range(5)]
    nodes = [Value(rng.uniform(-1, 1), f"x{k}") for k in range(3)]
    kept_rows = {}
    for _ in range(rng.randint(2, 6)):
        xs = rng.sample(nodes, rng.randint(1, min(3, len(nodes))))
        bias = rng.random() < 0.7
        m = len(xs) + bias
        pool = params + nodes  # a weight may be an input too, or a node computed from others
        rows = [kept_rows[m] if m in kept_rows and rng.random() < 0.3
                else tuple(rng.choice(pool) for _ in range(m)) for _ in range(rng.randint(1, 3))]
        kept_rows[m] = rows[0]
        for z in drives(rows, xs, bias):
            nodes.append(rng.choice([z, z.tanh(), z * z, z.relu(), z + nodes[-1]]))
    return sum(rng.sample(nodes[3:], min(3, len(nodes) - 3)), nodes[0] * 0.5)


def graph(name):
    if name == "mlp":
        return mlp_graph()[0]
    if name == "masked":
        return mlp_graph(1, mask=[[[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]], None, None])[0]
    if name == "batch":  # a 'rows' node per layer, one of them read by two layers
        rows = [layer_rows(3, 2, seed=6)[0], layer_rows(2, 3, seed=7)[0], layer_rows(2, 3, False, seed=8)[0]]
        return two_branch_loss([Batch([0.5, -1.0]), Batch([2.0, 0.3])], *rows, True).sum()
    return random_drive_graph(int(name))


def walk(root):
    """Every node under root, each after its inputs: a plain recursive walk over the public `inputs`."""
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for u in v.inputs:
                visit(u)
            order.append(v)
    visit(root)
    return order


GRAPHS = ["mlp", "masked"] + [str(s) for s in range(12)]


@pytest.mark.parametrize("name", GRAPHS)
def test_backward_is_the_chain_rule_over_the_views(name):
    root = graph(name)
    order = walk(root)
    expected = {v: 0.0 for v in order}
    expected[root] = 1.0
    for v in reversed(order):
        for u, local in zip(v.inputs, v.local_grads):
            expected[u] += local * expected[v]
    root.backward()
    for v in order:
        assert close(v.grad, expected[v], rel=1e-12), (v, expected[v])


@pytest.mark.parametrize("name", GRAPHS)
def test_backward_twice_doubles_every_grad_exactly(name):
    root = graph(name)
    root.backward()
    once = [(v, v.grad) for v in walk(root)]
    root.backward()
    assert all(v.grad == 2 * g for v, g in once)


@pytest.mark.parametrize("name", GRAPHS + ["batch"])
def test_orders_place_each_node_once_on_the_right_side_of_every_edge(name):
    root = graph(name)
    nodes = set(walk(root))
    topo, back = topological_order(root), backward_order(root)
    for order in (topo, back):
        assert len(order) == len(nodes) and set(order) == nodes
    at_topo = {v: k for k, v in enumerate(topo)}
    at_back = {v: k for k, v in enumerate(back)}
    assert back[0] is root and topo[-1] is root
    for v in nodes:
        for u in v.inputs:
            assert at_topo[u] < at_topo[v] and at_back[v] < at_back[u]


@pytest.mark.parametrize("name", GRAPHS + ["batch"])
def test_walking_only_interior_nodes_keeps_their_order_and_notes_each_leaf_once(name):
    root = graph(name)
    folded = interior_order(root, [])  # backward()'s own walk: activations keep their drives folded
    full = backward_order(root)  # a walk anyone reads: every drive is a node of its own from now on
    drives_made = {v for v in full if v.op.startswith("w·x")} - set(folded)
    assert folded[::-1] == [v for v in full if v.op and v not in drives_made]
    leaves = []
    interior = interior_order(root, leaves)
    assert interior[::-1] == [v for v in full if v.op]
    assert len(leaves) == len(set(leaves)) and set(leaves) == {v for v in walk(root) if not v.op}


# ---- 6. nn's neuron: weights and bias as properties; masks ------------------------------------

def test_assigning_a_neurons_weights_and_bias_changes_its_drive():
    neuron = nn.Neuron(2, "linear")
    assert isinstance(neuron.w, tuple)
    old = neuron.w
    neuron.w = [Value(3.0), Value(-1.0)]
    neuron.b = Value(0.5)
    assert neuron.w is not old and neuron.parameters() == [*neuron.w, neuron.b]
    z = neuron([1.0, 2.0])
    assert z.data == 0.5 + 3.0 * 1.0 + -1.0 * 2.0
    z.backward()
    assert [w.grad for w in neuron.w] == [1.0, 2.0] and neuron.b.grad == 1.0
    assert [w.grad for w in old] == [0.0, 0.0]


@pytest.mark.parametrize("numbers, match", [  # numbers, not Values: no Value may outlive its test
    ([1.0], "needs 2 Values as weights"),
    ([1.0, 2.0, 3.0], "needs 2 Values as weights"),
    (None, "needs 2 Values as weights"),
])
def test_wrong_weights_raise_and_change_nothing(numbers, match):
    weights = [1.0, 2.0] if numbers is None else [Value(x) for x in numbers]
    neuron = nn.Neuron(2)
    old, params = neuron.w, neuron._params
    with pytest.raises(ValueError, match=match):
        neuron.w = weights
    assert neuron.w is old and neuron._params is params


def test_a_bias_must_be_a_value_and_a_biasless_neuron_takes_none():
    with pytest.raises(ValueError, match="has no bias"):
        nn.Neuron(2, bias=False).b = Value(1.0)
    neuron = nn.Neuron(2)
    with pytest.raises(ValueError, match="needs a Value as bias"):
        neuron.b = 1.0
    assert isinstance(neuron.b, Value) and neuron._params[-1] is neuron.b


def test_a_masked_layer_matches_a_dense_one_with_zero_weights_there():
    mask = [[1, 0, 1], [0, 1, 1]]
    W, b = [[0.7, 0.0, -0.4], [0.0, 1.1, 0.3]], [0.2, -0.5]
    masked = nn.MLP(3, [2, 1], "tanh", mask=[mask, None], weights=[(W, b), ([[0.9, -1.3]], [0.1])])
    dense = nn.MLP(3, [2, 1], "tanh", weights=[(W, b), ([[0.9, -1.3]], [0.1])])
    xm, xd = [Value(v) for v in (0.5, -1.5, 2.0)], [Value(v) for v in (0.5, -1.5, 2.0)]
    out_m, out_d = masked(xm), dense(xd)
    assert close(out_m.data, out_d.data, rel=1e-15)
    out_m.backward()
    out_d.backward()
    assert all(close(a.grad, c.grad, rel=1e-15) for a, c in zip(xm, xd))
    for nm, nd, keep in zip(masked.layers[0].neurons, dense.layers[0].neurons, mask):
        dense_kept = [w for w, on in zip(nd.w, keep) if on]
        assert [w.grad for w in nm.w] == pytest.approx([w.grad for w in dense_kept], rel=1e-15)
        assert close(nm.b.grad, nd.b.grad, rel=1e-15)


# ---- 7. batch drives: the scalar engine, example by example ----------------------------------

def two_branch_loss(inputs, rows1, rows_a, rows_b, bias):
    """A hidden layer whose outputs feed two layers (one without bias) and one op directly."""
    hidden = [z.tanh() for z in drives(rows1, inputs, bias)]
    za, zb = drives(rows_a, hidden, bias), drives(rows_b, hidden, False)
    return sum((z * z for z in za), sum((z.sigmoid() for z in zb), hidden[0] * 0.5))


@pytest.mark.parametrize("bias", [True, False])
def test_batch_drives_match_the_scalar_engine_example_by_example(bias):
    rows1, _ = layer_rows(3, 2, bias, seed=6)
    rows_a, _ = layer_rows(2, 3, bias, seed=7)
    rows_b, _ = layer_rows(2, 3, False, seed=8)
    params = [p for rows in (rows1, rows_a, rows_b) for r in rows for p in r]
    X = np.random.default_rng(9).uniform(-2, 2, (5, 2))
    outs, dxs = [], []
    for example in X:
        xs = [Value(v) for v in example]
        loss = two_branch_loss(xs, rows1, rows_a, rows_b, bias)
        loss.backward()  # the grads of the parameters add up over the examples
        outs.append(loss.data)
        dxs.append([x.grad for x in xs])
    scalar = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    xs = [Batch(X[:, i]) for i in range(2)]
    loss = two_branch_loss(xs, rows1, rows_a, rows_b, bias)
    loss.backward()
    for k in range(len(X)):
        assert close(loss.data[k], outs[k])
        assert all(close(x.grad[k], dx[k]) for x, dx in zip(xs, zip(*dxs)))
    assert all(type(p.grad) is float and close(p.grad, g) for p, g in zip(params, scalar))


# ---- 8. an activation with its drive folded in ---------------------------------------------------

def small_net():
    random.seed(11)
    return nn.MLP(3, [4, 2], activation="tanh", output_activation="sigmoid")


def test_a_folded_drive_unfolds_with_the_grad_the_chain_rule_gives_it():
    model = small_net()
    out = model([0.5, -1.0, 2.0])
    loss = sum((a - 0.25) ** 2 for a in out)
    loss.backward()
    a = out[0]
    assert a.op == "sigmoid" and a.label == "a1^(2)"
    (z,) = a.inputs  # the first look makes the drive a node
    assert z.op == "w·x+b" and z.label == "z1^(2)" and a.local_grads == (a.data * (1 - a.data),)
    assert z.grad == a.local_grads[0] * a.grad  # d loss/d z = sigma'(z) d loss/d a
    # against a model whose drives are nodes from the start (Neuron's own path, then unfolded at once)
    again = small_net()
    x = [Value(0.5), Value(-1.0), Value(2.0)]
    hidden = [n(x) for n in again.layers[0].neurons]
    assert all(h.inputs[0].op == "w·x+b" for h in hidden)  # unfolded before backward: a -> z -> weights
    out2 = [n(hidden) for n in again.layers[1].neurons]
    sum((a - 0.25) ** 2 for a in out2).backward()
    assert [p.grad for p in again.parameters()] == [p.grad for p in model.parameters()]


def test_folded_activations_back_propagate_inside_a_batch_graph():
    model = small_net()
    scalar = model([0.5, -1.0, 2.0])[0]  # a Value activation with its drive folded in
    w = Value(0.3)
    x = Batch([1.0, 2.0, 3.0])
    (scalar * x * w).sum().backward()
    model_ref = small_net()
    ref = model_ref([0.5, -1.0, 2.0])[0]
    assert ref.inputs[0].op == "w·x+b"  # unfolded
    (ref * 6.0 * 0.3).backward()  # the sum over the batch of x is 6
    assert [p.grad for p in model.parameters()] == pytest.approx([p.grad for p in model_ref.parameters()],
                                                                 rel=1e-12)


def test_drives_folds_only_the_activations_it_knows():
    with pytest.raises(ValueError, match="'tanh', 'sigmoid' or 'relu'"):
        drives([(Value(1.0), Value(0.0))], [1.0], activation="square")
