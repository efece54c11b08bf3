"""A worked solution as a list of blocks, written out as Markdown, LaTeX, HTML or plain text.

Every piece of text is a `T`: the same words in LaTeX (for md, tex and html) and in
plain text (for a terminal). Blocks are headings, paragraphs, display equations and
figures; the four writers below only lay them out.
"""

from __future__ import annotations

import html
import pathlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from viz.notation.mathhtml import OPERATORS, SIZES, SYMBOLS, Unsupported, to_html

FORMATS = ("md", "tex", "html")
# The HTML page's styles: large type with high contrast (it may be projected), maths set
# in a serif with stacked scripts. An equation is a row of nowrap terms (viz.notation.mathhtml): a
# long one wraps only between terms, its next lines indented. A drawing keeps its natural
# size (its text as large as Graphviz set it) across the whole window, scrolling sideways.
_STYLE = """\
body{max-width:62em;margin:2em auto;padding:0 1.5em;font:20px/1.55 system-ui,"DejaVu Sans",sans-serif;
 color:#111;background:#fff}
h1{font-size:1.7em;line-height:1.25} h2{margin-top:2em;border-bottom:2px solid #ccc} h3{margin-top:1.5em}
nav ul{list-style:none;padding:.6em 1em;background:#eef3ff;border:2px solid #2a5bd7;border-radius:6px}
nav a{color:#1a44b0;font-weight:600}
.m,.math{font-family:"STIX Two Math","Cambria Math","DejaVu Serif","Times New Roman",serif}
.math{display:block;margin:.7em 0 .7em 1.5em;padding:.15em 0 .15em 2em;text-indent:-2em;font-size:1.1em;
 overflow-x:auto;overflow-y:hidden}
.math *{text-indent:0}
.t{white-space:nowrap}
.math .plain,.m .plain{font-family:inherit}
i{font-style:italic} .rm{font-style:normal}
sub,sup{font-size:.72em;line-height:0}
.ss{display:inline-grid;vertical-align:middle;font-size:.72em;line-height:1.1;margin-left:.05em}
.ss sup,.ss sub{font-size:1em;vertical-align:baseline;line-height:1.1} .ss sup{grid-row:1} .ss sub{grid-row:2}
.frac{display:inline-flex;flex-direction:column;vertical-align:middle;text-align:center;margin:0 .15em;
 font-size:.9em}
.frac>span:first-child{border-bottom:1.5px solid currentColor;padding:0 .2em}
.mat{display:inline-block;vertical-align:middle;border-left:2px solid #111;border-right:2px solid #111;
 border-radius:.6em;padding:0 .3em;margin:0 .2em}
.mat table{border-collapse:collapse} .mat td{padding:.05em .5em;text-align:right}
code{font-size:.9em;background:#f2f2f2;padding:0 .2em}
figure{margin:1.5em 0}
figure .drawing{width:calc(100vw - 24px);margin-left:calc(50% - 50vw + 12px);overflow-x:auto;
 text-align:center;border-block:1px solid #ddd}
figure .drawing svg{max-width:none;vertical-align:top}
figcaption{font-style:italic;color:#333}
.table{overflow-x:auto;margin:1em 0}
.table table{border-collapse:collapse;font-variant-numeric:tabular-nums}
.table th,.table td{padding:.2em .8em;border-bottom:1px solid #ccc;text-align:right;white-space:nowrap}
.table th{border-bottom:2px solid #555}
@media (max-width:600px){body{font-size:17px;padding:0 .6em;margin-top:1em}
 .math{margin-left:0;padding-left:1.2em;text-indent:-1.2em}}
"""


class T(NamedTuple):
    """The same text in LaTeX and in plain text."""

    latex: str
    plain: str

    def __add__(self, other: T | str) -> T:  # type: ignore[override]
        other = T(other, other) if isinstance(other, str) else other
        return T(self.latex + other.latex, self.plain + other.plain)

    def __radd__(self, other: str) -> T:
        return T(other, other) + self


def join(parts: list[T], sep: T | str) -> T:
    """parts[0] + sep + parts[1] + ..."""
    sep = T(sep, sep) if isinstance(sep, str) else sep
    out = T("", "")
    for k, part in enumerate(parts):
        out = out + (sep if k else "") + part
    return out


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    """Words with inline maths: `text.latex` may hold $...$; `text.plain` none."""

    text: T


@dataclass
class Math:
    """One display equation (a chain of = signs reads best)."""

    text: T


@dataclass
class Figure:
    name: str      # a file beside the solution, e.g. 'network.svg'
    caption: str


@dataclass
class Table:
    """A small table of numbers, such as the outputs and the loss of every step; cells may hold $...$."""

    header: list[T]
    rows: list[list[T]]


Block = Heading | Para | Math | Figure | Table

def markdown(blocks: list[Block]) -> str:
    """Markdown with $$ LaTeX $$ maths, the seed documents' own format."""
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append("#" * b.level + " " + b.text)
        elif isinstance(b, Para):
            out.append(b.text.latex)
        elif isinstance(b, Math):
            out.append(f"$${b.text.latex}$$")
        elif isinstance(b, Table):
            lines = [b.header, *b.rows]
            cells = [" | ".join(c.latex.replace("|", r"\|") for c in line) for line in lines]
            rule = " | ".join("---" for _ in b.header)
            out.append("\n".join(f"| {c} |" for c in [cells[0], rule, *cells[1:]]))
        else:
            out.append(f"![{b.caption}]({b.name})")
    return "\n\n".join(out) + "\n"


def latex(blocks: list[Block]) -> str:
    """A complete LaTeX document (amsmath); figures are named, since LaTeX cannot include SVG by itself."""
    commands = {1: "section*", 2: "subsection*", 3: "subsubsection*", 4: "paragraph*"}
    body = []
    title = ""
    for b in blocks:
        if isinstance(b, Heading) and b.level == 1 and not title:
            title = tex_text(b.text)
        elif isinstance(b, Heading):
            body.append(f"\\{commands.get(b.level - 1, 'paragraph*')}{{{tex_text(b.text)}}}")
        elif isinstance(b, Para):
            body.append(_tex_paragraph(b.text.latex))
        elif isinstance(b, Math):
            body.append(_tex_display(b.text) if tex_maths(b.text.latex) else
                        f"\\begin{{quote}}{tex_text(b.text.plain)}\\end{{quote}}")
        elif isinstance(b, Table):
            every = [b.header, *b.rows]
            lines = [" & ".join(_tex_paragraph(c.latex) for c in line) + r" \\" for line in every]
            cols = "l" * len(b.header)
            body.append(f"\\begin{{tabular}}{{{cols}}}\n" + "\n".join([lines[0], r"\hline", *lines[1:]])
                        + "\n\\end{tabular}")
        else:
            name = tex_text(b.name)
            body.append(f"\\noindent\\textit{{{tex_text(b.caption)}: see \\texttt{{{name}}}.}}")
    head = (
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage[margin=2cm]{geometry}\n"
        f"\\title{{{title}}}\n\\date{{}}\n\\begin{{document}}\n\\maketitle\n\n"
    )
    return head + "\n\n".join(body) + "\n\n\\end{document}\n"


def html_page(
    blocks: list[Block], folder: pathlib.Path | None = None, links: Sequence[tuple[str, str]] = ()
) -> str:
    """One self-contained HTML page: maths as HTML (no MathJax, no network), figures inlined from `folder`.

    links: (href, words) pairs shown under the title, e.g. the step-through page beside it.
    """
    out, title = [], "Worked solution"
    for b in blocks:
        if isinstance(b, Heading):
            title = b.text if b.level == 1 and title == "Worked solution" else title
            out.append(f"<h{b.level}>{html.escape(b.text)}</h{b.level}>")
            if b.level == 1 and links:
                items = "".join(f'<li><a href="{html.escape(h)}">{html.escape(w)}</a></li>' for h, w in links)
                out.append(f'<nav><ul>{items}</ul></nav>')
        elif isinstance(b, Para):
            out.append("<p>" + _html_inline(b.text) + "</p>")
        elif isinstance(b, Math):
            out.append('<div class="math">' + _html_math(b.text) + "</div>")
        elif isinstance(b, Table):
            head = "".join(f"<th>{_html_inline(c)}</th>" for c in b.header)
            cells = ["".join(f"<td>{_html_inline(c)}</td>" for c in r) for r in b.rows]
            rows = "".join(f"<tr>{r}</tr>" for r in cells)
            out.append(f'<div class="table" tabindex="0"><table><thead><tr>{head}</tr></thead>'
                       f"<tbody>{rows}</tbody></table></div>")
        else:
            svg = (folder / b.name).read_text(encoding="utf-8") if folder else ""
            svg = re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", svg)
            svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg, count=2)  # HTML knows SVG: no URLs needed
            name = html.escape(b.name)
            caption = (f'{html.escape(b.caption)} (scroll sideways; <a href="{name}">{name}</a> opens it '
                       "on its own, to zoom)")
            out.append(f'<figure><div class="drawing" tabindex="0">{svg}</div>'
                       f"<figcaption>{caption}</figcaption></figure>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>\n{_STYLE}</style>\n</head>\n<body>\n" + "\n".join(out) + "\n</body>\n</html>\n"
    )


def plain(blocks: list[Block]) -> str:
    """Plain text for a terminal: headings underlined, equations indented."""
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            rule = "=" if b.level <= 2 else "-"
            out.append(b.text + "\n" + rule * len(b.text) if b.level <= 3 else b.text + ":")
        elif isinstance(b, Para):
            out.append(b.text.plain)
        elif isinstance(b, Math):
            out.append("    " + b.text.plain)
        elif isinstance(b, Table):
            lines = [[c.plain for c in line] for line in [b.header, *b.rows]]
            widths = [max(len(line[k]) for line in lines) for k in range(len(b.header))]
            text = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in lines]
            out.append("\n".join([text[0], "  ".join("-" * w for w in widths), *text[1:]]))
        else:
            out.append(f"[{b.caption}: {b.name}]")
    return "\n\n".join(out) + "\n"


def write(
    blocks: list[Block], fmt: str, folder: pathlib.Path | None = None, links: Sequence[tuple[str, str]] = ()
) -> str:
    """The blocks written out in one of FORMATS ('md', 'tex', 'html') or 'text', as one string.

    links: (file, words) of the pages an HTML page points to.
    """
    if fmt == "md":
        return markdown(blocks)
    if fmt == "tex":
        return latex(blocks)
    if fmt == "html":
        return html_page(blocks, folder, links)
    if fmt == "text":
        return plain(blocks)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


LONG = 90  # characters of plain text past which a display equation is set one `= part` a line


def _tex_display(text: T) -> str:
    """\\[ a = b = c \\], or a long chain as align*: a &= b \\\\ &= c, one side a line."""
    sides = _top_level_sides(text.latex)
    if len(text.plain) <= LONG or len(sides) < 3 or r"\quad" in text.latex:  # a list is not a chain
        return f"\\[ {text.latex} \\]"
    rows = [f"{sides[0]} &= {sides[1]}"] + [f"&= {side}" for side in sides[2:]]
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def _top_level_sides(latex: str) -> list[str]:
    """The sides of a chain a = b = c, split only at an = outside every {...} group."""
    sides, depth, start = [], 0, 0
    for k, char in enumerate(latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and latex.startswith(" = ", k):
            sides.append(latex[start:k])
            start = k + 3
    return [*sides, latex[start:]]


# Characters the plain words may hold (headings, a problem file's notes) that pdflatex cannot set as text
_TEX_CHARACTERS = {"ᵀ": "^T", "²": "^2", "σ": r"\sigma", "δ": r"\delta", "η": r"\eta", "λ": r"\lambda",
                   "θ": r"\theta", "Σ": r"\Sigma", "∂": r"\partial", "→": r"\to", "←": r"\leftarrow",
                   "ŷ": r"\hat{y}", "·": r"\cdot", "−": "-", "√": r"\surd", "Δ": r"\Delta", "μ": r"\mu",
                   "β": r"\beta", "ε": r"\epsilon", "γ": r"\gamma"}



# Plain text in LaTeX: each of TeX's ten special characters as the command that prints it.
# With ^ written \textasciicircum{}, no ^^ (TeX's notation for any character, ^^5c = \) is left.
_TEX_TEXT = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
             "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
             # not special, but the default font encoding (OT1) would print them as ¡ ¿ — ‘
             "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}", "`": r"\textasciigrave{}"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")  # a newline or a blank line would end \title's argument
# The LaTeX commands our maths may hold (viz.notation.maths, viz.homework's solutions): exactly
# what viz.notation.mathhtml reads. Maths with any other command, or with % # $ ^^ or a control
# character, is not ours (a problem file's title or source, say) and is set as text.
_MATH_COMMANDS = frozenset(SYMBOLS) | frozenset(OPERATORS) | frozenset(SIZES) | {
    r"\left", r"\right", r"\mathrm", r"\text", r"\frac", r"\tfrac", r"\hat", r"\begin", r"\end",
    "\\\\", r"\_", r"\{", r"\}", r"\%", r"\&", r"\$", r"\;", r"\!", r"\ln", r"\alpha", r"\beta",
    r"\gamma", r"\lambda", r"\mu", r"\Delta", r"\sqrt", r"\epsilon", r"\eta", r"\top"}
_MATH_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|.", re.S)


def tex_text(text: str) -> str:
    r"""`text` as LaTeX that prints exactly these characters and runs no command of its own.

    >>> print(tex_text(r"\input /etc/passwd ^^5c C:\temp"))
    \textbackslash{}input /etc/passwd \textasciicircum{}\textasciicircum{}5c C:\textbackslash{}temp
    """
    return "".join(_TEX_TEXT.get(c) or (f"${_TEX_CHARACTERS[c]}$" if c in _TEX_CHARACTERS else c)
                   for c in _CONTROL.sub(" ", text))


def tex_maths(latex: str) -> bool:
    r"""Whether `latex` is maths as our notation writes it, safe to give TeX as it is.

    >>> tex_maths(r"\frac{\partial L}{\partial w_{11}^{(1)}}"), tex_maths(r"\input{/etc/hostname}")
    (True, False)
    """
    if "^^" in latex or _CONTROL.search(latex.replace("\n", " ")):
        return False
    depth = 0
    for token in _MATH_TOKEN.findall(latex):
        if token.startswith("\\") and token not in _MATH_COMMANDS or token in ("%", "#", "$"):
            return False
        depth += (token == "{") - (token == "}")
        if depth < 0:
            return False
    environments = re.sub(r"\\(begin|end)\{[pb]matrix\}", "", latex)
    return depth == 0 and not re.search(r"\\(begin|end)(?![A-Za-z])", environments)


def _tex_paragraph(text: str) -> str:
    """A paragraph's words as text, `code` in typewriter, and its $...$ maths as maths if it is ours."""
    out = []
    for k, piece in enumerate(re.split(r"`([^`]*)`", text)):
        if k % 2:  # inside backquotes: a name or a path, set as it is (a problem file's source, say)
            out.append(rf"\texttt{{{tex_text(piece)}}}")
            continue
        for maths in re.split(r"(\$[^$]*\$)", piece):
            if maths.startswith("$") and len(maths) > 1 and tex_maths(maths[1:-1]):
                out.append(maths)
            else:
                out.append(tex_text(maths))
    return "".join(out)


def _html_inline(text: T) -> str:
    """Words with their $...$ maths as HTML, `name` in backquotes as code; else the plain text."""
    try:
        return "".join(_html_piece(p) for p in re.split(r"(\$[^$]*\$)", text.latex))
    except Unsupported:
        return html.escape(text.plain).replace("`", "")  # shown as the terminal shows it: still readable


def _html_piece(piece: str) -> str:
    if piece.startswith("$"):
        return f'<span class="m">{to_html(piece[1:-1])}</span>'
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(piece))


def _html_math(text: T) -> str:
    try:
        return to_html(text.latex)
    except Unsupported:
        return f'<span class="plain">{html.escape(text.plain)}</span>'
