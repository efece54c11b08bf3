"""Types as documentation: micrograd, nn and viz ship py.typed and type-check clean."""

import configparser
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("package", ["micrograd", "nn", "viz"])
def test_packages_ship_py_typed(package):
    assert (ROOT / package / "py.typed").is_file()
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert "py.typed" in config["options.package_data"][package]


@pytest.mark.slow
def test_mypy_is_clean_on_micrograd_nn_and_viz():
    pytest.importorskip("mypy", reason="the type check needs mypy (pip install mypy)")
    cache = str(Path(tempfile.gettempdir()) / "micrograd-lab-mypy-cache")  # not in the repo
    done = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", cache, "micrograd", "nn", "viz"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]
