"""The HTML maths sets every command the solutions write: Greek letters, Δw, roots."""

import pytest

from viz.homework.problem_file import PROBLEMS, load
from viz.homework.solve import blocks
from viz.notation.document import Math
from viz.notation.mathhtml import to_html


@pytest.mark.parametrize("latex, html", [
    (r"\Delta w", "Δ<i>w</i>"),                         # one symbol, no space, as LaTeX sets it
    (r"\sqrt{0.25}", "√(0.25)"),
    (r"\beta_1", "<i>β</i><sub>1</sub>"),
    (r"\epsilon + \lambda + \mu + \gamma + \alpha", "<i>ε</i> + <i>λ</i> + <i>μ</i> + <i>γ</i> + <i>α</i>"),
])
def test_the_commands_of_momentum_adam_and_l2(latex, html):
    terms = to_html(latex).replace('<span class="t">', "").replace("</span>", "")
    assert terms.replace("\xa0", "").replace(" ", "") == html.replace(" ", "")


@pytest.mark.parametrize("name", sorted(p.stem for p in PROBLEMS.glob("*.toml") if p.stem != "template"))
def test_no_equation_of_a_shipped_solution_falls_back_to_plain_text(name):
    for block in blocks(load(PROBLEMS / f"{name}.toml")):
        if isinstance(block, Math):
            to_html(block.text.latex)  # raises Unsupported for a command it cannot set
