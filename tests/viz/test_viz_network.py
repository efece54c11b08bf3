"""draw_network, read back from Graphviz's own layout (-Tjson): order, columns, numbers, text sizes."""

import functools
import json
import math
import subprocess

import pytest

import nn
from micrograd import Value
from viz import draw_network
from viz.cli import main
from viz.draw.render import find_dot, source_of
from viz.homework import problem_file as problems
from viz.homework.run import Model
from viz.notation.names import typeset
from viz.notation.numbers import pretty

pytestmark = pytest.mark.skipif(find_dot() is None, reason="needs a Graphviz program")
SEEDS = ["seed_000", "seed_001", "seed_002", "seed_003", "seed_004", "seed_002_q2"]


class Layout:
    """Graphviz's own coordinates (points, y up) and drawn texts of a drawing."""

    def __init__(self, drawing):
        done = subprocess.run([find_dot(), "-Tjson"], input=source_of(drawing), capture_output=True,
                              text=True, check=True, timeout=60)
        data = json.loads(done.stdout)
        self.height = float(data["bb"].split(",")[3])
        self.nodes = {}
        names = {}
        for o in data["objects"]:
            if "pos" not in o:
                continue
            x, y = map(float, o["pos"].split(","))
            texts, size, colour = [], None, None
            for op in o.get("_ldraw_", []):
                if op["op"] == "F":
                    size = op["size"]
                elif op["op"] == "c":
                    colour = op["color"]
                elif op["op"] == "T":  # x: the text's centre, whatever its alignment
                    shift = {"l": 0.5, "c": 0.0, "r": -0.5}[op.get("align", "c")] * op["width"]
                    texts.append((op["text"], size, colour, op["pt"][0] + shift, op["pt"][1], op["width"]))
            self.nodes[o["name"]] = dict(o, x=x, y=y, w=float(o["width"]) * 72, h=float(o["height"]) * 72,
                                         texts=texts)
            names[o["_gvid"]] = o["name"]
        self.edges = [(names[e["tail"]], names[e["head"]], e) for e in data.get("edges", [])]

    def lines(self, name):
        return [t[0] for t in self.nodes[name]["texts"]]

    def visible_edges(self):
        return {(a, b) for a, b, e in self.edges if e.get("style") != "invis"}


@functools.cache
def solved(seed):
    """(model, first pass, layout) of a seed's network diagram after backward()."""
    model = Model(problems.load(problems.shipped(seed)))
    first = model.forward()
    drawing = draw_network(model.mlp, root=first.loss) if model.mlp is not None else draw_network(first.loss)
    return model, first, Layout(drawing)


def units(layout, layer):
    found = sorted(n for n in layout.nodes if n.startswith(f"n{layer}_"))
    return sorted(found, key=lambda n: int(n.split("_")[1]))


def layer_count(layout):
    return max(int(n[1:].split("_")[0]) for n in layout.nodes if n.startswith("n") and "_" in n)


@pytest.mark.parametrize("seed", SEEDS)
def test_inputs_and_neurons_run_1_to_n_top_to_bottom_and_layers_left_to_right(seed):
    _, _, lay = solved(seed)
    inputs = sorted((n for n in lay.nodes if n[0] == "x" and n[1:].isdigit()), key=lambda n: int(n[1:]))
    columns = [inputs] + [units(lay, k) for k in range(1, layer_count(lay) + 1)]
    for column in columns:
        ys = [lay.nodes[n]["y"] for n in column]
        assert ys == sorted(ys, reverse=True) and len(set(ys)) == len(ys), (seed, column, ys)
        assert len({round(lay.nodes[n]["x"]) for n in column}) == 1  # one column, not a staircase
    xs = [lay.nodes[c[0]]["x"] for c in columns] + [lay.nodes["loss"]["x"]]
    assert xs == sorted(xs) and len(set(xs)) == len(xs), (seed, xs)
    boxes = [n for n in lay.nodes if n.startswith("w_")]
    for k in range(1, len(columns)):  # weight boxes: neuron j, then input i, between the two layers
        mine = [n for n in boxes if box_ends(n)[1] in columns[k]]
        mine.sort(key=lambda n: -lay.nodes[n]["y"])
        by_j_then_i = sorted(mine, key=lambda n: (columns[k].index(box_ends(n)[1]),
                                                  columns[k - 1].index(box_ends(n)[0])))
        assert mine == by_j_then_i
        assert all(xs[k - 1] < lay.nodes[n]["x"] < xs[k] for n in mine)


def box_ends(box):
    """('x2', 'n1_1') for the weight box w_x2_n1_1: the input and the neuron it joins."""
    source, layer, j = box[2:].rsplit("_", 2)
    return source, f"{layer}_{j}"


@pytest.mark.parametrize("seed", SEEDS)
def test_headings_stand_in_one_row_above_everything_and_no_edge_crosses_them(seed):
    _, _, lay = solved(seed)
    headings = [n for n in lay.nodes if n.startswith("heading")]
    tops = {round(lay.nodes[n]["y"]) for n in headings}
    assert len(tops) == 1, tops
    lowest = min(lay.nodes[n]["y"] - lay.nodes[n]["h"] / 2 for n in headings)
    others = [n for n in lay.nodes if not n.startswith("heading")]
    assert all(lay.nodes[n]["y"] + lay.nodes[n]["h"] / 2 <= lowest + 1 for n in others)
    for _, _, edge in lay.edges:
        if edge.get("style") == "invis":
            continue
        for x, y in curve(edge):
            for n in headings:
                node = lay.nodes[n]
                assert not (abs(x - node["x"]) < node["w"] / 2 and abs(y - node["y"]) < node["h"] / 2)


def curve(edge):
    """Points along an edge's drawn B-spline (cubic pieces), 10 a piece."""
    for op in edge["_draw_"]:
        if op["op"] != "b":
            continue
        p = op["points"]
        for k in range(0, len(p) - 3, 3):
            for t in (i / 10 for i in range(11)):
                c = [(1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3]
                yield (sum(c[m] * p[k + m][0] for m in range(4)), sum(c[m] * p[k + m][1] for m in range(4)))


@pytest.mark.parametrize("seed", [s for s in SEEDS if s != "seed_001"])
def test_each_neuron_shows_the_engines_bias_drive_activation_and_delta(seed):
    model, first, lay = solved(seed)
    for k, layer in enumerate(model.mlp.layers):
        for j, neuron in enumerate(layer.neurons):
            lines = lay.lines(f"n{k + 1}_{j + 1}")
            z, a = first.drives[0][k][j], first.activations[0][k][j]
            assert lines[0] == f"neuron {j + 1}"
            if neuron.b is not None:
                assert f"{typeset(neuron.b.label)} = {pretty(neuron.b.data)}" in lines
            assert any(t.startswith(typeset(z.label)) and t.endswith(f" = {pretty(z.data)}") for t in lines)
            assert lines[-1] == f"δ{typeset(z.label)[1:]} = {pretty(z.grad)}"
            if a is not z:
                shown = f" = {pretty(a.data)}"
                assert any(t.startswith(typeset(a.label)) and t.endswith(shown) for t in lines)


def test_seed_004_numbers_from_the_document_and_no_rounding_lie():
    _, _, lay = solved("seed_004")
    # sigma(24) = 0.99999999996224 is not 1; delta1^(2) = (y_hat - t) y_hat (1 - y_hat) = -0.09248
    assert lay.lines("n1_2")[3] == "a₂⁽¹⁾ = 0.999999999962"
    assert lay.lines("n2_1")[-2:] == ["a₁⁽²⁾ = ŷ = 0.1192", "δ₁⁽²⁾ = −0.09248"]
    assert lay.lines("x2") == ["x₂ = 5"]
    assert lay.lines("out_n2_1") == ["ŷ = 0.1192", "t = 1"]
    assert lay.lines("loss") == ["L = ½ (ŷ − t)²", "= 0.3879"]
    # dl/dW1_21 = -0.2311951 (the document's W^1_21 is our w12^(1))
    assert lay.lines("w_x2_n1_1") == ["w₁₂⁽¹⁾ = 1", "grad −0.2312"]


@pytest.mark.parametrize("seed", ["seed_000", "seed_001", "seed_003", "seed_004"])
def test_a_small_net_draws_each_weight_as_a_box_on_its_own_edge(seed):
    model, first, lay = solved(seed)
    parameters = {p.label: p for p in model.parameters}
    boxes = [n for n in lay.nodes if n.startswith("w_")]
    assert len(boxes) == sum(1 for p in parameters if not p.startswith("b"))
    edges = lay.visible_edges()
    for box in boxes:
        name, grad = lay.lines(box)
        label = next(p for p in parameters if typeset(p) == name.split(" = ")[0])
        assert name == f"{typeset(label)} = {pretty(parameters[label].data)}"
        assert grad == f"grad {pretty(parameters[label].grad)}"
        source, target = box_ends(box)
        assert sorted(e for e in edges if box in e) == sorted([(source, box), (box, target)])


def test_seed_002s_weight_tables_put_each_grad_under_its_neuron_and_input():
    model, _, lay = solved("seed_002")
    table = lay.nodes["weight_tables"]
    assert table["x"] > lay.nodes["loss"]["x"]  # beside the picture, right of the loss
    texts = [(t[0], t[3], t[4]) for t in table["texts"]]  # text, centre x, baseline y
    titles = [(y, t) for t, _, y in texts if t.startswith("weights W")]
    assert [t for _, t in titles] == [f"weights W{typeset(f'w^({k})')[1:]} into layer {k}" for k in (1, 2, 3)]
    bounds = [y for y, _ in titles] + [-math.inf]
    checked = 0
    for k, layer in enumerate(model.mlp.layers):
        inside = [(t, x, y) for t, x, y in texts if bounds[k + 1] < y < bounds[k]]
        names = [typeset(f"x{i}") for i in range(1, 5)] + [typeset(f"a{i}^({k})") for i in range(1, 5)]
        heads = {t: x for t, x, y in inside if t in names}
        rows = {t: y for t, x, y in inside if t.startswith("neuron ")}
        assert len(heads) == len(layer.neurons[0].w) and len(rows) == len(layer.neurons)
        for text, x, y in inside:
            if not text.startswith("grad "):
                continue
            column = min(heads, key=lambda h: abs(heads[h] - x))
            row = min(rows, key=lambda r: abs(rows[r] - y))
            j, i = int(row.split()[1]), list(heads).index(column) + 1
            w = layer.neurons[j - 1].w[i - 1]
            assert text == f"grad {pretty(w.grad)}", (k, j, i)
            checked += 1
    assert checked == 16 + 12 + 9
    assert not [n for n in lay.nodes if n.startswith("w_")]


def test_seed_001s_formulas_are_drawn_as_a_sparse_4_2_1_network():
    _, first, lay = solved("seed_001")
    assert sorted(n for n in lay.nodes if n[0] == "x") == ["x1", "x2", "x3", "x4"]
    assert units(lay, 1) == ["n1_1", "n1_2"] and units(lay, 2) == ["n2_1"] and layer_count(lay) == 2
    through = {(a, c) for a, b in lay.visible_edges() if b.startswith("w_")
               for b2, c in lay.visible_edges() if b2 == b}
    assert through == {("x1", "n1_1"), ("x2", "n1_1"), ("x3", "n1_2"), ("x4", "n1_2"),
                       ("n1_1", "n2_1"), ("n1_2", "n2_1")}
    assert lay.lines("w_x3_n1_2") == ["w₃ = −0.6", f"grad {pretty(first.nodes['s2'].inputs[0].grad)}"]
    s1, h1 = first.nodes["s1"], first.nodes["h1"]
    assert lay.lines("n1_1") == ["neuron 1", f"s₁ = {pretty(s1.data)}", f"h₁ = {pretty(h1.data)}",
                                 f"∂Div/∂s₁ = {pretty(s1.grad)}"]
    assert lay.lines("out_n2_1") == [f"ŷ = {pretty(first.nodes['y_hat'].data)}", "y = 0.5"]
    assert lay.lines("loss") == ["Div = (ŷ − y)²", f"= {pretty(first.loss.data)}"]


def test_the_command_line_draws_seed_001_as_a_network_and_refuses_a_graph_without_neurons(tmp_path, capsys):
    assert main(["draw", "seed_001", "--network", "-o", str(tmp_path / "n.svg")]) == 0
    assert "∂Div/∂s₁" in (tmp_path / "n.svg").read_text(encoding="utf-8")
    problem = tmp_path / "square.toml"
    problem.write_text('[graph]\nloss = "L"\n[graph.inputs]\nx = 2.0\n[graph.parameters]\nw = 3.0\n'
                       '[graph.formulas]\nL = "(x*w - 1)**2"\n', encoding="utf-8")
    assert main(["draw", str(problem), "--network", "-o", str(tmp_path / "m.svg")]) == 2
    assert "no neuron drives" in capsys.readouterr().err and not (tmp_path / "m.svg").exists()


@pytest.mark.parametrize("seed", SEEDS)
def test_text_is_projection_size_and_dark(seed):
    _, _, lay = solved(seed)
    for name, node in lay.nodes.items():
        for text, size, colour, *_ in node["texts"]:
            if not text.strip():
                continue
            assert size >= (12 if name == "weight_tables" else 14), (name, text, size)
            r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
            assert 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.4, (name, text, colour)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_drawing_is_no_taller_than_its_tallest_column(seed):
    _, _, lay = solved(seed)
    by_column = {}
    for node in lay.nodes.values():
        by_column.setdefault(round(node["x"]), []).append(node)
    extent = max(max(n["y"] + n["h"] / 2 for n in c) - min(n["y"] - n["h"] / 2 for n in c)
                 for c in by_column.values())
    assert lay.height <= extent + 20


@pytest.mark.parametrize("seed", SEEDS)
def test_every_box_fits_its_text_in_a_helvetica_metric_font(seed):
    ImageFont = pytest.importorskip("PIL.ImageFont")
    try:
        font = ImageFont.truetype("LiberationSans-Regular.ttf", 140)
    except OSError:
        pytest.skip("no Liberation Sans (Helvetica's metrics) to measure with")
    _, _, lay = solved(seed)
    for name, node in lay.nodes.items():
        for text, size, *_ in node["texts"]:
            if node.get("shape") != "plaintext":  # a table's cells are sized by Graphviz's own estimate
                assert font.getlength(text) / 140 * size <= node["w"] - 8, (name, text)


def test_ascii_names_for_a_terminal():
    model = Model(problems.load(problems.shipped("seed_004")))
    first = model.forward()
    lay = Layout(draw_network(model.mlp, root=first.loss, unicode=False))
    texts = [t for n in lay.nodes.values() for t, *_ in n["texts"]]
    assert all(t.isascii() for t in texts), [t for t in texts if not t.isascii()]
    assert lay.lines("w_x2_n1_1") == ["w12^(1) = 1", "grad -0.2312"]
    assert lay.lines("n2_1")[-1] == "delta1^(2) = -0.09248"


def seed_004():
    return nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
                  weights=[[[-1, 2], [-2, 1], [1, 4]], [[1], [2], [-4]]], layout="in_out")


def test_without_root_the_structure_weights_and_after_backward_their_grads():
    model = seed_004()
    lay = Layout(draw_network(model))
    assert lay.lines("n1_1") == ["neuron 1", "b₁⁽¹⁾ = −1"] and lay.lines("x1") == ["x₁"]
    assert lay.lines("w_x1_n1_1") == ["w₁₁⁽¹⁾ = −2"] and "loss" not in lay.nodes
    nn.half_sum_squares(model([2.0, 5.0]), 1.0).backward()
    lay = Layout(draw_network(model))
    assert lay.lines("w_n1_1_n2_1") == ["w₁₁⁽²⁾ = 2", "grad −0.04624"]
    assert lay.lines("n2_1") == ["neuron 1", "b₁⁽²⁾ = 1, grad −0.09248"]


def test_several_examples_show_a_value_per_example():
    model = seed_004()
    loss = nn.half_sum_squares(model([2.0, 5.0]), 1.0) + nn.half_sum_squares(model([0.0, 0.0]), 0.0)
    loss.backward()
    lay = Layout(draw_network(model, root=loss))
    z0, z1 = -1 + 2 * -2 + 5 * 1, -1.0   # b1^(1) + w11 x1 + w12 x2 for each example
    assert lay.lines("n1_1")[2] == f"z₁⁽¹⁾ = {pretty(z0)}, {pretty(z1)}"
    assert lay.lines("x1") == ["x₁ = 2, 0"]


def test_a_sparse_mlp_draws_only_its_connections():
    model = nn.MLP(4, [2, 1], activation="sigmoid", output_activation="sigmoid", bias=False,
                   mask=[[[1, 1, 0, 0], [0, 0, 1, 1]], None],
                   weights=[[[-1.7, 0.1, 0, 0], [0, 0, -0.6, -1.8]], [-0.2, 0.5]])
    lay = Layout(draw_network(model))
    assert sorted(n for n in lay.nodes if n.startswith("w_")) == [
        "w_n1_1_n2_1", "w_n1_2_n2_1", "w_x1_n1_1", "w_x2_n1_1", "w_x3_n1_2", "w_x4_n1_2"]
    assert lay.lines("n1_2") == ["neuron 2"]   # no bias


def test_big_networks_drop_the_weights_and_anything_else_is_refused():
    lay = Layout(draw_network(nn.MLP(2, [16, 16, 1])))
    assert not [n for n in lay.nodes if n.startswith("w_") or n == "weight_tables"]
    assert len(lay.visible_edges()) == 2 * 16 + 16 * 16 + 16
    with pytest.raises(TypeError, match="draws an nn.MLP"):
        draw_network([1, 2])
    with pytest.raises(ValueError, match="not a style"):
        draw_network(seed_004(), weights="edges")
    with pytest.raises(ValueError, match="no neuron drives"):
        draw_network(Value(2.0, "x") * 3)
    x, w = Value(2.0, "x1"), Value(3.0, "w1")
    from micrograd import dot
    with pytest.raises(ValueError, match="neither an input nor a neuron"):
        draw_network(dot([w], [x.exp()]))


def test_a_title_on_top_and_top_to_bottom_keeps_the_order_left_to_right():
    model = Model(problems.load(problems.shipped("seed_002")))
    first = model.forward()
    drawing = draw_network(model.mlp, root=first.loss, rankdir="TB", title="Seed 002")
    done = subprocess.run([find_dot(), "-Tjson"], input=source_of(drawing), capture_output=True, text=True,
                          check=True)
    data = json.loads(done.stdout)
    title = next(op for op in data["_ldraw_"] if op["op"] == "T")
    assert title["text"] == "Seed 002" and title["pt"][1] > float(data["bb"].split(",")[3]) - 30
    place = {o["name"]: tuple(map(float, o["pos"].split(","))) for o in data["objects"] if "pos" in o}
    for column in (["x1", "x2", "x3", "x4"], ["n1_1", "n1_2", "n1_3", "n1_4"], ["n3_1", "n3_2", "n3_3"]):
        xs = [place[n][0] for n in column]
        assert xs == sorted(xs) and len({place[n][1] for n in column}) == 1
    ys = [place[n][1] for n in ("x1", "n1_1", "n2_1", "n3_1", "loss")]
    assert ys == sorted(ys, reverse=True)  # layers top to bottom


def test_past_three_examples_neurons_show_their_bias_grad_not_a_list_of_values():
    model = seed_004()
    xs = [[2.0, 5.0], [0.0, 0.0], [1.0, -1.0], [3.0, 2.0]]
    loss = nn.losses.total([nn.half_sum_squares(model(x), 1.0) for x in xs])
    loss.label = "loss"
    loss.backward()
    lay = Layout(draw_network(model, root=loss))
    assert lay.lines("n1_1") == ["neuron 1", f"b₁⁽¹⁾ = −1, grad {pretty(model.layers[0].neurons[0].b.grad)}"]
    assert lay.lines("x1") == ["x₁"] and lay.lines("loss") == [f"L = {pretty(loss.data)}", "from 4 examples"]


def test_two_wide_full_layers_meet_in_one_junction_with_projection_size_text():
    lay = Layout(draw_network(nn.MLP(2, [32, 32, 1])))
    assert lay.lines("all_n2") == ["32 × 32", "connections"]
    assert {size for *_, size, _, _, _, _ in lay.nodes["all_n2"]["texts"]} == {14}
    assert len(lay.visible_edges()) == 2 * 32 + 32 + 32 + 32
    ys = [lay.nodes[n]["y"] for n in units(lay, 2)]
    assert ys == sorted(ys, reverse=True)


@pytest.mark.parametrize("seed", ["seed_000", "seed_002", "seed_003", "seed_004"])
def test_the_loss_alone_gives_the_same_diagram_as_the_mlp_and_its_loss(seed):
    # layers, order and weights read from the graph (which drive feeds which) match nn's own
    model = Model(problems.load(problems.shipped(seed)))
    first = model.forward()
    assert source_of(draw_network(first.loss)) == source_of(draw_network(model.mlp, root=first.loss))
