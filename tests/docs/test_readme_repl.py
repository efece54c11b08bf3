"""README's Python blocks paste into a plain `python` REPL, which ends an indented block at a blank line."""

import re
from codeop import CommandCompiler

import pytest
from conftest import ROOT

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def pasted(block: str) -> list[str]:
    """The lines a REPL rejects when `block` is pasted into it line by line, as its console compiles them."""
    compile_ = CommandCompiler()
    buffer: list[str] = []
    rejected = []
    for line in [*block.splitlines(), ""]:  # the user presses Enter once more at the end
        buffer.append(line)
        try:
            complete = compile_("\n".join(buffer), "<stdin>", "single")
        except SyntaxError:
            rejected.append(line)
            complete = True
        if complete:
            buffer = []
    return rejected


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_python_block_pastes_into_a_repl(block):
    assert pasted(block) == [], "add a blank line after each indented block"


def test_the_check_can_fail():
    assert pasted("for i in range(2):\n    print(i)\nprint('done')\n") == ["print('done')"]
    assert pasted("for i in range(2):\n    print(i)\n\nprint('done')\n") == []
