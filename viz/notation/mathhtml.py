"""The LaTeX the worked solutions write, as plain HTML: sub- and superscripts, fractions, matrices.

A solution page must read offline (a lecture hall's laptop, a USB stick), so its
maths cannot come from MathJax's CDN. The solutions use a small part of LaTeX
(viz.notation.maths and viz.homework.solution_network*), and this turns exactly that part into HTML and
Unicode that any browser shows with the page's own styles. Anything else raises
`Unsupported`, and the page shows that equation in its plain-text form instead.
"""

from __future__ import annotations

import html
import re
import unicodedata

from micrograd.engine import OPS
from viz.notation.formulas import LATEX_FUNCTIONS, symbol

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}_^&]|\s+|[A-Za-z]+|\d+(?:\.\d+)?|.", re.S)
SYMBOLS = {
    r"\cdot": "·", r"\times": "×", r"\leftarrow": "←", r"\partial": "∂", r"\sum": "Σ",
    r"\delta": "δ", r"\eta": "η", r"\sigma": "σ", r"\theta": "θ", r"\alpha": "α", r"\beta": "β",
    r"\gamma": "γ", r"\epsilon": "ε", r"\lambda": "λ", r"\mu": "μ", r"\Delta": "Δ", r"\top": "ᵀ",
    r"\quad": "\u2003", r"\qquad": "\u2003\u2003", r"\,": "\u2009", r"\ ": " ", r"\#": "#",
}
MINUS = "\u2212"  # LaTeX sets - in maths as a minus sign, not a hyphen
# A line may break only after these, between terms: after = + − · ←, and after a list's comma space.
BREAK_AFTER = ("=", "+", "-", r"\cdot", r"\leftarrow", r"\quad", r"\qquad")
PRODUCTS = (r"\cdot",)  # inside parentheses a line breaks between terms of a sum, not of a product
FRACTIONS = {("1", "2"): "½", ("1", "3"): "⅓", ("1", "4"): "¼", ("3", "4"): "¾"}  # \tfrac{1}{2}
_SUPERSCRIPT = str.maketrans("0123456789" + MINUS + "+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
SHORT = 32  # a (...) group of at most this many LaTeX characters never wraps inside
_BREAK = "\x00"  # where a line may break, between two terms
# upright words, as LaTeX sets them: its functions, and each op's symbol that is one (\ln, \tanh)
OPERATORS = tuple({"\\" + f for f in LATEX_FUNCTIONS}
                  | {t for _, t in map(symbol, OPS) if re.fullmatch(r"\\[A-Za-z]+", t) and t not in SYMBOLS})
SIZES = (r"\Big", r"\big", r"\Bigg", r"\bigg")  # a taller bracket: the same bracket here


class Unsupported(ValueError):
    """LaTeX outside the part the solutions use."""


def to_html(latex: str) -> str:
    """`latex` (maths, without $ or \\[ \\]) as HTML; raises Unsupported for what it cannot show.

    The HTML is a row of terms, each a `<span class="t">` that the page sets
    white-space:nowrap, with a space between them: a narrow screen wraps the
    equation only there, after = + − · ←, never inside a symbol or between a
    symbol and its scripts.
    """
    terms = _Reader(latex).sequence(stop=None).split(_BREAK)
    return " ".join(f'<span class="t">{t}</span>' for t in terms if t.strip(" \u00a0"))


def _glued(tokens: list[str]) -> set[int]:
    """Indices of the tokens after which a line must not break, though an operator precedes them.

    Inside a short (...) group, such as (t − ŷ), nothing breaks; inside a longer one only
    a sum breaks (after + −), so a product such as 0.1 · 0.213 stays on its line; a list
    (items joined by \\quad) breaks only between its items; a side that is a sum breaks
    only after its + and −.
    """
    glued: set[int] = set()
    opened: list[int] = []
    if r"\quad" in tokens:  # a list, x₁ = −0.7, x₂ = 1.2, ...: it breaks between items only
        glued.update(k for k, t in enumerate(tokens) if t.isspace() and k and tokens[k - 1] != r"\quad")
    for k, token in enumerate(tokens):
        if token == "(":
            opened.append(k)
        elif token == ")" and opened:
            start = opened.pop()
            if sum(len(t) for t in tokens[start:k + 1]) <= SHORT:
                glued.update(range(start, k + 1))
        elif opened and token.isspace() and k and tokens[k - 1] in PRODUCTS:
            glued.add(k)
    return glued | _products_in_sums(tokens)


def _products_in_sums(tokens: list[str]) -> set[int]:
    """Spaces after a · in a side of an equation that is a sum: 1 · 2.5 + 1 · 1.5 breaks only after +."""
    glued: set[int] = set()
    side: list[int] = []
    depth = 0
    for k, token in enumerate([*tokens, "="]):
        depth += (token == "(") - (token == ")")
        if token == "=" and depth == 0:
            if any(tokens[j] in ("+", "-") and tokens[j + 1].isspace() for j in side if j + 1 < len(tokens)):
                glued.update(j + 1 for j in side if tokens[j] in PRODUCTS and j + 1 < len(tokens))
            side = []
        elif depth == 0:
            side.append(k)
    return glued


class _Reader:
    """A recursive reader over the tokens of one formula."""

    def __init__(self, latex: str) -> None:
        self.source = latex
        self.tokens = _TOKEN.findall(latex)
        self.k = 0
        self.depth = 0  # groups entered: a break between terms is only possible at depth 0
        self.glued = _glued(self.tokens)

    def peek(self) -> str | None:
        return self.tokens[self.k] if self.k < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise Unsupported(f"the formula ends too early: {self.source!r}")
        self.k += 1
        return token

    def sequence(self, stop: str | None, cells: bool = False) -> str:
        """Atoms up to `stop` (a closing brace, or the end); in a matrix, also up to & or \\\\."""
        out = []
        self.depth += 1
        while True:
            token = self.peek()
            if token == stop or token is None:
                if token != stop:
                    raise Unsupported(f"no closing {stop!r} in {self.source!r}")
                if stop is not None:
                    self.k += 1
                break
            if cells and token in ("&", "\\\\", r"\end"):
                break
            out.append(self.atom())
        self.depth -= 1
        return "".join(out)

    def atom(self) -> str:
        """One thing to show, with the subscript and superscript that follow it."""
        base = self.single()
        sub = sup = None
        while self.peek() in ("_", "^"):
            mark = self.take()
            arg = self.argument()
            if mark == "_" and sub is None:
                sub = arg
            elif mark == "^" and sup is None:
                sup = arg
            else:
                raise Unsupported(f"a double {mark} in {self.source!r}")
        if base == "10" and sub is None and sup is not None and re.fullmatch(f"{MINUS}?\\d+", sup):
            return base + sup.translate(_SUPERSCRIPT)  # 1.396×10⁻¹¹, as viz.notation.numbers.pretty writes it
        if sub is not None and sup is not None:  # stacked as w_{11}^{(1)} is typeset; copied as w11(1)
            return f'{base}<span class="ss"><sub>{sub}</sub><sup>{sup}</sup></span>'
        if sub is not None:
            return f"{base}<sub>{sub}</sub>"
        if sup is not None:
            return f"{base}<sup>{sup}</sup>"
        return base

    def argument(self) -> str:
        """A command's or script's argument: a {group} or one token."""
        if self.peek() == "{":
            self.take()
            return self.sequence("}")
        return self.single()

    def raw(self) -> str:
        """A {group} taken as text, as \\text{ if } and \\mathrm{softmax} hold it."""
        if self.take() != "{":
            raise Unsupported(f"expected {{ in {self.source!r}")
        words = []
        while (token := self.take()) != "}":
            words.append(token)
        return html.escape("".join(words))

    def single(self) -> str:
        token = self.take()
        if token.isspace():  # a break between terms after = + - · ←; elsewhere a space that holds
            after = self.tokens[self.k - 2] if self.k >= 2 else None
            free = self.depth == 1 and self.k - 1 not in self.glued
            return _BREAK if free and after in BREAK_AFTER else "\u00a0"
        if token == "{":
            return self.sequence("}")
        if token[0].isalpha():
            return f"<i>{html.escape(token)}</i>"
        if token.startswith("\\"):
            return self.command(token)
        if token in ("}", "&", "_", "^"):
            raise Unsupported(f"a stray {token!r} in {self.source!r}")
        if token == "-":
            return MINUS
        return "′" if token == "'" else html.escape(token)

    def command(self, name: str) -> str:
        if name in (r"\partial", r"\Delta") or name in OPERATORS:
            self.skip_space()  # ∂L, Δw and log x, as LaTeX sets \partial L, \Delta w and \log x
        if name in SYMBOLS:
            symbol = SYMBOLS[name]
            return f"<i>{symbol}</i>" if symbol in "δησθαβγελμ" else symbol  # a variable: italic
        if name in OPERATORS:
            word = f'<span class="rm">{name[1:]}</span>'
            return word if self.peek() in ("(", "'", "^", "_", "[", None) else word + "\u2009"
        if name in (r"\mathrm", r"\text", r"\operatorname"):
            return f'<span class="rm">{self.raw()}</span>'
        if name in (r"\frac", r"\tfrac"):
            top, bottom = self.argument(), self.argument()
            if name == r"\tfrac" and (top, bottom) in FRACTIONS:
                return FRACTIONS[top, bottom]
            return f'<span class="frac"><span>{top}</span><span>{bottom}</span></span>'
        if name == r"\sqrt":  # √(x): the radical's bar would need more than a line of CSS
            return f"√({self.argument()})"
        if name == r"\hat":
            arg = self.argument()
            letter = re.fullmatch(r"<i>(\w)</i>", arg)  # one letter: ŷ, composed, sits right
            if letter:
                return "<i>" + unicodedata.normalize("NFC", letter[1] + "\u0302") + "</i>"
            return f'<span class="hat">{arg}\u0302</span>'
        if name in SIZES or name in (r"\left", r"\right"):
            return self.single() if self.peek() not in (None, ".") else self._skip_dot()
        if name == r"\begin":
            return self.matrix()
        raise Unsupported(f"{name} is not among the LaTeX the page can show: {self.source!r}")

    def skip_space(self) -> None:
        ahead = self.peek()
        if ahead is not None and ahead.isspace():
            self.k += 1

    def _skip_dot(self) -> str:
        if self.peek() == ".":
            self.take()
        return ""

    def matrix(self) -> str:
        """\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix} as a table between tall parentheses."""
        kind = self.raw()
        if kind not in ("pmatrix", "bmatrix"):
            raise Unsupported(f"the environment {kind!r} in {self.source!r}")
        rows: list[list[str]] = [[]]
        while True:
            rows[-1].append(self.sequence(stop=None, cells=True).strip())
            token = self.take()
            if token == "\\\\":
                rows.append([])
            elif token == r"\end":
                self.raw()
                break
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
        return f'<span class="mat {kind}"><table>{body}</table></span>'
