"""README's shell blocks, run as a new user would: the first command in a fresh copy and venv."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASH_BLOCKS = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory) -> Path:
    """The files git tracks (as they are now), copied into an empty folder: no venv, no build."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    copy = tmp_path_factory.mktemp("checkout")
    for name in files:
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    return copy


@pytest.mark.slow
def test_first_command_installs_and_solves_the_worked_example(fresh_copy):
    result = subprocess.run(["bash", "-c", BASH_BLOCKS[0]], cwd=fresh_copy, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    # seed 004's exact loss and the gradient the sheet asks for (seeds/README.md)
    for exact in ("0.3879017", "-0.046239", "2.092478", "1.4623902"):
        assert exact in result.stdout
    for name in ("solution.md", "network.svg", "graph.svg"):
        assert (fresh_copy / "micrograd-demo" / name).stat().st_size > 0


@pytest.mark.slow
def test_the_cli_examples_run_in_that_venv(fresh_copy, tmp_path):
    venv_bin = fresh_copy / ".venv" / "bin"
    if not (venv_bin / "micrograd").exists():
        pytest.skip("needs the venv made by the first command's test")
    env = dict(os.environ, PATH=f"{venv_bin}{os.pathsep}{os.environ['PATH']}")
    cli_block = next(b for b in BASH_BLOCKS[2:] if b.startswith("micrograd "))
    for line in cli_block.strip().splitlines():
        command = line.split("#")[0].strip()
        result = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True,
                                text=True, timeout=300)
        # check exits 1 when an answer is wrong: seed 004's sheet has eight
        assert result.returncode in ((0, 1) if " check " in f" {command} " else (0,)), result.stderr
        assert result.stdout or list(tmp_path.iterdir())
    assert (tmp_path / "out" / "solution.md").exists() and (tmp_path / "graph.svg").exists()
