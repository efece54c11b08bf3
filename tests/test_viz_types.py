"""viz type-checks clean with mypy: its type hints are part of its documentation."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).parent.parent


@pytest.mark.slow
def test_mypy_finds_no_error_in_viz():
    pytest.importorskip("mypy")
    done = subprocess.run([sys.executable, "-m", "mypy", "viz"], cwd=ROOT, capture_output=True, text=True)
    # mypy follows viz's imports into micrograd and nn, which are checked on their own
    errors = [line for line in done.stdout.splitlines() if line.startswith("viz") and ": error:" in line]
    assert errors == [], "\n".join(errors)
    assert "Found" in done.stdout or "Success" in done.stdout, done.stdout + done.stderr
