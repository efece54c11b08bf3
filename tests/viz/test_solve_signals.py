"""A SIGTERM while `micrograd solve` writes leaves no hidden .part folder, and ends it as SIGTERM does."""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT


def test_sigterm_during_solve_leaves_nothing_behind(tmp_path):
    solve = subprocess.Popen([sys.executable, "-m", "viz.cli", "solve", "seed_002", "--format", "html",
                              "-o", str(tmp_path / "out")], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    while solve.poll() is None and not any(name.endswith(".part") for name in os.listdir(tmp_path)):
        time.sleep(0.001)
    if solve.poll() is not None:
        pytest.skip("solve finished before its temporary folder was seen")
    time.sleep(0.05)  # into the writing: diagrams, the lecture page
    solve.send_signal(signal.SIGTERM)
    status, errors = solve.wait(timeout=30), solve.stderr.read()
    assert status in (128 + signal.SIGTERM, 0), errors  # 0: it had just finished
    assert not any(name.endswith(".part") for name in os.listdir(tmp_path))
    assert "Traceback" not in errors
