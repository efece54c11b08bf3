"""Every notebook runs top to bottom (nbclient), so none can rot; committed notebooks carry no outputs."""

import os
import pathlib
import sys
import time

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = pathlib.Path(__file__).parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SLOW = {"two_moons.ipynb"}  # 100 training steps over 100 points: more than 10 s with the kernel start


def _kernel_python() -> None:
    """Run the notebooks with this interpreter's kernel, whatever kernels the machine has registered."""
    from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, KernelSpecManager

    program = KernelSpecManager().get_kernel_spec(NATIVE_KERNEL_NAME).argv[0]
    # jupyter_client runs a bare "python" (or python3, python3.X) as sys.executable
    if pathlib.Path(program).is_absolute() and pathlib.Path(program) != pathlib.Path(sys.executable):
        pytest.skip(f"the python3 kernel runs {program}, not this interpreter ({sys.executable})")


def test_there_is_an_introduction_a_notebook_per_seed_and_the_training_demo():
    names = [p.name for p in NOTEBOOKS]
    assert names == ["00_introduction.ipynb"] + [f"seed_00{k}.ipynb" for k in range(5)] + ["two_moons.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", [
    pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW else p for p in NOTEBOOKS
], ids=lambda p: p.name)
def test_notebook_runs(path, tmp_path, monkeypatch):
    _kernel_python()
    # the kernel imports this checkout's packages, not whichever copy is installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
              if out.output_type == "error"]
    assert not errors
    if path.name not in SLOW:
        assert time.perf_counter() - start < 30, f"{path.name} is slow: mark it so"
