"""The `micrograd` console script, run as a user runs it (a subprocess of the installed script)."""

import os
import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from viz.draw.render import find_dot
from viz.homework.problem_file import PROBLEMS, parse, tomllib

SCRIPT = pathlib.Path(sys.executable).with_name("micrograd")
needs_dot = pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot or graphviz-pure)")
pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="no console script: pip install -e .")


def run(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("args", [[], ["solve"], ["check"], ["draw"], ["demo"], ["template"]])
def test_help_everywhere(tmp_path, args):
    done = run(*args, "--help", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("usage: micrograd") and done.stderr == ""


@needs_dot
def test_solve_a_shipped_problem(tmp_path):
    done = run("solve", "seed_004", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["out/graph.svg", "out/network.svg", "out/solution.md"]
    markdown = (tmp_path / "out" / "solution.md").read_text()
    assert "$$\\hat{y} = a_{1}^{(2)} = \\sigma(-1.99999999985) = 0.11920292$$" in markdown


def test_check_the_documents_answers(tmp_path):
    done = run("check", "seed_004", str(PROBLEMS / "seed_004_answers.txt"), cwd=tmp_path)
    assert done.returncode == 1  # some answers are wrong
    assert done.stdout.startswith("seed_004_answers.txt: 14 answers, 6 right, 8 wrong")
    assert "0.999 is sigmoid(24) = 0.999999999962 cut off at 3 decimals; rounded, it is 1.000" in done.stdout
    done = run("check", "seed_000", str(PROBLEMS / "seed_000_answers.txt"), cwd=tmp_path)
    assert done.returncode == 0 and "26 right, 0 wrong" in done.stdout


@needs_dot
def test_draw_svg_and_text(tmp_path):
    done = run("draw", "seed_004", "-o", "g.svg", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ET.parse(tmp_path / "g.svg").getroot().tag.endswith("svg")
    done = run("draw", "seed_004", "--network", "-o", "n.svg", cwd=tmp_path)
    assert done.returncode == 0 and "w₁₁⁽²⁾" in (tmp_path / "n.svg").read_text()
    done = run("draw", "seed_001", "--text", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("Div")
    assert "w1" in done.stdout and "sigmoid" in done.stdout


@needs_dot
def test_demo_prints_the_solution_and_writes_the_diagrams(tmp_path):
    done = run("demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Seed 004: a 2-2-1 sigmoid network with biases\n")
    for line in ["    ŷ = a1^(2) = σ(-1.99999999985) = 0.11920292",
                 "    L = 1/2 (t - ŷ)² = 1/2 (1 - 0.11920292)² = 0.38790175",
                 "    w11^(2) = 2 - 2 · (-0.046239022) = 2.092478"]:
        assert line in done.stdout.splitlines()
    assert "a2^(1) = 0.999" in done.stdout  # the document's own answers, checked
    folder = tmp_path / "micrograd-demo"
    assert sorted(p.name for p in folder.iterdir()) == ["graph.svg", "network.svg", "solution.md"]


def test_template_is_a_working_problem(tmp_path):
    done = run("template", cwd=tmp_path)
    assert done.returncode == 0
    problem = parse(tomllib.loads(done.stdout))
    assert len(problem.layers) == 2


@pytest.mark.parametrize("args, message", [
    (["solve", "nope.toml"], "micrograd: error: nope.toml: no such problem file"),
    (["solve", "seed_9"], "micrograd: error: no shipped problem named 'seed_9'"),
    (["solve"], "micrograd: error: the following arguments are required: PROBLEM"),
    (["solve", "seed_004", "--steps", "-1"], "micrograd: error: --steps must be 0 or more"),
    (["solve", "seed_004", "--format", "pdf"], "micrograd: error: argument --format: invalid choice"),
    (["check", "seed_004", "missing.txt"], "micrograd: error: missing.txt: no such answers file"),
    (["check", "seed_004", "./seed_004_answers.txt"], "micrograd: error: ./seed_004_answers.txt: no such "
     "answers file (a shipped answers file is found by its bare name only: seed_004_answers.txt)"),
    (["frobnicate"], "micrograd: error: argument COMMAND: invalid choice"),
])
def test_a_users_mistake_is_one_line_and_status_2(tmp_path, args, message):
    done = run(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_broken_problem_file_names_the_key(tmp_path):
    (tmp_path / "p.toml").write_text("x = [1]\ntarget = [1]\nloss = 'half-squared-error'\n"
                                     "[[layer]]\nneurons = 1\nactivation = 'relu'\nweights = [[1, 2]]\n")
    done = run("solve", "p.toml", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert ("p.toml: key 'x': expected as many numbers per example as layer 1's weights take: 2, got 1 "
            "(fix x, or give layer[1].weights 1 column(s) for 1 input(s))") in done.stderr
    assert not (tmp_path / "p_solution").exists()


def test_without_tqdm_everything_still_works(tmp_path):
    # tqdm is an optional extra: hide it and solve a problem of several steps
    code = ("import sys; sys.modules['tqdm'] = None; from viz.cli import main; "
            "sys.exit(main(['solve', 'seed_003', '--steps', '5', '-o', 'out', '--no-diagrams']))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "solution.md").read_text().count("## Step ") == 5


def test_lecture_help_and_solve_html_help(tmp_path):
    done = run("lecture", "--help", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("usage: micrograd lecture") and done.stderr == ""
    assert "--wrt LABEL" in done.stdout
    assert "lecture.html" in run("solve", "--help", cwd=tmp_path).stdout


@needs_dot
def test_solve_html_writes_the_lecture_page_beside_the_solution(tmp_path):
    done = run("solve", "seed_004", "--format", "html", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    names = ["graph.svg", "lecture.html", "network.svg", "solution.html"]
    assert done.stdout.split() == [f"out/{name}" for name in names]
    page = (tmp_path / "out" / "solution.html").read_text()
    assert '<a href="lecture.html">' in page and "<script src" not in page and "https://" not in page


@needs_dot
def test_lecture_writes_one_page_with_the_chosen_weights_path(tmp_path):
    done = run("lecture", "seed_004", "--wrt", "w12^(1)", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "seed_004_lecture.html\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed_004_lecture.html"]  # no temporary left
    page = (tmp_path / "seed_004_lecture.html").read_text()
    # seed 004's dl/dW1_21 (our w12^(1)) is -0.2311951 exactly (../shared/seeds/README.md)
    assert "∂L/∂w₁₂⁽¹⁾ = grad(w₁₂⁽¹⁾) = −0.2312" in page
    assert "<script src" not in page and "https://" not in page


@pytest.mark.parametrize("args, message", [
    (["lecture", "seed_004", "--wrt", "w99"], "micrograd: error: wrt 'w99': no Value has that label"),
    (["lecture", "seed_004", "-o", "page.svg"], "micrograd: error: the lecture page is HTML: give -o a name"),
    (["lecture", "nope.toml"], "micrograd: error: nope.toml: no such problem file"),
    (["lecture"], "micrograd: error: the following arguments are required: PROBLEM"),
])
def test_a_lecture_mistake_is_one_line_and_status_2(tmp_path, args, message):
    done = run(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(message) and done.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing written
