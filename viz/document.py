"""A worked solution as a list of blocks, written out as Markdown, LaTeX, HTML or plain text.

Every piece of text is a `T`: the same words in LaTeX (for md, tex and html) and in
plain text (for a terminal). Blocks are headings, paragraphs, display equations and
figures; the four writers below only lay them out.
"""

from __future__ import annotations

import html
import pathlib
import re
from dataclasses import dataclass
from typing import NamedTuple

FORMATS = ("md", "tex", "html")


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


Block = Heading | Para | Math | Figure


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
            title = _tex_escape(b.text)
        elif isinstance(b, Heading):
            body.append(f"\\{commands.get(b.level - 1, 'paragraph*')}{{{_tex_escape(b.text)}}}")
        elif isinstance(b, Para):
            body.append(_tex_paragraph(b.text.latex))
        elif isinstance(b, Math):
            body.append(f"\\[ {b.text.latex} \\]")
        else:
            name = _tex_escape(b.name)
            body.append(f"\\noindent\\textit{{{_tex_escape(b.caption)}: see \\texttt{{{name}}}.}}")
    head = (
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage[margin=2cm]{geometry}\n"
        f"\\title{{{title}}}\n\\date{{}}\n\\begin{{document}}\n\\maketitle\n\n"
    )
    return head + "\n\n".join(body) + "\n\n\\end{document}\n"


def html_page(blocks: list[Block], folder: pathlib.Path | None = None) -> str:
    """One HTML page, figures inlined from `folder`; MathJax typesets the maths when online."""
    out, title = [], "Worked solution"
    for b in blocks:
        if isinstance(b, Heading):
            title = b.text if b.level == 1 and title == "Worked solution" else title
            out.append(f"<h{b.level}>{html.escape(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            out.append("<p>" + _html_inline(b.text.latex) + "</p>")
        elif isinstance(b, Math):
            out.append('<div class="math">\\[' + html.escape(b.text.latex) + "\\]</div>")
        else:
            svg = (folder / b.name).read_text(encoding="utf-8") if folder else ""
            svg = re.sub(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", "", svg)
            out.append(f"<figure>{svg}<figcaption>{html.escape(b.caption)}</figcaption></figure>")
    mathjax = '<script async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>'
    style = "body{max-width:60em;margin:2em auto;font-family:sans-serif} svg{max-width:100%;height:auto}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{style}</style>\n{mathjax}\n</head>\n<body>\n" + "\n".join(out) + "\n</body>\n</html>\n"
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
        else:
            out.append(f"[{b.caption}: {b.name}]")
    return "\n\n".join(out) + "\n"


def render(blocks: list[Block], fmt: str, folder: pathlib.Path | None = None) -> str:
    """The blocks in one of FORMATS ('md', 'tex', 'html') or 'text'."""
    if fmt == "md":
        return markdown(blocks)
    if fmt == "tex":
        return latex(blocks)
    if fmt == "html":
        return html_page(blocks, folder)
    if fmt == "text":
        return plain(blocks)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def _tex_escape(text: str) -> str:
    return re.sub(r"([#%&_{}$])", r"\\\1", text).replace("^", r"\^{}")


def _tex_paragraph(text: str) -> str:
    """Escape the words of a paragraph but not its $...$ maths."""
    pieces = re.split(r"(\$[^$]*\$)", text)
    return "".join(p if p.startswith("$") else _tex_escape(p) for p in pieces)


def _html_inline(text: str) -> str:
    pieces = re.split(r"(\$[^$]*\$)", text)
    return "".join(
        "\\(" + html.escape(p[1:-1]) + "\\)" if p.startswith("$") else html.escape(p).replace("`", "")
        for p in pieces
    )
