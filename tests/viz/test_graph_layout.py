"""draw_dot's layout read from Graphviz's own coordinates (-Tjson) for every seed and micrograd's demo MLP:
left to right by layer, neurons and weights in order, layers side by side, no taller than the tallest
layer, projection-size fonts, and no number in the drawing that is a rounding lie."""

import json
import random
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

import nn
from micrograd import topological_order
from viz.draw.graph import draw_dot
from viz.draw.render import find_dot, pipe
from viz.homework import problem_file as problems
from viz.homework.run import Model
from viz.notation.neurons import role

SEEDS = ["seed_000", "seed_001", "seed_002", "seed_003", "seed_004"]
SVG = "{http://www.w3.org/2000/svg}"
POINTS = 72.0

pytestmark = pytest.mark.skipif(find_dot() is None, reason="no Graphviz program")


def seed_loss(name: str):
    """A seed's loss after its first backward(), built as `micrograd draw seed_00N` builds it."""
    return Model(problems.load(problems.shipped(name))).forward().loss


def demo_loss():
    """micrograd's demo MLP 2-16-16-1 on one example, (y - 1)^2, after backward()."""
    random.seed(0)
    model = nn.MLP(2, [16, 16, 1])
    loss = nn.sum_squares(model([0.5, -1.5]), 1.0)
    loss.backward()
    return loss


def layout(g) -> dict[str, dict]:
    """Each node's and cluster's box from Graphviz: name -> {x0, x1, y0, y1} in points (y grows upward)."""
    done = subprocess.run([find_dot(), "-Tjson"], input=g.source.encode(), capture_output=True, check=True)
    boxes = {}
    for obj in json.loads(done.stdout)["objects"]:
        if "bb" in obj:
            x0, y0, x1, y1 = map(float, obj["bb"].split(","))
        elif "pos" in obj:
            x, y = map(float, obj["pos"].split(","))
            w, h = float(obj["width"]) * POINTS / 2, float(obj["height"]) * POINTS / 2
            x0, x1, y0, y1 = x - w, x + w, y - h, y + h
        else:
            continue
        boxes[obj["name"]] = {"x0": x0, "x1": x1, "y0": y0, "y1": y1, "x": (x0 + x1) / 2, "y": (y0 + y1) / 2}
    return boxes


def roles(order):
    """(kind, layer, j, i) of every node nn's labels name, keyed by DOT name v{k}."""
    return {f"v{k}": role(v.label) for k, v in enumerate(order) if role(v.label) is not None}


@pytest.mark.parametrize("name", SEEDS)
def test_every_seed_reads_left_to_right_layer_by_layer(name):
    loss = seed_loss(name)
    order = topological_order(loss)
    box = layout(draw_dot(loss))
    named = roles(order)
    inputs = [n for n, r in named.items() if r.kind == "x"]
    assert inputs, "every seed has inputs x1, x2, ..."
    for x in inputs:   # the inputs are the leftmost column
        assert all(box[x]["x1"] <= box[n]["x0"] + 1 for n in box if n.startswith("v") and n not in inputs)
    root = f"v{len(order) - 1}"
    assert all(box[root]["x0"] >= box[n]["x1"] - 1 for n in box if n.startswith("v") and n != root)
    layers = sorted({r.layer for r in named.values() if r.layer})
    for layer in layers:
        weights = [n for n, r in named.items() if r.kind in ("w", "b") and r.layer == layer]
        drives = [n for n, r in named.items() if r.kind == "z" and r.layer == layer]
        acts = [n for n, r in named.items() if r.kind == "a" and r.layer == layer] or drives
        # weights < drive ops < drives <= activations, by x
        assert max(box[w]["x1"] for w in weights) < min(box[z + "op"]["x0"] for z in drives)
        assert max(box[z + "op"]["x1"] for z in drives) < min(box[z]["x0"] for z in drives)
        assert max(box[z]["x"] for z in drives) <= min(box[a]["x"] for a in acts)   # centres: a rank
        if layer == layers[0]:
            assert max(box[x]["x1"] for x in inputs) < min(box[w]["x0"] for w in weights)
        else:   # side by side: this layer's weights right of every node of the layer before
            before = [n for n, r in named.items() if r.layer == layer - 1 and r.kind != "x"]
            assert max(box[n]["x1"] for n in before) < min(box[w]["x0"] for w in weights)


@pytest.mark.parametrize("name,extras", [(name, extras) for name in SEEDS for extras in ("", "local_grads")])
def test_neurons_top_to_bottom_and_each_neurons_weights_in_order_then_its_bias(name, extras):
    loss = seed_loss(name)
    order = topological_order(loss)
    named = roles(order)
    for g in [draw_dot(loss, local_grads=True, highlight=order[0]) if extras else draw_dot(loss)]:
        box = layout(g)
        xs = sorted((r.j, n) for n, r in named.items() if r.kind == "x")
        assert [box[n]["y"] for _, n in xs] == sorted((box[n]["y"] for _, n in xs), reverse=True)
        for layer in {r.layer for r in named.values() if r.layer}:
            zs = sorted((r.j, n) for n, r in named.items() if r.kind == "z" and r.layer == layer)
            heights = [box[n]["y"] for _, n in zs]
            assert heights == sorted(heights, reverse=True), f"layer {layer}: neurons not 1..n top down"
            for j, _ in zs:
                mine = sorted((r.kind == "b", r.i or 0, n) for n, r in named.items()
                              if r.kind in ("w", "b") and r.layer == layer and r.j == j)
                tops = [box[n]["y1"] for *_, n in mine]
                assert tops == sorted(tops, reverse=True), f"neuron {j}, layer {layer}: weights out of order"
        if name == "seed_001":   # a graph of formulas: w1 .. w6 top to bottom, s1 above s2
            ws = [f"v{k}" for k, v in sorted(enumerate(order), key=lambda kv: kv[1].label) if
                  re.fullmatch(r"w[1-4]", v.label)]
            assert [box[w]["y"] for w in ws] == sorted((box[w]["y"] for w in ws), reverse=True)


def column_height(box: dict, names: list[str]) -> float:
    return max(box[n]["y1"] for n in names) - min(box[n]["y0"] for n in names)


@pytest.mark.parametrize("name", SEEDS)
def test_the_drawing_is_no_taller_than_its_tallest_column_and_the_layers_overlap(name):
    loss = seed_loss(name)
    order = topological_order(loss)
    named = roles(order)
    box = layout(draw_dot(loss))
    values = [n for n in box if re.fullmatch(r"v\d+(op)?", n)]
    height = column_height(box, values)
    columns: dict[float, list[str]] = {}
    for n in values:   # a column: the nodes Graphviz put on one rank (the same x)
        columns.setdefault(round((box[n]["x0"] + box[n]["x1"]) / 2), []).append(n)
    tallest = max(column_height(box, names) for names in columns.values())
    # Graphviz needs some room for the lines that pass a column of weights: 10%, no more
    assert height <= 1.1 * tallest, (height, tallest)
    spans = []
    for layer in sorted({r.layer for r in named.values() if r.layer}):
        mine = [n for n, r in named.items() if r.layer == layer]
        mine += [n + "op" for n in mine if n + "op" in box]
        spans.append((min(box[n]["y0"] for n in mine), max(box[n]["y1"] for n in mine)))
    for (b0, t0), (b1, t1) in zip(spans, spans[1:]):   # never a staircase: each layer beside the last
        overlap = min(t0, t1) - max(b0, b1)
        assert overlap >= 0.5 * min(t0 - b0, t1 - b1), (name, spans)


def test_the_demo_mlp_collapses_to_neurons_in_order_left_to_right_and_no_taller_than_a_layer():
    loss = demo_loss()
    g = draw_dot(loss)
    assert "one node per neuron: the graph has 407 Values" in g.source
    box = layout(g)
    columns = [["x1", "x2"], [f"n1_{j}" for j in range(1, 17)], [f"n2_{j}" for j in range(1, 17)],
               ["n3_1"], ["root"]]
    for names in columns:
        heights = [box[n]["y"] for n in names]
        assert heights == sorted(heights, reverse=True), names
    for left, right in zip(columns, columns[1:]):
        assert max(box[n]["x1"] for n in left) < min(box[n]["x0"] for n in right)
    nodes = [n for names in columns for n in names]
    assert column_height(box, nodes) <= 1.05 * max(column_height(box, names) for names in columns)


@pytest.mark.parametrize("name", SEEDS + ["demo"])
def test_projection_sizes_in_the_dot_source(name):
    source = draw_dot(demo_loss() if name == "demo" else seed_loss(name), title="a title").source
    assert re.search(r"node \[.*fontsize=14", source) and re.search(r"edge \[.*fontsize=12", source)
    sizes = [float(s) for s in re.findall(r"fontsize=(\d+(?:\.\d+)?)", source)]
    assert sizes and min(sizes) >= 12
    points = [float(s) for s in re.findall(r'POINT-SIZE="(\d+)"', source)]
    assert min(points) >= 12 and max(points) >= 18   # the key, and the title on top
    for colour in re.findall(r'fontcolor="(#[0-9a-f]{6})"', source):   # dark text, or the highlight red
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert max(r, g, b) <= 0x99 or colour == "#cc0000", colour
    assert "labelloc=t" in source and "a title" in source


SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def parse(text: str) -> tuple[float, float, bool]:
    """A drawn number read back: (value, half a unit of its last digit, whether it looks round)."""
    text = text.replace("−", "-")
    power = 0
    if "×10" in text:
        text, exponent = text.split("×10")
        power = int(exponent.translate(SUPERSCRIPT))
    if "e" in text:
        text, exponent = text.split("e")
        power = int(exponent)
    decimals = len(text.split(".")[1]) if "." in text else 0
    significant = len(text.lstrip("-").replace(".", "").lstrip("0").rstrip("0" if "." not in text else ""))
    value = float(text) * 10.0 ** power
    # round-looking: two or more of the 4 digits asked for dropped as zeros (or 0 itself); one dropped
    # zero is an ordinary rounding (0.0005489575 -> 0.000549)
    return value, 0.5 * 10.0 ** (power - decimals), significant <= 2 or value == 0


def check_honest(text: str, exact: float) -> None:
    value, half, round_looking = parse(text)
    assert abs(value - exact) <= half * (1 + 1e-9), (text, exact)
    if round_looking:   # a number with few digits must be that number (to the 12 digits shown at most)
        assert abs(value - exact) <= 1e-11 * max(abs(exact), 1e-300), (text, exact)


NUMBER = r"(−?\d+(?:\.\d+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?)"


@pytest.mark.parametrize("name", SEEDS)
def test_no_drawn_number_is_a_rounding_lie(name):
    loss = seed_loss(name)
    order = topological_order(loss)
    svg = ET.fromstring(pipe(draw_dot(loss, local_grads=True, constant_grads=True), "svg"))
    checked = 0
    for g in svg.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title").text if g.find(f"{SVG}title") is not None else ""
        texts = [t.text for t in g.iter(f"{SVG}text") if t.text]
        if g.get("class") == "node" and re.fullmatch(r"v\d+", title):
            v = order[int(title[1:])]
            for text in texts:
                m = re.fullmatch(r"(data|grad) " + NUMBER, text)
                if m:
                    check_honest(m[2], v.data if m[1] == "data" else v.grad)
                    checked += 1
        elif g.get("class") == "edge" and texts:
            tail, head = re.match(r"v(\d+)(?::\w+)?->v(\d+)op", title.replace("&gt;", ">")).groups()
            v = order[int(head)]
            locals_ = [d for u, d in zip(v.inputs, v.local_grads) if u is order[int(tail)]]
            check_honest(texts[0], locals_[0])
            checked += 1
    assert checked > 2 * len(order)


def test_sigma_24_is_never_drawn_as_1():
    loss = seed_loss("seed_004")
    order = topological_order(loss)
    k = next(k for k, v in enumerate(order) if v.label == "a2^(1)")   # σ(24) = 0.99999999996224
    svg = pipe(draw_dot(loss), "svg").decode()
    node = svg[svg.index(f"<title>v{k}</title>"):]
    assert "data 0.99999999996" in node[:node.index("</g>")]


def test_the_collapsed_demos_numbers_are_honest():
    loss = demo_loss()
    order = topological_order(loss)
    svg = ET.fromstring(pipe(draw_dot(loss), "svg"))
    by_label = {v.label: v for v in order if v.label}
    checked = 0
    for text in (t.text for t in svg.iter(f"{SVG}text") if t.text):
        m = re.fullmatch(r"([zaδ])([₀-₉]+)⁽([¹²³])⁾ = " + NUMBER, text)
        if m:
            j = m[2].translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
            layer = m[3].translate(SUPERSCRIPT)
            node = by_label[f"{'z' if m[1] == 'δ' else m[1]}{j}^({layer})"]
            check_honest(m[4], node.grad if m[1] == "δ" else node.data)
            checked += 1
    assert checked == 16 * 3 * 2 + 2
