"""The command line on this tree's code: --version, draw's default file, an ASCII terminal, answers paths."""

import configparser
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT

from viz.draw.render import find_dot

needs_dot = pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot or graphviz-pure)")


def run(*args: str, cwd, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", **env}
    return subprocess.run([sys.executable, "-m", "viz.cli", *args], cwd=cwd, capture_output=True,
                          timeout=120, env=environment)


def test_version_is_setup_cfgs(tmp_path):
    done = run("--version", cwd=tmp_path)
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    assert done.returncode == 0 and done.stdout.decode() == f"micrograd {setup['metadata']['version']}\n"


@needs_dot
def test_draw_without_o_writes_a_default_file_like_solve(tmp_path):
    done = run("draw", "seed_004", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().split() == ["seed_004_graph.svg"]
    assert ET.parse(tmp_path / "seed_004_graph.svg").getroot().tag.endswith("svg")
    done = run("draw", "seed_004", "--network", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "seed_004_network.svg").is_file()


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "ascii"},
                                 {"LANG": "C", "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}])
def test_a_terminal_that_is_not_utf8_gets_ascii(tmp_path, env):
    done = run("demo", "-o", "out", cwd=tmp_path, **env)
    assert done.returncode == 0, done.stderr.decode()
    text = done.stdout.decode("ascii")  # every byte is ASCII
    assert "    y_hat = a1^(2) = sigma(-1.99999999985) = 0.11920292" in text.splitlines()
    assert "    L = 1/2 (t - y_hat)^2 = 1/2 (1 - 0.11920292)^2 = 0.38790175" in text.splitlines()
    # the files are UTF-8 whatever the terminal
    assert "w₁₁⁽²⁾" in (tmp_path / "out" / "network.svg").read_text(encoding="utf-8")
    done = run("check", "seed_004", "nope.txt", cwd=tmp_path, **env)
    assert done.returncode == 2 and done.stderr.decode("ascii").startswith("micrograd: error: nope.txt")


def test_answers_by_path_or_by_bare_shipped_name(tmp_path):
    done = run("check", "seed_004", "./seed_004_answers.txt", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == b""
    assert b"no such answers file (a shipped answers file is found by its bare name only" in done.stderr
    done = run("check", "seed_004", "seed_004_answers.txt", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.decode().startswith("seed_004_answers.txt (shipped): 14 answers, 6 right, 8 wrong")
    # a file of that name in the folder is the one marked, not the shipped one
    (tmp_path / "seed_004_answers.txt").write_text("y_hat = 0.1192\nw99^(1) = 2\n", encoding="utf-8")
    done = run("check", "seed_004", "seed_004_answers.txt", cwd=tmp_path)
    lines = done.stdout.decode().splitlines()
    assert lines[0] == "seed_004_answers.txt: 1 answers, 1 right, 0 wrong, 1 line(s) not marked"
    assert lines[1].startswith("  warning: line 2: w99^(1) = 2: `w99^(1)` names no value of this problem")
    assert done.returncode == 1  # a line was not marked


def test_a_wrong_shaped_x_is_named_as_x(tmp_path):
    text = (ROOT / "viz/homework/problems/seed_004.toml").read_text().replace("x = [2, 5]", "x = [2, 5, 7]")
    (tmp_path / "p.toml").write_text(text)
    done = run("solve", "p.toml", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.decode().count("\n") == 1
    assert "p.toml: key 'x': expected as many numbers per example as layer 1's weights take: 2, got 3" in (
        done.stderr.decode())
