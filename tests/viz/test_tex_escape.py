"""`solve --format tex`: every text from a problem file reaches LaTeX as plain text, never as commands."""

import re
import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from viz.homework.problem_file import PROBLEMS, load, shipped
from viz.homework.solve import text
from viz.notation.document import Heading, Math, Para, T, latex, tex_maths, tex_text

# What each of TeX's ten special characters must become: the commands that print it.
PRINTS = {r"\textbackslash{}": "\\", r"\{": "{", r"\}": "}", r"\$": "$", r"\&": "&", r"\#": "#",
          r"\%": "%", r"\_": "_", r"\textasciicircum{}": "^", r"\textasciitilde{}": "~"}
PRINTED_RIGHT = {r"\textless{}": "<", r"\textgreater{}": ">", r"\textbar{}": "|",  # else OT1 prints ¡ ¿ —
                 r"\textasciigrave{}": "`"}
HOSTILE = {  # a problem file's title or source, and the LaTeX that prints it as written
    "input": (r"\input /etc/passwd \relax", r"\textbackslash{}input /etc/passwd \textbackslash{}relax"),
    "maths": (r"$\input{/etc/hostname}$", r"\$\textbackslash{}input\{/etc/hostname\}\$"),
    "path": (r"Files in C:\temp", r"Files in C:\textbackslash{}temp"),
    "caret": ("^^5cinput{/etc/hostname}", r"\textasciicircum{}\textasciicircum{}5cinput\{/etc/hostname\}"),
    "all ten": (r"\{}$&#%_^~", "".join(PRINTS)),
    "angles": ("a < b | c > d", r"a \textless{} b \textbar{} c \textgreater{} d"),
    "lines": ("a\n\nb", "a b"),  # a blank line would end \title's argument: the title runs on
}


def printed(latex_text: str) -> str:
    """What LaTeX prints for text made only of the escapes above: an independent decoder."""
    # characters of the solutions' words pdflatex has no glyph for are set as maths (those below U+0250)
    as_maths = {"$^2$": "²", r"$\cdot$": "·", r"$\hat{y}$": "ŷ"}
    escapes = {**PRINTS, **PRINTED_RIGHT, **as_maths}
    pattern = "|".join(re.escape(k) for k in sorted(escapes, key=len, reverse=True))
    leftover = re.sub(pattern, "", latex_text)
    assert not re.search(r"[\\{}$&#%_^~<>|`]", leftover), f"unescaped character in {latex_text!r}"
    return re.sub(pattern, lambda m: escapes[m[0]], latex_text)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_is_escaped(name):
    given_text, want = HOSTILE[name]
    assert tex_text(given_text) == want
    assert "^^" not in tex_text(given_text)


@given(st.text(alphabet=st.characters(max_codepoint=0x24F, blacklist_categories=("Cc",))))
def test_any_text_prints_as_itself(words):
    assert printed(tex_text(words)) == words


def problem_file(tmp_path, title: str, source: str):
    """Seed 000 with another title and source, as a user would write them in TOML."""
    body = shipped("seed_000").read_text().split("\n", 3)[3]  # after its comment, title and source
    quoted = [s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") for s in (title, source)]
    path = tmp_path / "hostile.toml"
    path.write_text(f'title = "{quoted[0]}"\nsource = "{quoted[1]}"\n{body}', encoding="utf-8")
    return load(path)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_title_and_source_of_a_problem_file_are_plain_text(tmp_path, name):
    given_text, want = HOSTILE[name]
    tex = text(problem_file(tmp_path, given_text, given_text), fmt="tex")
    assert f"\\title{{{want}}}" in tex
    assert f"Source: \\texttt{{{want}}}." in tex
    assert "input{/etc" not in tex and "\\input " not in tex and "\\relax" not in tex


def test_maths_that_is_not_ours_is_set_as_text():
    words = T(r"see $x^2$ and $\input{/etc/hostname}$ or `a$\def$b`", "")
    tex = latex([Heading(1, "t"), Para(words), Math(T(r"\write18{rm -rf ~}", "w"))])
    assert (r"see $x^2$ and \$\textbackslash{}input\{/etc/hostname\}\$ or "
            r"\texttt{a\$\textbackslash{}def\$b}") in tex
    assert "\\begin{quote}w\\end{quote}" in tex and "write18" not in tex


@pytest.mark.parametrize("maths, ours", [
    (r"\frac{\partial L}{\partial w_{11}^{(1)}} = \delta_{1}^{(2)} \cdot a_{1}^{(1)}", True),
    (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", True),
    (r"\mathrm{ReLU}'(z) = 1 \text{ if } z > 0", True),
    (r"\input{/etc/hostname}", False), (r"x^^5cinput", False), (r"x % comment", False),
    (r"\begin{verbatim}", False), (r"\end{document}", False), ("x}{", False),
    (r"\csname input\endcsname", False),
    (r"\text{\openin1=/etc/passwd}", False), ("x # 1", False), ("a\x0cb", False),
])
def test_which_maths_is_ours(maths, ours):
    assert tex_maths(maths) is ours


def seed_documents():
    """Every shipped problem: the seeds and the examples written for this project (adam, online, ...)."""
    return sorted(p.stem for p in PROBLEMS.glob("*.toml") if p.stem != "template")


@pytest.mark.parametrize("seed", seed_documents())
def test_every_equation_of_the_seed_solutions_is_kept_as_maths(seed):
    tex = text(load(shipped(seed)), fmt="tex")
    assert "\\begin{quote}" not in tex and "\\$" not in tex  # no maths of ours fell back to text


TEX = [program for program in ("pdflatex", "lualatex") if shutil.which(program)]


@pytest.mark.skipif(not TEX, reason="no TeX installed (pdflatex or lualatex)")
@pytest.mark.parametrize("name", list(HOSTILE) + ["seed"])
def test_the_tex_compiles_and_reads_no_file_it_should_not(tmp_path, name):
    problem = load(shipped("seed_003")) if name == "seed" else problem_file(tmp_path, *[HOSTILE[name][0]] * 2)
    (tmp_path / "solution.tex").write_text(text(problem, fmt="tex"), encoding="utf-8")
    for program in TEX:
        done = subprocess.run([program, "-interaction=nonstopmode", "-no-shell-escape", "-recorder",
                               "solution.tex"], cwd=tmp_path, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stdout.decode("utf-8", "replace")[-2000:]
        read = [line for line in (tmp_path / "solution.fls").read_text().splitlines()
                if line.startswith("INPUT") and ("/etc/passwd" in line or "/etc/hostname" in line)]
        assert read == []
        assert (tmp_path / "solution.pdf").stat().st_size > 1000
