"""`micrograd variants` and `micrograd mark` at the command line: the class folder, the sheets, bad input."""

import csv
import re
import shutil

import pytest

from viz.cli import main
from viz.draw.render import find_dot
from viz.homework import check as checking
from viz.homework.problem_file import PROBLEMS, load
from viz.notation.numbers import number

needs_dot = pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot or graphviz-pure)")


def run(capsys, *args) -> tuple[int, str, str]:
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    """Three students of seed 004's variants, with LaTeX too."""
    out = tmp_path_factory.mktemp("cli") / "class"
    assert main(["variants", "variants_seed_004", "-n", "3", "--seed", "7", "-o", str(out), "--tex"]) == 0
    return out


@needs_dot
def test_the_class_folder_holds_sheets_and_keys(klass):
    sheets = sorted(p.name for p in (klass / "sheets").iterdir())
    for s in ("s001", "s002", "s003"):
        assert {f"{s}.md", f"{s}.html", f"{s}.tex", f"{s}_answers.txt", f"{s}_network.svg"} <= set(sheets)
        key = klass / "key" / s
        assert {"problem.toml", "key.txt", "solution.md", "solution.html", "solution.tex"} <= {
            p.name for p in key.iterdir()}
        verdicts = checking.check(load(key / "problem.toml"), checking.read_answers(key / "key.txt"))
        assert len(verdicts) == 30 and all(v.right for v in verdicts)
    html = (klass / "sheets" / "s001.html").read_text()
    assert "<svg" in html and "Questions" in html and "s001.txt" in html
    assert (klass / "sheets" / "s001.tex").read_text().startswith("\\documentclass")
    assert 'students = [\n    "s001",\n    "s002",\n    "s003",\n]' in (klass / "class.toml").read_text()
    assert not [p for p in klass.parent.iterdir() if p.name.endswith(".part")]


def given_numbers(problem) -> set[float]:
    numbers = {problem.lr, *problem.x[0], *problem.target[0]}
    for layer in problem.layers:
        numbers |= {w for row in layer.weights for w in row} | set(layer.biases or [])
    return numbers


@needs_dot
def test_a_sheet_shows_no_answer(klass):
    for s in ("s001", "s002", "s003"):
        problem = load(klass / "key" / s / "problem.toml")
        given = given_numbers(problem)
        sheet = (klass / "sheets" / f"{s}.md").read_text()
        answers = checking.read_answers(klass / "key" / s / "key.txt")
        checking.resolve(answers, problem)
        exact = {v.answer.name: v.exact for v in checking.check(problem, answers)}
        shown = set(re.findall(r"-?\d+\.\d+|-?\d+", sheet))
        for a in answers:
            if any(abs(a.value - g) < 1e-9 for g in given) or a.value == 0:
                continue
            assert a.text not in shown and number(exact[a.name], 8) not in shown, (s, a.name, a.text)
        solution = (klass / "key" / s / "solution.md").read_text()
        assert number(exact["y_hat"], 8) in solution  # the marker's solution does show them


def test_the_same_seed_draws_the_same_class(klass, tmp_path, capsys):
    status, out, _ = run(capsys, "variants", "variants_seed_004", "-n", "3", "--seed", "7",
                         "-o", tmp_path / "again", "--no-diagrams")
    assert status == 0 and "3 variants of variants_seed_004.toml (seed 7" in out
    for s in ("s001", "s002", "s003"):
        again = (tmp_path / "again" / "key" / s / "key.txt").read_text()
        assert again == (klass / "key" / s / "key.txt").read_text()


def test_a_class_list_gives_the_ids(tmp_path, capsys):
    (tmp_path / "class.txt").write_text("ana\nbo\n")
    status, _, err = run(capsys, "variants", "variants_seed_000", "--ids", tmp_path / "class.txt",
                         "--seed", "1", "-o", tmp_path / "c", "--no-diagrams")
    assert status == 0, err
    assert sorted(p.name for p in (tmp_path / "c" / "key").iterdir()) == ["ana", "bo"]


@pytest.mark.parametrize("args, message", [
    (["-n", "3"], "the following arguments are required: --seed"),
    (["--seed", "1"], "give either -n COUNT"),
    (["-n", "0", "--seed", "1"], "-n must be 1 or more"),
    (["--ids", "ids.txt", "--seed", "1"], "line 3: the id 'ana' is there twice"),
])
def test_bad_arguments_are_one_line_and_write_nothing(tmp_path, capsys, monkeypatch, args, message):
    (tmp_path / "ids.txt").write_text("ana\nbo\nana\n")
    monkeypatch.chdir(tmp_path)
    status, _, err = run(capsys, "variants", "variants_seed_004", *args, "-o", "out")
    assert status == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_a_range_that_cannot_keep_the_rules_writes_nothing(tmp_path, capsys):
    text = (PROBLEMS / "variants_seed_004.toml").read_text()
    text = text.replace("x = { range = [-2, 3] }", "x = { range = [6, 9] }\nrules = { tries = 30 }")
    (tmp_path / "hot.toml").write_text(text.replace("weights = { range = [-3, 3], exclude = [0] }",
                                                    "weights = { range = [1, 3] }"))
    status, _, err = run(capsys, "variants", tmp_path / "hot.toml", "-n", "5", "--seed", "1",
                         "-o", tmp_path / "c")
    assert status == 2 and "no variant for s001 keeps the rules in 30 draws: the rule 'saturation'" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hot.toml"]


def test_variants_never_overwrite_a_class(klass, capsys):
    status, _, err = run(capsys, "variants", "variants_seed_004", "-n", "3", "--seed", "8", "-o", klass)
    assert status == 2 and "exists and is not empty" in err


def test_mark_writes_the_grades_and_prints_the_summary(klass, tmp_path, capsys):
    answers = tmp_path / "answers"
    answers.mkdir()
    shutil.copy(klass / "key" / "s001" / "key.txt", answers / "s001.txt")
    lines = (klass / "key" / "s002" / "key.txt").read_text().replace("y_hat = ", "y_hat = 1", 1).splitlines()
    (answers / "s002_answers.txt").write_text("\n".join(lines) + "\n")
    status, out, err = run(capsys, "mark", klass, answers, "-o", tmp_path / "out" / "grades.csv",
                           "--credit", "carried=0.5")
    assert status == 0, err
    rows = list(csv.DictReader((tmp_path / "out" / "grades.csv").open()))
    totals = [(r["student"], r["total"], r["out of"]) for r in rows]
    assert totals == [("s001", "30", "30"), ("s002", "29", "30"), ("s003", "0", "30")]
    assert rows[1]["y_hat"] == "wrong" and rows[2]["note"] == "no answers file"
    assert out.startswith("3 students, 2 answers files marked, 30 questions; mean total 29.50 of 30")
    assert (tmp_path / "out" / "grades_summary.txt").read_text() in out
    detail = list(csv.DictReader((tmp_path / "out" / "grades_answers.csv").open()))
    assert len(detail) == 90 and {r["kind"] for r in detail} == {"right", "wrong", "missing"}


def test_mark_refuses_an_unknown_student_and_writes_nothing(klass, tmp_path, capsys):
    (tmp_path / "s004.txt").write_text("y_hat = 0.5\n")
    status, _, err = run(capsys, "mark", klass, tmp_path, "-o", tmp_path / "grades.csv")
    assert status == 2 and "no student 's004' in the class" in err
    assert not (tmp_path / "grades.csv").exists()


@pytest.mark.parametrize("credit", ["carried", "late=1", "right=lots"])
def test_mark_names_a_bad_credit(klass, tmp_path, capsys, credit):
    (tmp_path / "s001.txt").write_text("y_hat = 0.5\n")
    status, _, err = run(capsys, "mark", klass, tmp_path, "--credit", credit)
    assert status == 2 and f"--credit {credit!r}: expected KIND=POINTS" in err


@pytest.mark.parametrize("command", ["variants", "mark"])
def test_help(capsys, command):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith(f"usage: micrograd {command}")
