"""The lecture page over training (step_through steps=N, micrograd lecture moons) without a browser:
every step's numbers against a training loop run here with the engine, the derivations against
viz.derivation, the two-moons demo against micrograd's, sizes and errors.
The browser tests are in test_lecture_training_browser.py."""

import json
import math
import random
import re

import numpy as np
import pytest

import nn
from micrograd import Value, topological_order
from micrograd.nn import MLP
from viz import derivation
from viz.cli import main
from viz.draw.render import find_dot
from viz.explain.lecture import step_through
from viz.explain.moons import ALPHA, make_moons, moons
from viz.homework.problem_file import PROBLEMS, load
from viz.homework.run import Model
from viz.notation.numbers import pretty

pytestmark = pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot, graphviz-pure)")
SEEDS = sorted(p.stem for p in PROBLEMS.glob("seed_*.toml"))
STEPS = {"seed_000": 3}  # seed 000's squared activations overflow at its lr by step 4; the rest take 10
PAGE_LIMIT = 3_000_000   # bytes: every seed at 10 steps (seed 002 q2, 47 weights, is the largest)
MOONS_LIMIT = 1_600_000  # bytes: 30 steps of 337 weights, with a boundary image each


def number(text):
    """A number as the page prints it (−2.641×10⁻⁷) read back as a float."""
    plain = text.replace("−", "-").replace("×10", "e").translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-"))
    return float(plain)


def page_data(path):
    text = path.read_text(encoding="utf-8")
    payload = re.search(r'<script id="lecture-data" type="application/json">(.*?)</script>', text, re.S)[1]
    return json.loads(payload)


def trained(name, steps):
    """The problem trained here, step by step: what each step's page must show, read before its update."""
    problem = load(PROBLEMS / f"{name}.toml")
    model = Model(problem)
    seen = []
    for _ in range(steps):
        loss = model.forward().loss  # forward() runs backward()
        order = topological_order(loss)
        weights = {k: v for k, v in enumerate(order) if any(v is p for p in model.parameters)}
        seen.append({
            "loss": loss.data, "data": [pretty(v.data) for v in order],
            "grads": [pretty(v.grad) for v in order],
            "locals": [[pretty(g) for g in v.local_grads] for v in order],
            "derivations": {k: str(derivation(loss, w, format="text")) for k, w in weights.items()},
            # the update, by hand
            "new": {k: pretty(w.data - problem.lr * w.grad) for k, w in weights.items()},
        })
        model.step()
    return problem, seen


@pytest.mark.parametrize("name", [s for s in SEEDS if s != "seed_001"])  # 001 has no learning rate
def test_every_training_step_holds_the_engines_numbers(tmp_path, name):
    steps = STEPS.get(name, 10)
    problem, seen = trained(name, steps)
    model = Model(problem)
    path = step_through(lambda: model.forward().loss, tmp_path / "p.html", steps=steps, lr=problem.lr)
    assert [p.data for p in model.parameters] == [p.data for p in Model(problem).parameters]  # put back
    data = page_data(path)
    assert path.stat().st_size < PAGE_LIMIT
    assert len(data["train"]) == steps
    for t, expected in enumerate(seen):
        step = data["train"][t]
        assert step["loss"] == expected["loss"]  # the same floats: the same engine, in the same order
        assert step["data"] == expected["data"] and step["grads"] == expected["grads"]
        assert step["locals"] == expected["locals"]
        assert {int(k) for k in step["weights"]} == set(expected["derivations"])
        for k, written in expected["derivations"].items():
            shown = step["weights"][str(k)]
            assert "\n".join(data["lines"][i] for i in shown["derivation"]) == written.rstrip("\n")
            assert shown["update"][-1].endswith(f"= {expected['new'][k]}")
            if t + 1 < steps:  # and the next step starts from it
                assert seen[t + 1]["data"][k] == expected["new"][k]


def test_an_nn_model_with_data_trains_on_the_page(tmp_path):
    model = nn.MLP(2, [2, 1], activation="tanh", init=0.5)
    inputs, targets = [[1.0, 2.0], [-1.0, 0.5]], [[1.0], [-1.0]]
    path = step_through(model, tmp_path / "m.html", data=(inputs, targets), steps=4, lr=0.3)
    kept = [p.data for p in model.parameters()]
    losses = []
    for _ in range(4):  # the same training, written out here
        each = [nn.half_sum_squares(model([Value(v) for v in x]), t) for x, t in zip(inputs, targets)]
        loss = nn.total(each)
        losses.append(loss.data)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.3 * p.grad
    for p, v in zip(model.parameters(), kept):
        p.data = v
    assert [s["loss"] for s in page_data(path)["train"]] == losses
    assert losses[-1] < losses[0]


def test_a_saturated_and_a_dead_neuron_are_marked(tmp_path):
    # seed 004: z2^(1) = 24, sigma'(24) = 3.8e-11 (the seed README): saturated
    problem = load(PROBLEMS / "seed_004.toml")
    model = Model(problem)
    marks = page_data(step_through(model.forward().loss, tmp_path / "s.html"))["train"][0]["marks"]
    assert marks == {"1.2": "saturated"}
    relu = nn.MLP(1, [2, 1], activation="relu", layout="out_in",
                  weights=[([[1.0], [1.0]], [-5.0, 0.0]), ([[1.0, 1.0]], [0.0])])
    loss = nn.total([nn.half_sum_squares(relu([Value(x, "x1")]), 1.0) for x in (1.0, 2.0)])
    marks = page_data(step_through(loss, tmp_path / "d.html"))["train"][0]["marks"]
    assert marks == {"1.1": "dead"}  # drive x - 5 < 0 for x = 1 and 2; neuron 2 (drive x) is on


def test_bad_training_input_is_a_clear_error(tmp_path):
    loss = Model(load(PROBLEMS / "seed_004.toml")).forward().loss
    with pytest.raises(ValueError, match="needs the loss built again"):
        step_through(loss, tmp_path / "a.html", steps=3, lr=0.1)
    with pytest.raises(ValueError, match="give the learning rate"):
        step_through(lambda: loss, tmp_path / "a.html", steps=3)
    with pytest.raises(ValueError, match="steps must be a whole number"):
        step_through(loss, tmp_path / "a.html", steps=0)
    with pytest.raises(ValueError, match="needs the examples"):
        step_through(nn.MLP(1, [1]), tmp_path / "a.html")
    with pytest.raises(TypeError, match="must return the loss"):
        step_through(lambda: 3.0, tmp_path / "a.html")
    problem = load(PROBLEMS / "seed_000.toml")
    model = Model(problem)
    with pytest.raises(ValueError, match="training step 4 of 10 failed: .* smaller learning rate"):
        step_through(lambda: model.forward().loss, tmp_path / "a.html", steps=10, lr=problem.lr)
    assert list(tmp_path.iterdir()) == []


def test_the_moons_are_scikit_learns():
    datasets = pytest.importorskip("sklearn.datasets", reason="compared with scikit-learn's make_moons")
    np.random.seed(1337)
    X, y = datasets.make_moons(n_samples=100, noise=0.1)
    ours = make_moons()
    assert np.array_equal(ours[0], X) and np.array_equal(ours[1], y)


def scalar_demo(steps):
    """micrograd's demo.ipynb loop with one Value per example (tests/engine/test_micrograd_demo.py's way)."""
    X, y = make_moons()
    y = y * 2 - 1
    kept = random.getstate()
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    random.setstate(kept)
    seen = []
    for k in range(steps):
        scores = [model([Value(a), Value(b)]) for a, b in X]
        data_loss = sum((1 + -yi * s).relu() for yi, s in zip(y, scores)) * (1.0 / len(y))
        total = data_loss + ALPHA * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        seen.append((total.data, [p.data for p in model.parameters()], [p.grad for p in model.parameters()],
                     [s.data for s in scores]))
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
    return model, seen


def test_the_moons_page_is_micrograds_demo(tmp_path):
    path = moons(tmp_path / "moons.html", steps=6)
    data = page_data(path)
    _, seen = scalar_demo(6)
    # micrograd's demo prints this first loss
    assert data["train"][0]["loss"] == pytest.approx(0.8958441028683222, abs=1e-12)
    for step, (loss, weights, grads, scores) in zip(data["train"], seen):
        assert step["loss"] == pytest.approx(loss, rel=1e-9)  # batch mode adds up in another order
        assert step["data"] == [pretty(w, 4) for w in weights]
        sizes = step["size"].values()
        assert all(math.isclose(g, s[1], rel_tol=0.05, abs_tol=1e-3) for g, s in zip(grads, sizes))
        assert step["accuracy"] == f"{round(100 * np.mean((np.array(scores) > 0) == (make_moons()[1] > 0)))}%"
    # the delta form's sum plus the L2 term is the grad: its numbers, read back off the page
    fixed = {w["k"]: w for w in data["weights"]}
    for k in (0, 1, 40, 336):
        numbers = data["train"][2]["weights"][str(k)]["values"]
        share, l2 = (number(v) for v in numbers[:2])
        assert share + l2 == pytest.approx(seen[2][2][k], rel=1e-3, abs=1e-6)
        assert data["lines"][fixed[k]["derivation"][0]].startswith(f"∂L/∂{fixed[k]['name']} = Σₙ")


def test_the_moons_boundary_and_dead_neurons_are_the_models(tmp_path):
    steps = 8
    data = page_data(moons(tmp_path / "moons.html", steps=steps))
    model, seen = scalar_demo(steps)  # trained one step past the page's last record: undo that update
    for p, w in zip(model.parameters(), seen[-1][1]):
        p.data = w
    box, size = data["boundary"]["box"], data["boundary"]["size"]
    grid = data["train"][-1]["boundary"]
    for r, c in [(0, 0), (5, 30), (20, 20), (33, 7), (39, 39), (12, 25)]:
        x = box[0] + (c + 0.5) * (box[1] - box[0]) / size
        y = box[3] - (r + 0.5) * (box[3] - box[2]) / size
        assert grid[r * size + c] == ("1" if model([Value(x), Value(y)]).data > 0 else "0")
    X, _ = make_moons()
    dead = set()
    for layer in (1, 2):  # a ReLU off for all 100 examples
        for j in range(1, 17):
            def drive(x, layer=layer, j=j):
                h = [Value(v) for v in x]
                for part in model.layers[:layer - 1]:
                    h = part(h)
                n = model.layers[layer - 1].neurons[j - 1]
                return sum((w * v for w, v in zip(n.w, h)), n.b).data
            if all(drive(x) <= 0 for x in X):
                dead.add(f"{layer}.{j}")
    assert set(data["train"][-1]["marks"]) == dead and dead  # the demo does have dead ReLUs by then
    assert set(data["train"][-1]["marks"].values()) == {"dead"}


def test_the_moons_page_stays_small(tmp_path):
    path = moons(tmp_path / "moons.html")
    assert path.stat().st_size < MOONS_LIMIT
    assert len(page_data(path)["train"]) == 30


def test_the_cli_writes_training_and_moons_pages(tmp_path, capsys):
    out = tmp_path / "s.html"
    assert main(["lecture", "seed_004", "--steps", "3", "-o", str(out)]) == 0
    assert len(page_data(out)["train"]) == 3 and page_data(out)["lr"] == "2"
    out = tmp_path / "m.html"
    assert main(["lecture", "moons", "--steps", "2", "-o", str(out)]) == 0
    assert len(page_data(out)["train"]) == 2
    capsys.readouterr()
    for args, message in [(["seed_004", "--steps", "0"], "--steps must be 1 or more"),
                          (["seed_001", "--steps", "2"], "needs `lr = ...`"),
                          (["moons", "--steps", "101"], "at most 100 steps"),
                          (["moons", "--wrt", "w11^(1)"], "click any weight instead"),
                          (["seed_000", "--steps", "10"], "training step 4 of 10 failed")]:
        assert main(["lecture", *args, "-o", str(tmp_path / "x.html")]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "x.html").exists()


def test_the_page_beside_a_solution_links_back_to_it(tmp_path):
    from viz.homework.solve import solve

    written = solve(load(PROBLEMS / "seed_004.toml"), tmp_path / "out", fmt="html")
    lecture = next(p for p in written if p.name == "lecture.html")
    assert page_data(lecture)["solution"] == "solution.html" and (lecture.parent / "solution.html").is_file()
    alone = step_through(Model(load(PROBLEMS / "seed_004.toml")).forward().loss, tmp_path / "alone.html")
    assert page_data(alone)["solution"] is None
    assert 'href="solution.html"' not in alone.read_text(encoding="utf-8")  # no link to a missing page
