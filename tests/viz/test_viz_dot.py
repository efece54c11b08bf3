"""draw_dot rendered to real SVG with the pip-installed Graphviz, read the way a student would:
one box per Value with its label, data and grad, the highlighted path, colours, boxes, notes."""

import random
import re
import xml.etree.ElementTree as ET

import graphviz
import pytest

import nn
from micrograd import Value, topological_order
from viz import draw_dot
from viz.draw.render import pipe

SVG = "{http://www.w3.org/2000/svg}"


def seed_004():
    """Seed 004's 2-2-1 sigmoid net with biases, x = [2, 5], y = 1, loss 1/2 (y - y_hat)^2."""
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
                   weights=[[[-1, 2], [-2, 1], [1, 4]], [[1], [2], [-4]]], layout="in_out")
    loss = nn.half_sum_squares(model([2.0, 5.0]), Value(1.0, "t1"))   # labelled as viz.homework.run does
    loss.label = "loss"
    return model, loss


def svg_of(g) -> ET.Element:
    return ET.fromstring(pipe(g, "svg"))


HEADERS = re.compile(r"^(layer\d+|loss)$")  # the collapsed view's column titles


def nodes(svg: ET.Element) -> dict[str, ET.Element]:
    """The drawing's nodes by DOT name (the collapsed view's column titles left out)."""
    return {g.find(f"{SVG}title").text: g for g in svg.iter(f"{SVG}g")
            if g.get("class") == "node" and not HEADERS.match(g.find(f"{SVG}title").text)}


def edges(svg: ET.Element) -> dict[str, list[ET.Element]]:
    """The drawn edges by 'tail->head' (a port such as ':n' left off)."""
    found: dict[str, list] = {}
    for g in svg.iter(f"{SVG}g"):
        if g.get("class") == "edge":
            title = re.sub(r":\w+", "", g.find(f"{SVG}title").text)
            found.setdefault(title, []).append(g)
    return found


def texts(element: ET.Element) -> list[str]:
    return [t.text for t in element.iter(f"{SVG}text")]


def test_one_box_per_value_with_its_label_data_and_grad():
    _, loss = seed_004()
    loss.backward()
    order = topological_order(loss)
    svg = svg_of(draw_dot(loss))
    drawn = nodes(svg)
    assert sorted(k for k in drawn if not k.endswith("op")) == sorted(f"v{k}" for k in range(len(order)))
    ops = sorted(f"v{k}op" for k, v in enumerate(order) if v.op)
    assert sorted(k for k in drawn if k.endswith("op")) == ops
    by_label = {v.label: k for k, v in enumerate(order) if v.label}
    # seed 004's exact numbers to 4 significant digits: dl/dW1_21 = -0.2311951, dl/dW2_11 = -0.0462390
    assert texts(drawn[f"v{by_label['w12^(1)']}"]) == ["w₁₂⁽¹⁾", "data 1", "grad −0.2312"]
    assert texts(drawn[f"v{by_label['w11^(2)']}"]) == ["w₁₁⁽²⁾", "data 2", "grad −0.04624"]
    assert texts(drawn[f"v{by_label['a1^(2)']}"]) == ["a₁⁽²⁾ = ŷ", "data 0.1192", "grad −0.8808"]   # 0.11920
    assert texts(drawn[f"v{by_label['loss']}"]) == ["L = ½ (ŷ − t)²", "data 0.3879", "grad 1"]   # 0.3879017
    assert texts(drawn[f"v{by_label['z1^(1)']}op"]) == ["w·x + b"]
    # the loss end: each box named by its formula, the target's grad hidden, the '−' oval ordered
    k = next(k for k, v in enumerate(order) if v.op == "-")
    assert texts(drawn[f"v{k}"]) == ["ŷ − t", "data −0.8808", "grad −0.8808"]
    assert texts(drawn[f"v{k}op"]) == ["ŷ − t"]
    assert texts(drawn[f"v{by_label['t1']}"]) == ["t", "data 1"]
    assert texts(drawn[f"v{order.index(next(v for v in order if not v.op and not v.label))}"]) == ["0.5"]


def test_constant_grads_and_ascii_are_options():
    _, loss = seed_004()
    loss.backward()
    order = topological_order(loss)
    k = {v.label: i for i, v in enumerate(order) if v.label}
    drawn = nodes(svg_of(draw_dot(loss, constant_grads=True, unicode=False)))
    # d loss / d t = -(y_hat - t) = 0.8808: shown only when asked for
    assert texts(drawn[f"v{k['t1']}"]) == ["t", "data 1", "grad 0.8808"]
    assert texts(drawn[f"v{k['w12^(1)']}"]) == ["w12^(1)", "data 1", "grad -0.2312"]
    assert texts(drawn[f"v{k['a1^(2)']}"])[0] == "a1^(2) = y_hat"
    assert texts(drawn[f"v{k['z1^(1)']}op"]) == ["w·x+b"]


def test_digits_and_rankdir_are_options():
    _, loss = seed_004()
    g = draw_dot(loss, digits=2, rankdir="TB")
    assert 'rankdir=TB' in g.source
    k = [v.label for v in topological_order(loss)].index("a1^(2)")
    assert texts(nodes(svg_of(g))[f"v{k}"])[1] == "data 0.12"
    assert "rankdir=TB" in draw_dot(loss, rankdir="TB", collapse="neuron").source
    with pytest.raises(ValueError, match="rankdir must be"):
        draw_dot(loss, rankdir="sideways")


def test_edges_carry_the_local_derivative():
    _, loss = seed_004()
    order = topological_order(loss)
    k = {v.label: i for i, v in enumerate(order)}
    drawn = edges(svg_of(draw_dot(loss, local_grads=True)))
    # z1^(1) = b + w11 x1 + w12 x2: d z / d w12 = x2 = 5, d z / d x2 = w12 = 1, d z / d b = 1
    assert texts(drawn[f"v{k['w12^(1)']}->v{k['z1^(1)']}op"][0]) == ["5"]
    assert texts(drawn[f"v{k['x2']}->v{k['z1^(1)']}op"][0]) == ["1"]
    # sigmoid'(z) = y_hat (1 - y_hat) = 0.1192029 * 0.8807971 = 0.104993
    assert texts(drawn[f"v{k['z1^(2)']}->v{k['a1^(2)']}op"][0]) == ["0.105"]
    # d (y_hat - t) / d t = -1, with a real minus
    minus = next(i for i, v in enumerate(order) if v.op == "-")
    assert texts(drawn[f"v{k['t1']}->v{minus}op"][0]) == ["−1"]


def test_highlight_marks_every_edge_on_the_path_from_the_weight_to_the_loss_and_fades_the_rest():
    _, loss = seed_004()
    order = topological_order(loss)
    svg = svg_of(draw_dot(loss, highlight="w12^(1)"))
    red = {title for title, gs in edges(svg).items()
           if any(p.get("stroke") == "#cc0000" for g in gs for p in g.iter(f"{SVG}path"))}
    # seed 004's figure: w12^(1) -> z1^(1) -> a1^(1) -> z1^(2) -> y_hat -> (1 - y_hat) -> ()^2 -> loss
    chain = [v for v in order if v.label in ("w12^(1)", "z1^(1)", "a1^(1)", "z1^(2)", "a1^(2)")]
    chain += [v for v in order[order.index(chain[-1]) + 1:] if v.op]   # the loss's ops follow y_hat
    names = [f"v{order.index(v)}" for v in chain]
    expected = set()
    for before, after in zip(names, names[1:]):
        expected |= {f"{before}->{after}op", f"{after}op->{after}"}
    assert len(chain) == 8 and red == expected
    faded = nodes(svg)[f"v{[v.label for v in order].index('w11^(1)')}"]
    assert any(p.get("stroke") == "#c8c8c8" for p in faded.iter(f"{SVG}polygon"))
    with pytest.raises(ValueError, match="no node labelled 'w9'"):
        draw_dot(loss, highlight="w9")


def test_colours_for_parameters_inputs_and_the_loss_with_a_legend():
    model, loss = seed_004()
    order = topological_order(loss)
    drawn = nodes(svg_of(draw_dot(loss)))

    def fill(v):
        return {p.get("fill") for p in drawn[f"v{order.index(v)}"].iter(f"{SVG}polygon")} - {"none"}
    assert all(fill(p) == {"#cfe2f3"} for p in model.parameters())
    assert all(fill(v) == {"#d9ead3"} for v in order if v.label in ("x1", "x2"))
    assert fill(loss) == {"#f4cccc"}
    assert fill(next(v for v in order if v.label == "z1^(1)")) == set()   # computed Values stay white
    legend = pipe(draw_dot(loss), "svg").decode()
    for words in ("output / loss", "parameter", "input", "other leaf"):
        assert f">{words}<" in legend


def test_each_neuron_and_layer_is_boxed_with_its_weights_just_left_of_it():
    _, loss = seed_004()
    order = topological_order(loss)
    svg = svg_of(draw_dot(loss))
    clusters = {g.find(f"{SVG}title").text: g for g in svg.iter(f"{SVG}g") if g.get("class") == "cluster"}
    assert sorted(clusters) == ["cluster_layer1", "cluster_layer1_neuron1", "cluster_layer1_neuron2",
                                "cluster_layer2", "cluster_layer2_neuron1"]

    def corners(g):   # x0, x1, y0, y1 of a box's polygons or an oval's ellipse
        pts = [tuple(map(float, pt.split(",")))
               for p in g.iter(f"{SVG}polygon") for pt in p.get("points").split()]
        for e in g.iter(f"{SVG}ellipse"):
            cx, cy, rx, ry = (float(e.get(a)) for a in ("cx", "cy", "rx", "ry"))
            pts += [(cx - rx, cy - ry), (cx + rx, cy + ry)]
        return min(p[0] for p in pts), max(p[0] for p in pts), min(p[1] for p in pts), max(p[1] for p in pts)
    k = {v.label: i for i, v in enumerate(order) if v.label}
    box = corners(clusters["cluster_layer1_neuron2"])
    for name in (f"v{k['z2^(1)']}", f"v{k['z2^(1)']}op", f"v{k['a2^(1)']}"):   # the neuron's own nodes
        x0, x1, y0, y1 = corners(nodes(svg)[name])
        assert box[0] <= x0 and x1 <= box[1] and box[2] <= y0 and y1 <= box[3]
    x0, x1, _, _ = corners(nodes(svg)[f"v{k['w21^(1)']}"])   # its weight: outside, on the left
    assert x1 < box[0]
    assert "cluster" not in draw_dot(loss, group=False).source


def test_a_drawing_before_backward_says_all_grads_are_zero():
    _, loss = seed_004()
    note = "all grads are 0: drawn before backward()"
    assert note in pipe(draw_dot(loss), "svg").decode()
    loss.backward()
    assert note not in pipe(draw_dot(loss), "svg").decode()


def demo_loss():
    """micrograd's demo MLP 2-16-16-1 on one example, loss (y - 1)^2."""
    random.seed(0)
    model = nn.MLP(2, [16, 16, 1])
    y = model([0.5, -1.5])
    return y, nn.sum_squares(y, 1.0)


def test_past_the_node_limit_the_error_gives_the_count_and_the_collapsed_view():
    _, loss = demo_loss()
    count = len(topological_order(loss))
    with pytest.raises(ValueError) as error:
        draw_dot(loss, max_nodes=count - 1)
    assert f"has {count} Values" in str(error.value) and "collapse='neuron'" in str(error.value)
    assert len([k for k in nodes(svg_of(draw_dot(loss, max_nodes=count))) if not k.endswith("op")]) == count


def test_the_collapsed_view_has_one_node_per_neuron_and_input_and_one_for_the_loss():
    y, loss = demo_loss()
    loss.backward()
    svg = svg_of(draw_dot(loss, collapse="neuron"))
    drawn = nodes(svg)
    assert len(drawn) == 2 + 16 + 16 + 1 + 1
    assert len(edges(svg)) == 2 * 16 + 16 * 16 + 16 * 1 + 1   # one per weight, and output -> loss
    # the linear output neuron: drive = y, and delta = dL/dz = 2 (y - 1) for the loss (y - 1)^2
    label = texts(drawn["n3_1"])
    assert label[:2] == ["neuron 1", f"z₁⁽³⁾ = {y.data:.4g}".replace("-", "−")]
    delta = float(label[-1].removeprefix("δ₁⁽³⁾ = ").replace("−", "-"))
    assert delta == pytest.approx(2 * (y.data - 1), rel=5e-4)
    assert texts(drawn["root"]) == ["(z₁⁽³⁾ − 1)²", f"data {loss.data:.4g}", "grad 1"]   # the loss, named


def test_the_collapsed_view_shows_seed_000s_deltas():
    model = nn.MLP(2, [2, 1], activation="square", output_activation="square", bias=False,
                   weights=[[[-2, 3], [2, 1]], [-2, 1]])
    loss = nn.half_sum_squares(model([2.0, 3.0]), 3.0)
    loss.backward()
    drawn = nodes(svg_of(draw_dot(loss, collapse="neuron")))
    # the document: net = (5, 7), a = (25, 49), y = 1; delta_1^(2) = 4, delta^(1) = (-80, 56)
    assert texts(drawn["n1_1"]) == ["neuron 1", "z₁⁽¹⁾ = 5", "a₁⁽¹⁾ = 25", "δ₁⁽¹⁾ = −80"]
    assert texts(drawn["n1_2"]) == ["neuron 2", "z₂⁽¹⁾ = 7", "a₂⁽¹⁾ = 49", "δ₂⁽¹⁾ = 56"]
    assert texts(drawn["n2_1"]) == ["neuron 1", "z₁⁽²⁾ = −1", "a₁⁽²⁾ = 1", "δ₁⁽²⁾ = 4"]
    ascii = nodes(svg_of(draw_dot(loss, collapse="neuron", unicode=False)))
    assert texts(ascii["n1_1"]) == ["neuron 1", "z1^(1) = 5", "a1^(1) = 25", "delta1^(1) = -80"]
    with pytest.raises(ValueError, match="needs a graph built by nn"):
        draw_dot(Value(2.0) * Value(3.0), collapse="neuron")


def test_a_drawing_is_a_digraph_that_shows_itself_in_jupyter():
    _, loss = seed_004()
    g = draw_dot(loss)
    assert isinstance(g, graphviz.Digraph)
    assert re.search(r"<title>v0</title>", g._repr_mimebundle_()["image/svg+xml"])


def test_wide_fully_connected_layers_meet_at_one_junction_node():
    random.seed(3)
    model = nn.MLP(2, [32, 32, 1])
    svg = svg_of(draw_dot(nn.sum_squares(model([0.3, 0.7]), 1.0), collapse="neuron"))
    drawn, lines = nodes(svg), edges(svg)
    # 32 x 32 = 1024 weights between the hidden layers go through one node: 32 in, 32 out
    assert len(drawn) == 2 + 32 + 32 + 1 + 1 + 1
    assert texts(drawn["all_n1_n2"]) == ["32 × 32", "connections"]
    assert len(lines) == 2 * 32 + (32 + 32) + 32 + 1
    assert "n1_1->n2_1" not in lines and "n1_1->all_n1_n2" in lines and "all_n1_n2->n2_32" in lines


def test_jupyter_displays_the_svg():
    formatters = pytest.importorskip("IPython.core.formatters")
    _, loss = seed_004()
    data, _ = formatters.DisplayFormatter().format(draw_dot(loss))
    assert "<svg" in data["image/svg+xml"]


def test_hand_made_labels_are_coloured_too():
    x1, w1, b = Value(2.0, "x1"), Value(-3.0, "w1"), Value(6.88, "b")
    o = (x1 * w1 + b).tanh()
    order = topological_order(o)
    drawn = nodes(svg_of(draw_dot(o)))

    def fill(v):
        return {p.get("fill") for p in drawn[f"v{order.index(v)}"].iter(f"{SVG}polygon")} - {"none"}
    assert fill(w1) == fill(b) == {"#cfe2f3"} and fill(x1) == {"#d9ead3"} and fill(o) == {"#f4cccc"}
    # parameters= and inputs= override the labels
    drawn = nodes(svg_of(draw_dot(o, parameters=[x1], inputs=[])))
    assert fill(x1) == {"#cfe2f3"} and fill(w1) == {"#eeeeee"}


def test_a_batch_collapses_to_one_node_per_neuron_whose_deltas_sum_to_the_bias_grad():
    model, _ = seed_004()
    batch = [([2.0, 5.0], 1.0), ([1.0, -1.0], 0.0), ([0.5, 0.5], 1.0)]
    loss = nn.total([nn.half_sum_squares(model(x), t) for x, t in batch])
    loss.backward()
    drawn = nodes(svg_of(draw_dot(loss, collapse="neuron")))
    assert sorted(drawn) == ["n1_1", "n1_2", "n2_1", "root", "x1", "x2"]
    assert texts(drawn["x2"]) == ["x₂ = 3 examples"]
    for layer in model.layers:
        for neuron in layer.neurons:   # dL/db = sum over the examples of dL/dz = sum of the deltas
            label = texts(drawn[f"n{layer.index}_{neuron.index}"])
            assert label[1] == "3 examples"
            delta = float(label[2].split(" = ")[1].replace("−", "-"))
            assert label[2].startswith("Σ δ") and delta == pytest.approx(neuron.b.grad, rel=5e-4)


def test_an_op_whose_operands_cannot_be_swapped_says_which_is_which():
    a, b = Value(3.0, "a"), Value(2.0, "b")
    x1, x2 = Value(1.5, "x1"), Value(-2.0, "x2")
    long = (x1 * x2 + x2 * x1) * (x1 + x2)   # named '(x₁·x₂ + x₂·x₁)·(x₁ + x₂)': too long for an oval
    out = (a / b + a ** b) - (long - b)
    order = topological_order(out)
    k = {v.label: i for i, v in enumerate(order) if v.label}
    svg = svg_of(draw_dot(out))
    drawn, lines = nodes(svg), edges(svg)
    ovals = {texts(g)[0] for name, g in drawn.items() if name.endswith("op")}
    assert {"a / b", "a^b", "u − v"} <= ovals   # short names in the oval, stand-ins for long ones
    minus = next(i for i, v in enumerate(order) if v.op == "-" and v.inputs[1] is b)
    assert texts(drawn[f"v{minus}op"]) == ["u − v"]
    assert texts(lines[f"v{k['b']}->v{minus}op"][0]) == ["v"]   # b is the one subtracted
    assert texts(lines[f"v{order.index(order[minus].inputs[0])}->v{minus}op"][0]) == ["u"]
    plain = [i for i, v in enumerate(order) if v.op == "/"]
    assert all(not texts(g) for g in lines[f"v{k['a']}->v{plain[0]}op"])   # 'a / b' needs no labels


def test_a_big_network_graph_collapses_by_default_and_says_so_any_other_big_graph_fails():
    _, loss = demo_loss()
    count = len(topological_order(loss))   # 407 Values, past COLLAPSE_AT = 150
    g = draw_dot(loss)
    assert g.name == "neurons" and f"one node per neuron: the graph has {count} Values" in g.source
    every = draw_dot(loss, collapse=False)   # still every Value when asked
    assert every.name == "computation_graph" and f"v{count - 1}op [" in every.source
    total = Value(0.0)
    for i in range(300):   # 1201 Values and no network labels: nothing to collapse to
        total = total + Value(float(i), "q") * Value(2.0)
    with pytest.raises(ValueError) as error:
        draw_dot(total)
    assert "more than max_nodes=500" in str(error.value) and "collapse" not in str(error.value)
