"""viz.step_through without a browser: the steps' numbers against the engine and the documents,
the page's self-containment, and errors. The browser tests are in test_lecture_browser.py."""

import json
import math
import re

import pytest

from micrograd import Value, topological_order
from viz.draw.render import find_dot
from viz.explain import lecture
from viz.explain.lecture import step_through
from viz.explain.steps import all_steps, chains
from viz.homework.problem_file import PROBLEMS, load
from viz.homework.run import Model
from viz.notation.names import leaf_kind
from viz.notation.numbers import pretty

SEEDS = sorted(p.stem for p in PROBLEMS.glob("seed_*.toml"))
needs_dot = pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot, graphviz-pure)")


def seed_loss(name):
    """The loss Value of a shipped seed problem, after backward()."""
    return Model(load(PROBLEMS / f"{name}.toml")).forward().loss


def page_data(path):
    """The JSON the page carries, read back from the written file."""
    text = path.read_text(encoding="utf-8")
    payload = re.search(r'<script id="lecture-data" type="application/json">(.*?)</script>', text, re.S)[1]
    return json.loads(payload)


@pytest.mark.parametrize("name", SEEDS)
def test_steps_reproduce_the_engines_backward_exactly(name):
    loss = seed_loss(name)
    order = topological_order(loss)
    steps = all_steps(loss)
    assert steps["grads"] == [v.grad for v in order]  # same loop, same order: equal to the last bit
    edges = sum(len(v.inputs) for v in order)
    into_constants = sum(leaf_kind(u) == "constant" for v in order for u in v.inputs)
    assert len(steps["backward"]) == edges - into_constants + 1  # the seed step, then one per edge
    assert all(leaf_kind(order[s["node"]]) != "constant" for s in steps["backward"])
    assert len(all_steps(loss, constants=True)["backward"]) == edges + 1
    assert [s["node"] for s in steps["forward"]] == [k for k, v in enumerate(order) if v.op]
    for s in steps["forward"]:
        assert s["data"] == pretty(order[s["node"]].data) == s["lines"][-1][2:]


def test_seed_004_page_numbers_are_the_documents(tmp_path):
    loss = seed_loss("seed_004")
    steps = all_steps(loss)
    names = steps["names"]
    last = {s["node"]: s["grad"] for s in steps["backward"]}
    by_name = {names[k]: g for k, g in last.items()}
    # seed README, exact: dl/dW2_11 = -0.0462390 (our w11^(2)), dl/dW1_21 = -0.2311951 (our w12^(1))
    assert by_name["w₁₁⁽²⁾"] == "−0.04624"
    assert by_name["w₁₂⁽¹⁾"] == "−0.2312"
    assert by_name["z₂⁽¹⁾"] == "1.396×10⁻¹¹"  # sigma'(24) = 3.8e-11 times 0.37: a power of ten, typeset
    forward = {names[s["node"]]: s["data"] for s in steps["forward"]}
    assert forward["L"] == "0.3879" and forward["z₁⁽¹⁾"] == "0" and forward["z₂⁽¹⁾"] == "24"
    assert forward["a₂⁽¹⁾"] == "0.999999999962"  # sigma(24): never the "1" the sheet rounded it to
    # the loss end is named as on the graph, and the constants 0.5 and t take no steps back
    assert [names[s["node"]] for s in steps["backward"][1:4]] == ["(ŷ − t)²", "ŷ − t", "ŷ"]
    assert len(steps["backward"]) == 22 and len(all_steps(loss, constants=True)["backward"]) == 24
    # x1's second path adds 1.4e-11: the sum is not written as if it were equal to what it was
    assert "grad(x₁) = 0.09248 + 1.396×10⁻¹¹ ≈ 0.09248" in [s["lines"][-1] for s in steps["backward"]]


def test_the_chain_of_one_weight_multiplies_to_its_grad():
    loss = seed_loss("seed_004")
    order = topological_order(loss)
    w = next(v for v in order if v.label == "w12^(1)")
    paths = chains(order, w)
    assert len(paths) == 1
    assert [v.label for v in (order[k] for k, _ in paths[0])][:3] == ["z1^(1)", "a1^(1)", "z1^(2)"]
    product = math.prod(local for _, local in paths[0])
    assert math.isclose(product, w.grad, rel_tol=1e-12)
    assert math.isclose(w.grad, -0.2311951, abs_tol=5e-8)


def test_shared_inputs_give_one_path_each():
    x = Value(3.0, "x")
    y = x * x + x
    y.label = "y"
    y.backward()
    order = topological_order(y)
    paths = chains(order, x)
    assert len(paths) == 3  # x*x twice (once per input slot), and + x
    assert math.isclose(sum(math.prod(loc for _, loc in p) for p in paths), x.grad)  # 2x + 1 = 7


def test_seed_000_layers_give_the_documents_deltas():
    loss = seed_loss("seed_000")
    steps = all_steps(loss)
    from viz.explain.layer_steps import layer_steps

    layers = layer_steps(steps["order"], steps["names"], steps, 4)
    kinds = [s["kind"] for s in layers["steps"]]
    assert kinds == ["drive", "activation", "drive", "activation", "loss", "delta", "delta"]
    values = layers["values"]
    # seed 000: d = (5, 7), a = (25, 49), y = 1, delta^(2) = 4, delta^(1) = (-80, 56)
    assert [values[k] for k in ("1.1.z", "1.2.z", "1.1.a", "1.2.a", "2.1.a")] == ["5", "7", "25", "49", "1"]
    assert [values[k] for k in ("2.1.d", "1.1.d", "1.2.d")] == ["4", "−80", "56"]
    text = "\n".join(layers["steps"][5]["lines"] + layers["steps"][6]["lines"])
    for grad in ("= 100", "= 196", "= −160", "= −240", "= 112", "= 168"):  # every dL/dw of the document
        assert grad in text
    assert "δ₁⁽¹⁾ = (δ₁⁽²⁾·w₁₁⁽²⁾)·σ′(z₁⁽¹⁾) = (4·(−2))·10 = −80" in text


@pytest.mark.parametrize("name", [s for s in SEEDS if s != "seed_001"])  # 001 has no nn labels
def test_the_layer_view_has_every_weight_on_its_link_and_the_loss(name):
    from viz.explain.layer_steps import layer_steps

    loss = seed_loss(name)
    steps = all_steps(loss)
    order, names = steps["order"], steps["names"]
    layers = layer_steps(order, names, steps, 4)
    weights = {names[k]: pretty(v.data) for k, v in enumerate(order) if v.label.startswith("w")}
    on_links = {link["weight"]: link["value"] for link in layers["links"] if "weight" in link}
    assert on_links == weights
    cells = {cell["id"]: cell for column in layers["columns"] for cell in column["cells"]}
    assert layers["columns"][-1]["title"] == "loss"
    assert cells["loss"]["fields"][0]["symbol"] == "L" and layers["values"]["loss.L"] == pretty(loss.data)
    targets = [v for v in order if not v.op and v.label.startswith("t")]
    assert sorted(layers["values"][f"t.{n}.t"] for n in range(1, len(targets) + 1)) == \
        sorted(pretty(t.data) for t in targets)
    outputs = [f["symbol"] for c in cells.values() for f in c["fields"] if f["symbol"].startswith("ŷ")]
    assert sorted(outputs) == sorted(n for n in names if re.fullmatch(r"ŷ[₀-₉]*", n))  # as the graph says
    last = max(int(c["id"].split(".")[0]) for c in cells.values() if c["id"][0].isdigit())
    feeding = {link["from"] for link in layers["links"] if link["to"] == "loss"}
    assert feeding == {c for c in cells if c.startswith(f"{last}.")}  # every output neuron feeds the loss


@needs_dot
def test_the_page_is_one_file_that_fetches_nothing(tmp_path):
    path = step_through(seed_loss("seed_004"), tmp_path / "seed_004.html", wrt="w12^(1)")
    text = path.read_text(encoding="utf-8")
    assert text.count("<svg") == 2  # the drawing, and the loss chart the page draws itself
    assert "<script src" not in text and "<link" not in text
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink",
                    "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"}
    data = page_data(path)
    order = topological_order(seed_loss("seed_004"))
    assert len(re.findall(r'data-k="\d+"', text)) == len(order)  # every Value can be found on the drawing
    assert len(re.findall(r'data-from="\d+"', text)) == sum(len(v.inputs) for v in order)
    assert data["path"]["name"] == "w₁₂⁽¹⁾"
    # from the loss down to the weight, as the documents and viz.derivation() write the chain
    assert data["train"][0]["path"] == [
        "path L ← (ŷ − t)² ← ŷ − t ← ŷ ← z₁⁽²⁾ ← a₁⁽¹⁾ ← z₁⁽¹⁾ ← w₁₂⁽¹⁾:",
        "  0.5 × (−1.762) × 1 × 0.105 × 2 × 0.25 × 5 = −0.2312",
        "∂L/∂w₁₂⁽¹⁾ = grad(w₁₂⁽¹⁾) = −0.2312",
    ]
    constants = [k for k, v in enumerate(order) if leaf_kind(v) == "constant"]
    assert [k for k, node in enumerate(data["nodes"]) if not node["grad"]] == constants  # 0.5 and t
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


@needs_dot
def test_the_values_are_left_as_they_were(tmp_path):
    loss = seed_loss("seed_003")
    order = topological_order(loss)
    loss.zero_grad()
    step_through(loss, tmp_path / "before.html")  # before backward(): the page still has every grad
    assert all(v.grad == 0.0 for v in order)
    data = page_data(tmp_path / "before.html")
    loss.backward()
    last = {s["node"]: s["grad"] for s in data["train"][0]["steps"] if s["kind"] == "backward"}
    assert all(last[k] == pretty(v.grad) for k, v in enumerate(order) if k in last)


def test_a_failed_drawing_leaves_no_file(tmp_path, monkeypatch):
    def no_renderer(*args, **kwargs):
        raise RuntimeError("no renderer")

    monkeypatch.setattr(lecture, "pipe", no_renderer)
    with pytest.raises(RuntimeError, match="no renderer"):
        step_through(seed_loss("seed_000"), tmp_path / "page.html")
    assert list(tmp_path.iterdir()) == []


def test_bad_input_is_a_clear_error(tmp_path):
    loss = seed_loss("seed_000")
    with pytest.raises(TypeError, match="needs a micrograd Value"):
        step_through(2.0, tmp_path / "a.html")
    with pytest.raises(ValueError, match="path ending in .html"):
        step_through(loss, tmp_path / "a.svg")
    labelled = r"no node is labelled 'w99'; pass the Value itself, or one of: .*w11\^\(1\)"
    with pytest.raises(ValueError, match=labelled):
        step_through(loss, tmp_path / "a.html", wrt="w99")
    with pytest.raises(ValueError, match="is not a node of this graph"):
        step_through(loss, tmp_path / "a.html", wrt=Value(1.0))
    x = Value(2.0, "x")
    with pytest.raises(ValueError, match="layers=True needs a network's labels"):
        step_through(x * x, tmp_path / "a.html", layers=True)
    too_big = r"the graph has 19 Values, more than max_nodes=5: .* pass max_nodes=19"
    with pytest.raises(ValueError, match=too_big):
        step_through(loss, tmp_path / "a.html", max_nodes=5)
    assert list(tmp_path.iterdir()) == []


@needs_dot
def test_a_label_cannot_end_the_pages_script(tmp_path):
    x = Value(2.0, "x</script><!--<script>")
    y = x * 3
    y.label = "y"
    path = step_through(y, tmp_path / "tricky.html", title="a </script> title")
    text = path.read_text(encoding="utf-8")
    marker = '<script id="lecture-data" type="application/json">'
    start = text.index(marker) + len(marker)
    payload = text[start:text.index("</script>", start)]
    assert "<" not in payload  # every < written \u003c: no "</script" or "<!--" inside the data
    data = json.loads(payload)
    assert data["title"] == "a </script> title" and data["nodes"][0]["name"] == "x</script><!--<script>"
    assert "<title>a &lt;/script&gt; title</title>" in text
    assert text.count("<script") == 2  # the data and the program: the label opened none


@needs_dot
def test_constants_true_steps_through_their_grads_too(tmp_path):
    loss = seed_loss("seed_004")
    order = topological_order(loss)
    constants = [k for k, v in enumerate(order) if leaf_kind(v) == "constant"]  # 0.5 and the target t
    hidden = step_through(loss, tmp_path / "hidden.html")
    kept = step_through(loss, tmp_path / "kept.html", constants=True)
    stepped = {s["node"] for s in page_data(kept)["train"][0]["steps"] if s["kind"] == "backward"}
    assert set(constants) <= stepped and not set(constants) & {
        s["node"] for s in page_data(hidden)["train"][0]["steps"] if s["kind"] == "backward"}
    assert all(node["grad"] for node in page_data(kept)["nodes"])
    with_grad = r'data-k="(\d+)"(?:(?!data-k=).)*?class="num grad"'  # a node's group, up to its grad's tspan
    grads = {int(k) for k in re.findall(with_grad, kept.read_text(), re.S)}
    assert grads == set(range(len(order)))  # the drawing has a grad for every node to fill in
    hidden_grads = re.findall(r'class="num grad"', hidden.read_text())
    assert len(hidden_grads) == len(order) - len(constants)
