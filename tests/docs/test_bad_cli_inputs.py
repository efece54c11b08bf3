"""A corpus of bad problem files, answers files and arguments, each given to the CLI.

Every row must end as the CLI promises: no traceback, exit status 2 (1 for an answers
file whose lines are marked with warnings), one message on stderr that matches the
row's regular expression (the key, line or value at fault), within SECONDS.
"""

from __future__ import annotations

import contextlib
import io
import pathlib
import re
import time

import pytest

from viz.cli import main

SECONDS = 5.0
SEED_004 = pathlib.Path(__file__).parents[2] / "viz" / "homework" / "problems" / "seed_004.toml"

GRAPH = '''title = "t"
lr = 0.1
steps = {steps}
[graph]
loss = "L"
output = "y"
[graph.inputs]
x1 = {x1}
[graph.parameters]
w1 = 0.5
[graph.formulas]
y = "{y}"
L = "y*y"
'''


def graph(y: str = "w1*x1", x1: object = 1, steps: object = 1) -> str:
    """A one-weight formula problem with this formula for y."""
    return GRAPH.format(y=y, x1=x1, steps=steps)


def network(**changes: str) -> str:
    """Seed 004's problem file with some of its lines replaced (key = 'new line')."""
    lines = SEED_004.read_text().splitlines()
    for key, line in changes.items():
        at = next(k for k, old in enumerate(lines) if old.split("=")[0].strip() == key)
        lines[at] = line
    return "\n".join(lines) + "\n"


PROBLEMS = {  # name: (the file's text, what the message must say)
    "division by zero": (graph("w1/(x1-1)"), r"division by zero: the divisor .* is 0\.0"),
    "exp overflows": (graph("exp(x1*1000)"), r"exp leaves the floats at 1000\.0"),
    "x of 1e308": (graph("w1*x1 + x1", x1=1e308), r"leaves the floats"),
    "training diverges": (graph(x1=1e3, steps=500), r"leaves the floats"),
    "a function as a name": (graph("exp*w1"), r"exp is a function: write exp\(\.\.\.\)"),
    "a sum of 1000 terms": (graph("+".join(["w1"] * 1000)), r"2,999 characters, more than 2,000"),
    "nested 150 deep": (graph("-(" * 150 + "w1" + ")" * 150), r"nested 15\d deep, more than 100"),
    "10,000 minus signs": (graph("-" * 10_000 + "w1"), r"10,002 characters"),
    "a 400-digit number": (graph("w1*" + "9" * 400), r"too large for a float"),
    "a 5000-digit number": (graph("w1*" + "9" * 1900), r"too large for a float|cannot be read"),
    "steps 10**30": (graph(steps="1" + "0" * 30), r"'steps': expected at most 1,000"),
    "steps 10**9": (graph(steps=10**9), r"'steps': expected at most 1,000 .*got 1,000,000,000"),
    "steps 0": (graph(steps=0), r"'steps': expected a whole number >= 1, got 0"),
    "steps a string": (graph(steps='"3"'), r"'steps': expected a whole number >= 1, got '3'"),
    "steps 1.5": (graph(steps=1.5), r"'steps': expected a whole number >= 1, got 1.5"),
    "a boolean exponent": (graph("w1**True"), r"True is not a number"),
    "a name that is not one": (graph("w1*x_1"), r"'x_1' is not"),
    "a formula that is code": (graph("__import__('os')"), r"is not a known function|not allowed"),
    "an attribute": (graph("w1.real"), r"not allowed"),
    "a lambda": (graph("(lambda: 1)()"), r"not allowed|not a known function"),
    "a string constant": (graph("'a'*w1"), r"'a' is not a number"),
    "a comparison": (graph("w1 < 2"), r"not allowed"),
    "an unknown function": (graph("sin(w1)"), r"sin\(\) is not a known function"),
    "abs": (graph("abs(w1)"), r"abs\(\) is not a known function \(write \(a - b\)\*\*2"),
    "two arguments": (graph("exp(w1, 2)"), r"exp\(\) takes one argument, got 2"),
    "syntax": (graph("w1 *"), r"cannot be read at column"),
    "an undefined name": (graph("w1*q"), r"'q' is not"),
    "log of a negative": (graph("log(w1 - 1)"), r"log is undefined for -0\.5"),
    "negative base, fraction power": (graph("(w1 - 1)**0.5"), r"is not a real number"),
    "not TOML": ("title = \n[[", r"not valid TOML"),
    "an unknown key": (network(steps="stepz = 1"), r"stepz"),
    "no loss": (network(loss="# no loss"), r"loss"),
    "an unknown loss": (network(loss='loss = "mse2"'), r"'loss': expected one of .*mse2"),
    "lr negative": (network(lr="lr = -2"), r"lr"),
    "lr a string": (network(lr='lr = "2"'), r"lr"),
    "x too short": (network(x="x = [2]"), r"'x'"),
    "x a string": (network(x='x = "2, 5"'), r"'x'"),
    "x of nan": (network(x="x = [nan, 5]"), r"'x'"),
    "x of inf": (network(x="x = [inf, 5]"), r"'x'"),
    "target missing": (network(target="# none"), r"target"),
    "20,000 examples": (network(x="x = [" + ",".join(["[2, 5]"] * 20_000) + "]"),
                        r"'x': expected at most 10,000 examples"),
    "a file of 2 MB": (network(source='source = "' + "a" * 2_000_000 + '"'), r"more than the 1,000,000"),
    "mode unknown": (network(steps='mode = "stream"'), r"mode"),
    "optimizer unknown": (network(steps='optimizer = "rmsprop"'), r"optimizer"),
    "a million neurons": ('title = "big"\nx = [1, 2]\ntarget = [1]\nloss = "half-squared-error"\n'
                          '[network]\nactivation = "sigmoid"\n[[layer]]\nneurons = 1000000\n',
                          r"'layer\[1\]\.neurons': expected at most 1,000 .*got 1,000,000"),
}


LATE = {"training diverges"}  # a failure in a later step: only solve computes them all


def run(*args: str | pathlib.Path, report: bool = False) -> tuple[int, str, float]:
    """`micrograd ARGS` in this process: exit status, stderr (and stdout, with report), seconds."""
    errors, out = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(out):
        status = main([str(a) for a in args])
    return status, errors.getvalue() + (out.getvalue() if report else ""), time.perf_counter() - start


def fails_cleanly(status: int, err: str, seconds: float, message: str, expected: int = 2) -> None:
    assert "Traceback" not in err and seconds < SECONDS, (err, seconds)
    assert status == expected, err
    assert re.search(message, err), err
    assert err.startswith("micrograd: ") or expected == 1, err


@pytest.mark.parametrize("command", ["solve", "check", "draw", "lecture"])
@pytest.mark.parametrize("name", list(PROBLEMS))
def test_every_command_refuses_a_bad_problem_file_in_one_line(tmp_path, name, command):
    text, message = PROBLEMS[name]
    problem = tmp_path / "bad.toml"
    problem.write_text(text, encoding="utf-8")
    answers = tmp_path / "answers.txt"
    answers.write_text("y_hat = 0.5\n")
    args = {"solve": ("solve", problem, "--no-diagrams", "-o", tmp_path / "out"),
            "check": ("check", problem, answers), "draw": ("draw", problem, "-o", tmp_path / "g.svg"),
            "lecture": ("lecture", problem, "-o", tmp_path / "page.html")}[command]
    if name in LATE and command != "solve":
        pytest.skip("only solve runs every step (check replays the passes the answers name)")
    fails_cleanly(*run(*args), message)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())  # nothing half-written


ANSWERS = {  # an answers file for seed 004: (its text, exit status, what the message must say)
    "1E+2": ("y_hat = 1E+2\n", 1, r"y_hat = 1E\+2"),
    "1e-100000": ("y_hat = 1e-100000\n", 1, r"line 2"),
    "1e-30000000": ("y_hat = 1e-30000000\n", 1, r"line 2"),
    "a word": ("y_hat = about 0.1\n", 1, r"line 2"),
    "no equals sign": ("y_hat 0.1\n", 1, r"line 2"),
    "an unknown name": ("yhat = 0.1\nloss = 0.3879\n", 1, r"line 2: yhat .*did you mean"),
    "a pass that is not there": ("[pass 9]\ny_hat = 0.1\n", 1, r"there is no \[pass 9\]"),
    "an example that is not there": ("[example 3]\ny_hat = 0.1\n", 1, r"there is no \[example 3\]"),
    "twice": ("y_hat = 0.1192\ny_hat = 0.1192\n", 1, r"the same value as `y_hat` on line 2"),
    "empty": ("", 2, r"answers"),
    "only comments": ("# nothing\n", 2, r"answers"),
    "binary": ("\x00\x01\x02\xff", 2, r"answers|UTF-8|line 1"),
}


@pytest.mark.parametrize("name", list(ANSWERS))
def test_a_bad_answers_file_is_a_warning_or_an_error_never_a_traceback(tmp_path, name):
    text, expected, message = ANSWERS[name]
    answers = tmp_path / "answers.txt"
    if expected == 1:  # beside one good line, so that it is an answers file
        text = "loss = 0.3879\n" + text
    answers.write_bytes(text.encode() if "\xff" not in text else bytes([0, 1, 2, 255]))
    fails_cleanly(*run("check", "seed_004", answers, report=expected == 1), message, expected)


ARGUMENTS = {  # (arguments, what the message must say)
    "no such problem": (("solve", "nope.toml"), r"nope"),
    "no such answers file": (("check", "seed_004", "./nowhere_answers.txt"), r"nowhere_answers\.txt"),
    "a folder as problem": (("solve", "{tmp}"), r"problem"),
    "an unknown format": (("solve", "seed_004", "--format", "pdf"), r"pdf"),
    "lecture steps 0": (("lecture", "seed_004", "--steps", "0", "-o", "{tmp}/p.html"), r"steps"),
    "lecture steps huge": (("lecture", "seed_004", "--steps", "1000000000", "-o", "{tmp}/p.html"),
                           r"steps"),
    "lecture steps a word": (("lecture", "seed_004", "--steps", "many"), r"steps"),
    "lecture wrt unknown": (("lecture", "seed_004", "--wrt", "w99", "-o", "{tmp}/p.html"), r"w99"),
    "draw into a missing folder": (("draw", "seed_004", "-o", "{tmp}/no/such/g.svg"), r"no/such|folder"),
    "an unknown command": (("sovle", "seed_004"), r"sovle|invalid choice"),
}


@pytest.mark.parametrize("name", list(ARGUMENTS))
def test_bad_arguments_end_in_one_line_and_exit_2(tmp_path, name, capsys):
    args, message = ARGUMENTS[name]
    args = tuple(a.format(tmp=tmp_path) for a in args)
    try:
        status, err, seconds = run(*args)
    except SystemExit as exit_:  # argparse's own usage errors
        status, err, seconds = int(exit_.code or 0), capsys.readouterr().err, 0.0
        assert status == 2 and re.search(message, err) and "Traceback" not in err, err
        return
    fails_cleanly(status, err, seconds, message)


def test_the_corpus_is_large_enough():
    assert len(PROBLEMS) * 4 + len(ANSWERS) + len(ARGUMENTS) >= 150
