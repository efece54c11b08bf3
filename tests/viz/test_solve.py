"""`solve` writes a complete folder or nothing; md, tex and html carry the same solution."""

import re
import xml.etree.ElementTree as ET

import pytest

from viz.draw.render import find_dot
from viz.homework.problem_file import load, shipped
from viz.homework.solve import solve, text

needs_dot = pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot or graphviz-pure)")


@needs_dot
def test_a_formula_problem_whose_formulas_form_layers_gets_a_network_diagram(tmp_path):
    written = solve(load(shipped("seed_001")), tmp_path / "out")
    assert sorted(p.name for p in written) == ["graph.svg", "network.svg", "solution.md"]
    network = (tmp_path / "out" / "network.svg").read_text()
    for name in ("x₁", "x₄", "h₁", "h₂", "ŷ"):
        assert name in network


@needs_dot
def test_the_folder_has_the_solution_and_real_svgs(tmp_path):
    out = tmp_path / "seed_004"
    written = solve(load(shipped("seed_004")), out)
    assert sorted(p.name for p in written) == ["graph.svg", "network.svg", "solution.md"]
    markdown = (out / "solution.md").read_text()
    caption = "The network of step 1 after backward(): weights with their grads, each neuron's z, a and δ"
    assert f"![{caption}](network.svg)" in markdown
    assert "z₁⁽¹⁾" in (out / "network.svg").read_text()  # the neurons show their drives
    for name in ("graph.svg", "network.svg"):
        root = ET.parse(out / name).getroot()
        assert root.tag.endswith("svg")
    graph = (out / "graph.svg").read_text()
    for name in ("w₁₁⁽²⁾", "a₂⁽¹⁾", "(ŷ − t)²"):  # node_names (viz.notation.names) on the drawing
        assert name in graph
    assert not list(tmp_path.glob(".*part"))  # no temporary folder left behind


@needs_dot
def test_html_inlines_the_svgs_and_tex_is_a_whole_document(tmp_path):
    solve(load(shipped("seed_000")), tmp_path / "html", fmt="html")
    page = (tmp_path / "html" / "solution.html").read_text()
    assert page.count("<svg") == 2 and "<?xml" not in page
    shown = [re.sub(r"<[^>]+>", "", m).replace("\u00a0", " ")
             for m in re.findall(r'<div class="math">(.*?)</div>', page)]
    assert "z1(1) = w11(1) x1 + w12(1) x2 = (−2) · 2 + 3 · 3 = 5" in shown  # a real minus sign
    solve(load(shipped("seed_000")), tmp_path / "tex", fmt="tex", diagrams=False)
    latex = (tmp_path / "tex" / "solution.tex").read_text()
    assert latex.startswith("\\documentclass{article}") and latex.rstrip().endswith("\\end{document}")
    assert latex.count("\\begin{document}") == 1
    gradient = r"\frac{\partial L}{\partial w_{12}^{(2)}} = \delta_{1}^{(2)} \cdot a_{2}^{(1)}"
    gradient += r" = 4 \cdot 49 = 196"
    assert f"\\[ {gradient} \\]" in latex


def test_a_failure_leaves_nothing_behind(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[graph]\nloss = "L"\n[graph.inputs]\nx = -1\n[graph.formulas]\nL = "log(x)"\n')
    with pytest.raises(ValueError, match="log is undefined for -1.0"):
        solve(load(bad), tmp_path / "out", diagrams=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_an_existing_folder_is_filled_and_other_files_kept(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    solve(load(shipped("seed_001")), tmp_path, diagrams=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "solution.md"]


def test_steps_override_and_the_loss_after_each_step():
    md = text(load(shipped("seed_003")), steps=3)
    assert re.findall(r"^## Step \d", md, re.M) == ["## Step 1", "## Step 2", "## Step 3"]
    losses = [float(m) for m in re.findall(r"^\$\$L = ([\d.]+)\$\$$", md, re.M)]
    assert losses == sorted(losses, reverse=True) and len(losses) == 3  # one per step, falling
    assert "## Step 2" not in text(load(shipped("seed_003")), steps=1)


def test_no_learning_rate_means_gradients_only():
    md = text(load(shipped("seed_001")))
    assert "### Update" not in md and "### Backward pass" in md
    with pytest.raises(ValueError, match="2 steps need a learning rate"):
        text(load(shipped("seed_001")), steps=2)


def test_plain_text_has_no_latex():
    plain = text(load(shipped("seed_004")), fmt="text")
    assert "\\" not in plain and "$" not in plain
    assert "δ1^(2) = -(t - ŷ) · σ'(z1^(2))" in plain  # one target: t, as node_names calls it


BATCH = """
x = {x}
target = {t}
loss = "squared-error"
reduction = "{reduction}"
lr = 0.5
[network]
weights = 0.5
biases = -0.25
activation = "tanh"
[[layer]]
neurons = 2
[[layer]]
neurons = 1
activation = "sigmoid"
"""


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_a_batch_gradient_is_the_sum_or_mean_of_the_examples_gradients(tmp_path, reduction):
    # seed 002's remark: the gradient of a sum of losses is the sum of their gradients
    def gradients(x, t, name):
        path = tmp_path / f"{name}.toml"
        path.write_text(BATCH.format(x=x, t=t, reduction=reduction))
        found = {}
        for line in text(load(path)).splitlines():
            m = re.fullmatch(r"\$\$\\frac\{\\partial L\}\{\\partial (\S+)\} = .* = (\S+)\$\$", line)
            if m:
                found[m[1]] = float(m[2])
        return found

    both = gradients("[[1, 0], [0, 1]]", "[[1], [0]]", "both")
    one, two = gradients("[1, 0]", "[1]", "one"), gradients("[0, 1]", "[0]", "two")
    assert len(both) == 9
    scale = 0.5 if reduction == "mean" else 1.0
    for name, value in both.items():
        # printed to 8 significant digits each: the sum of two nearly opposite numbers keeps ~1e-8
        assert value == pytest.approx(scale * (one[name] + two[name]), rel=1e-6, abs=2e-8)


@pytest.mark.parametrize("seed", ["seed_000", "seed_001", "seed_002", "seed_002_q2", "seed_003", "seed_004"])
def test_every_formula_of_a_solution_is_valid_latex(seed):
    mathtext = pytest.importorskip("matplotlib.mathtext")
    parser = mathtext.MathTextParser("path")
    md = text(load(shipped(seed)))
    formulas = [a or b for a, b in re.findall(r"\$\$(.+?)\$\$|\$(.+?)\$", md)]
    assert len(formulas) >= 20
    for formula in formulas:
        if r"\begin{pmatrix}" in formula:
            continue  # mathtext has no matrices
        # mathtext knows \frac and \mathrm, not \tfrac, \text, \Big or \left( \right)
        plain = re.sub(r"\\(left|right|Big)(?=[(\[)\]])", "", formula).replace(r"\tfrac", r"\frac")
        parser.parse("$" + re.sub(r"\\text\{([^}]*)\}", r"\\mathrm{\1}", plain) + "$")


@pytest.mark.parametrize("reduction, delta", [("mean", "-0.25"), ("sum", "-0.5")])
def test_softmax_cross_entropy_over_two_examples_carries_the_mean(tmp_path, reduction, delta):
    # two examples, each logit 0 after tanh(-0.25 + 0.5 x) feeds equal weights: softmax 1/2, 1/2
    path = tmp_path / "ce.toml"
    problem = BATCH.format(x="[[1, 0], [0, 1]]", t="[[1, 0], [0, 1]]", reduction=reduction)
    problem = problem.replace('"squared-error"', '"cross-entropy"').replace("neurons = 1", "neurons = 2")
    path.write_text(problem.replace('activation = "sigmoid"', 'activation = "linear"'))
    md = text(load(path))   # the delta rule is checked against backward() as it is written
    first = re.search(r"^\$\$\\delta_\{1\}\^\{\(2\)\} = (.*) = (\S+)\$\$$", md, re.M)
    assert first[2] == delta and (r"\frac{1}{2}" in first[1]) == (reduction == "mean")
