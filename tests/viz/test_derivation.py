"""derivation(loss, wrt) against the seed documents' chains: seed 001's dDiv/dw1, seed 004's
dl/dW2_11 and dl/dW1_21, seed 000's deltas; and the chain rule's own properties."""

import math
import random
import re

import pytest
from conftest import printed

import nn
from micrograd import Value
from viz import derivation
from viz.notation.numbers import number


def seed_001():
    """Seed 001's sparse net as a masked MLP: h1 sees x1, x2; h2 sees x3, x4; Div = (y_hat - y)^2."""
    model = nn.MLP(4, [2, 1], activation="sigmoid", output_activation="sigmoid", bias=False,
                   mask=[[[1, 1, 0, 0], [0, 0, 1, 1]], None],
                   weights=[[[-1.7, 0.1, 0, 0], [0, 0, -0.6, -1.8]], [-0.2, 0.5]])
    div = nn.sum_squares(model([-0.7, 1.2, 1.1, -2.0]), 0.5)
    div.label = "Div"
    return div


def seed_004():
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
                   weights=[[[-1, 2], [-2, 1], [1, 4]], [[1], [2], [-4]]], layout="in_out")
    loss = nn.half_sum_squares(model([2.0, 5.0]), 1.0)
    loss.label = "l"
    return loss


def seed_000():
    model = nn.MLP(2, [2, 1], activation="square", output_activation="square", bias=False,
                   weights=[[[-2, 3], [2, 1]], [-2, 1]])
    loss = nn.half_sum_squares(model([2.0, 3.0]), 3.0)
    loss.label = "L"
    return loss


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def running_at(d, label: str) -> float:
    """dL/d(node) along the single path, at the node with this label (the document's running values)."""
    (path,) = d.paths
    return next(f.running for f in path if f.node.label == label)


def test_seed_001_dDiv_dw1_chain_matches_the_document_step_by_step():
    d = derivation(seed_001(), "w11^(1)", format="text")   # the document's w1: x1 into h1
    assert d.path_count == 1
    printed(running_at(d, "a1^(2)"), "0.15738")     # dDiv/dy_hat = 2 (y_hat - y)
    printed(running_at(d, "z1^(2)"), "0.03837")     # dDiv/ds3
    printed(running_at(d, "a1^(1)"), "-0.007674")   # dDiv/dh1
    printed(running_at(d, "z1^(1)"), "-0.001284")   # dDiv/ds1
    printed(d.total, "0.0008989")                   # dDiv/dw1
    assert d.paths[0][-1].formula == "x1" and d.paths[0][-1].value == -0.7
    text = str(d)
    assert "= 0.0008989\n" in text and "σ(z1^(1))(1 − σ(z1^(1)))" in text
    assert "dDiv/dw11^(1) = δ1^(1) · x1 = (-0.001284) · (-0.7) = 0.0008989" in text


def test_seed_004_dl_dW2_11_and_its_factors():
    loss = seed_004()
    d = derivation(loss, "w11^(2)")   # the document's W2_11: hidden neuron 1 into the output
    assert d.total == pytest.approx(-0.0462390, abs=5e-8)
    y_hat = sigmoid(1 + 2 * 0.5 - 4 * sigmoid(24))   # the document's forward pass, unrounded
    factors = [f.value for f in d.paths[0]]
    # -(y - y_hat) is the first three factors (1/2, 2(y_hat - y), 1),
    # then y_hat (1 - y_hat), then beta_1 = 0.5
    assert factors[0] * factors[1] * factors[2] == pytest.approx(-(1 - y_hat), rel=1e-9)
    assert factors[3] == pytest.approx(y_hat * (1 - y_hat), rel=1e-9) and factors[4] == 0.5
    md = str(d)
    assert r"\frac{\partial l}{\partial w_{11}^{(2)}}" in md and "$$" in md
    assert md.rstrip().endswith("= -0.04624$$")


def test_seed_004_dl_dW1_21_chain_and_delta_form():
    d = derivation(seed_004(), "w12^(1)", format="text")   # the document's W1_21: x2 into hidden neuron 1
    assert d.total == pytest.approx(-0.2311951, abs=5e-8)
    names = [d.name(f.node) for f in d.paths[0]]
    # the document: dalpha2/dbeta1, dbeta1/dalpha1, dalpha1/dW1_21
    assert names[-4:] == ["z1^(2)", "a1^(1)", "z1^(1)", "w12^(1)"]
    assert [f.value for f in d.paths[0][-3:]] == [2.0, 0.25, 5.0]    # W2_11 = 2, beta(1 - beta), x2 = 5
    own = d.deltas[-1]
    assert (own.layer, own.j) == (1, 1) and own.value * 5.0 == pytest.approx(d.total, rel=1e-12)
    assert "dl/dw12^(1) = δ1^(1) · x2 = (-0.04624) · 5 = -0.2312" in str(d)


def test_seed_000_deltas():
    loss = seed_000()
    d1 = derivation(loss, "w11^(1)", format="text")
    d2 = derivation(loss, "w21^(1)", format="text")
    assert [(x.layer, x.j, x.value) for x in d1.deltas] == [(2, 1, 4.0), (1, 1, -80.0)]
    assert [(x.layer, x.j, x.value) for x in d2.deltas] == [(2, 1, 4.0), (1, 2, 56.0)]
    assert (d1.total, d2.total) == (-160.0, 112.0)
    text = str(d1)
    assert "δ1^(2) = dL/da1^(2) · σ'(z1^(2)) = (-2) · (-2) = 4" in text  # no target leaf: a1^(2) is not ŷ
    assert "δ1^(1) = (δ1^(2) w11^(2)) · σ'(z1^(1)) = (4 · (-2)) · 10 = -80" in text
    assert "σ'(z1^(1)) = 2z = 2·5 = 10" in text
    d_out = derivation(loss, "w12^(2)")   # dL/dw12^(2) = delta_1^(2) a_2^(1) = 4 * 49 = 196
    assert d_out.total == 196.0 and d_out.deltas[-1].value == 4.0


def test_paths_are_summed():
    x = Value(3.0, "x")
    y = x * x + 2 * x   # two paths through *, one through 2x: dy/dx = 2x + 2 = 8
    y.label = "y"
    d = derivation(y, x, format="text")
    assert d.path_count == 3 and len(d.paths) == 3
    assert sorted(p[-1].running for p in d.paths) == [2.0, 3.0, 3.0] and d.total == 8.0
    assert "sum of the 3 paths: dy/dx = 3 + 3 + 2 = 8" in str(d)


def test_too_many_paths_are_counted_and_summed_not_listed():
    x = Value(1.0, "x")
    v = x
    for _ in range(5):   # v + v doubles the paths each time: 2^5 = 32 paths, d v / d x = 32
        v = v + v
    d = derivation(v, x, format="text")
    assert d.path_count == 32 and d.paths == [] and d.total == 32.0
    assert "32 paths, too many to list" in str(d)


def test_the_loss_s_grads_are_not_touched():
    loss = seed_004()
    derivation(loss, "w12^(1)")
    assert loss.grad == 0.0


def test_bad_requests_say_what_is_wrong():
    loss = seed_004()
    with pytest.raises(ValueError, match="no node labelled 'w99'"):
        derivation(loss, "w99")
    with pytest.raises(ValueError, match="not in the loss's graph"):
        derivation(loss, Value(1.0))
    with pytest.raises(ValueError, match="format must be"):
        derivation(loss, "w12^(1)", format="html")


def test_relu_hidden_and_linear_output_by_hand():
    # z^(1) = (-2*2 + 3*3, 2*2 + 1*3) = (5, 7), both > 0; y = -2*5 + 1*7 = -3; L = 1/2 (3 - y)^2
    model = nn.MLP(2, [2, 1], activation="relu", output_activation="linear", bias=False,
                   weights=[[[-2, 3], [2, 1]], [[-2, 1]]])
    loss = nn.half_sum_squares(model([2.0, 3.0]), 3.0)
    loss.label = "L"
    d = derivation(loss, "w11^(1)", format="text")
    # delta^(2) = y - t = -6 (linear: sigma' = 1); delta_1^(1) = -6 * (-2) * 1 = 12; dL/dw11 = 12 * x1 = 24
    assert [(x.layer, x.j, x.value) for x in d.deltas] == [(2, 1, -6.0), (1, 1, 12.0)] and d.total == 24.0
    text = str(d)
    assert "δ1^(2) = dL/dz1^(2) · σ'(z1^(2)) = (-6) · 1 = -6" in text  # the linear output, by its name
    assert "σ'(z1^(1)) = 1, since z = 5 > 0" in text


def test_every_formula_of_the_markdown_is_valid_latex():
    mathtext = pytest.importorskip("matplotlib.mathtext")
    parser = mathtext.MathTextParser("path")
    x = Value(3.0, "x")
    y = (x * x + 2 * x).tanh() / x.exp() + x.log() - x ** Value(2.0) + (-x).relu() + x.sigmoid() ** 3
    y.label = "y"
    pages = [str(derivation(y, x)), str(derivation(seed_004(), "w12^(1)")),
             str(derivation(seed_004(), "b1^(2)")), str(derivation(seed_000(), "w21^(1)"))]
    formulas = [a or b for page in pages for a, b in re.findall(r"\$\$(.+?)\$\$|\$(.+?)\$", page)]
    assert len(formulas) > 40
    for formula in formulas:   # mathtext knows \mathrm but not \text or \left( \right)
        plain = re.sub(r"\\text\{([^}]*)\}", r"\\mathrm{\1}", formula)
        parser.parse("$" + plain.replace(r"\left(", "(").replace(r"\right)", ")") + "$")


def test_every_node_goes_by_the_name_node_names_gives_it():
    from micrograd import topological_order
    from viz.notation.maths import latex_name
    from viz.notation.names import node_names

    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
                   weights=[[[-1, 2], [-2, 1], [1, 4]], [[1], [2], [-4]]], layout="in_out")
    loss = nn.half_sum_squares(model([2.0, 5.0]), [Value(1.0, "t1")])   # a target labelled as the solver does
    order = topological_order(loss)
    text, typeset = node_names(order, unicode=False), node_names(order)
    d = derivation(loss, "w12^(1)", format="text")
    for v, name, pretty in zip(order, text, typeset):
        assert d.name(v) == name and d.latex_names[id(v)] == latex_name(pretty)
    assert [d.name(f.out) for f in d.paths[0][:3]] == ["0.5*(y_hat - t)^2", "(y_hat - t)^2", "y_hat - t"]
    page = str(d)
    assert re.search(r"d\(\(y_hat - t\)\^2\)/d\(y_hat - t\) +2·\(y_hat - t\) ", page)
    assert not re.search(r"\bv\d+\b", page)   # no v19 for an unlabelled node
    assert "δ1^(2) = d(0.5*(y_hat - t)^2)/dy_hat · σ'(z1^(2))" in page   # the output a1^(2) is ŷ
    md = str(derivation(loss, "w12^(1)"))
    assert r"\frac{\partial (\hat{y} - t)^{2}}{\partial \left(\hat{y} - t\right)}" in md
    assert r"\tfrac{1}{2} (\hat{y} - t)^{2}" in md and "where" not in md   # every name is short: no #k


def test_a_name_too_long_to_write_is_defined_once():
    xs = [Value(float(k), f"x{k}") for k in range(1, 13)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x   # x1 + x2 + ... + x12: longer than a name may be, so #k
    y = total * total
    y.label = "y"
    d = derivation(y, "x1", format="text")
    hashed = sorted({d.name(f.out) for p in d.paths for f in p if re.fullmatch(r"#\d+", d.name(f.out))})
    assert len(hashed) == 1   # x1 + ... + x9 is too long a name: #k, and the sums after it build on #k
    assert str(d).count(f"{hashed[0]} = ") == 1 and f"where {hashed[0]} = x1 + x2 + " in str(d)


def test_sigma_24_is_not_printed_as_1():
    d = derivation(seed_004(), "w12^(2)", format="text")   # through a2^(1) = σ(24) = 0.999999999962
    assert d.delta_input.data == pytest.approx(0.999999999962, abs=1e-12)
    assert "· 0.999999999962 = " in str(d) and "· 1 = " not in str(d)
    assert r"0.999999999962" in str(derivation(seed_004(), "w12^(2)"))


@pytest.mark.parametrize("penalty", [lambda m: nn.l2(m, 0.01),
                                     lambda m: 0.01 * sum(p * p for p in m.parameters()),
                                     lambda m: 0.01 * sum(p ** 2 for p in m.parameters())])
def test_a_weight_under_an_l2_term_adds_its_share_to_the_delta_form(penalty):
    random.seed(3)
    m = nn.MLP(2, [2, 1], activation="tanh")
    loss = (m([0.5, -1.0]) - 1.0) ** 2 + penalty(m)
    loss.backward()
    w = m.parameters()[0]
    share = 0.01 * 2 * w.data  # d(alpha * sum of p^2)/dw, by hand
    assert abs(w.grad - share) > 1e-3 and abs(share) > 1e-3  # both the network's path and the L2 term count
    last = str(derivation(loss, w, format="text")).splitlines()[-1]
    assert last.endswith(f"= {number(w.grad)}")  # the delta form's result is the whole gradient
    assert re.search(r"δ1\^\(1\) · x1 \+ d.*/d\(#\d+\) · d\(#\d+\)/dw11\^\(1\)", last)
    tex = str(derivation(loss, w)).splitlines()[-1]
    assert tex.count(r"\frac{\partial") == 3 and tex.endswith(f"= {number(w.grad)}$$")
