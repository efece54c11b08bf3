"""README's code blocks run, its two commands are what CI and users run."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)
BASH_BLOCKS = re.findall(r"```bash\n(.*?)```", README, re.S)


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[f"block{i}" for i in range(len(PYTHON_BLOCKS))])
def test_python_block_runs_and_prints_what_its_comments_say(block):
    """Each `print(...)  # -> text` line must print text (up to a comment in parentheses)."""
    result = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    promised = [line.split("# -> ", 1)[1].split("   (")[0].strip() for line in block.splitlines()
                if line.startswith("print(") and "# -> " in line]
    assert len(printed) >= len(promised)
    for shown, claim in zip(printed, promised):
        assert shown == claim, f"README says {claim!r}, the code prints {shown!r}"


def test_readme_opens_with_two_commands_and_ci_runs_the_test_command():
    assert len(BASH_BLOCKS) >= 2
    test_command = BASH_BLOCKS[1].strip()
    assert "pytest" in test_command
    assert test_command in (ROOT / ".ci" / "run").read_text()
