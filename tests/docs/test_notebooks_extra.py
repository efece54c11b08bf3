"""The `notebooks` extra installs what notebooks/ import, and JupyterLab to open them."""

import configparser
import json
import re
import sys

from conftest import ROOT

# import name -> the distribution that provides it (IPython comes with the kernel)
PROVIDED_BY = {"sklearn": "scikit-learn", "IPython": "ipykernel", "matplotlib": "matplotlib", "tqdm": "tqdm",
               "numpy": "numpy", "graphviz": "graphviz"}
OURS = {"micrograd", "nn", "viz"}
IMPORT = re.compile(r"^\s*(?:from|import)\s+([\w.]+)", re.M)


def requirements(text: str) -> set[str]:
    """Distribution names of a setup.cfg requirement list (comments and versions dropped)."""
    lines = (line.split("#")[0].strip() for line in text.splitlines())
    return {re.split(r"[<>=;\[ ]", line)[0].lower() for line in lines if line}


def notebook_imports() -> set[str]:
    found = set()
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                found |= {m[1].split(".")[0] for m in IMPORT.finditer(source)}
    return found


def test_the_notebooks_extra_covers_every_import_and_opens_them():
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    extra = requirements(setup["options.extras_require"]["notebooks"])
    core = requirements(setup["options"]["install_requires"])
    third_party = notebook_imports() - OURS - set(sys.stdlib_module_names)
    assert third_party, "the notebooks import nothing: this test reads them wrong"
    for module in sorted(third_party):
        assert module in PROVIDED_BY, f"{module}: add its distribution to the notebooks extra and PROVIDED_BY"
        assert PROVIDED_BY[module].lower() in extra | core, module
    assert "jupyterlab" in extra  # README: jupyter lab notebooks/
