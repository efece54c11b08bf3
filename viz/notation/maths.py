"""The documents' notation for the worked solutions: symbols, numbers, products, matrices, as `T` pairs."""

from __future__ import annotations

import re
import sys

from micrograd import Value
from micrograd.engine import OPS
from nn.activations import ACTIVATIONS
from viz.notation.document import T, join
from viz.notation.formulas import (
    DOCUMENT,
    DOCUMENT_LATEX,
    LATEX_FUNCTIONS,
    entry,
    is_function,
    symbol,
    write,
)
from viz.notation.names import typeset
from viz.notation.numbers import number

DIGITS = 8  # significant digits in a worked solution: enough for every number the documents print
TIMES = T(r" \cdot ", " · ")
LINEAR = T(r"f(z) = z,\quad f'(z) = 1", "f(z) = z, f'(z) = 1")


def derivative(op: str) -> T:
    """f'(z) of an activation, given by its op ('sigmoid', '**2'), as the documents write it.

    Read from the engine's table: σ'(z) = σ(z)(1 - σ(z)); an op that is not a function
    of its own name is the documents' σ: σ(z) = z², σ'(z) = 2z.
    """
    e = entry(op, 1)
    if e is None:
        return T(rf"\mathrm{{{op}}}'(z)", f"{op}'(z)")
    names = e.names(["z"], f"{op}(z)")
    text, latex = (write(e.written[0], names, s, derived=True) for s in (DOCUMENT, DOCUMENT_LATEX))
    if is_function(e.key):
        name, tex = symbol(e.key)
        return T(f"{tex}'(z) = {latex}", f"{name}'(z) = {text}")
    value, value_tex = (write(e.value, names, s) for s in (DOCUMENT, DOCUMENT_LATEX))
    return T(rf"\sigma(z) = {value_tex},\quad \sigma'(z) = {latex}", f"σ(z) = {value}, σ'(z) = {text}")


# f'(z) of each of nn's activations by name, as written on a worked solution
DERIVATIVES = {name: derivative(a.function(Value(1.0)).op) if a.function else LINEAR
               for name, a in ACTIVATIONS.items()}
_LABEL = re.compile(r"^(w|b|z|a|x|t|delta)(\d+)(?:,(\d+))?(?:\^\((\d+)\))?$")


def num(x: float, digits: int = DIGITS) -> T:
    """A number as printed in a result, honest as viz.notation.numbers.number: σ(24) = 0.999999999962, not 1.

    In LaTeX a power of ten reads 1.3964687\\times10^{-11} (in HTML 1.3964687×10⁻¹¹).
    """
    text = number(x, digits)
    if "e" in text:
        mantissa, power = text.split("e")
        return T(rf"{mantissa}\times10^{{{power}}}", text)
    return T(text, text)


def cancelled(total: float, terms: list[float]) -> float:
    """`total`, or exactly 0 where it is only the rounding error of terms that cancel.

    1/3·0.1 − 2/3·0.1 + 1/3·0.1 is 0, but floats give −1.3×10⁻¹⁷; a total within the
    error bound of its sum (a few ulps of the terms' magnitudes) is 0 on the page.
    """
    bound = 4 * len(terms) * sys.float_info.epsilon * sum(abs(t) for t in terms)
    return 0.0 if abs(total) <= bound else total


def fac(x: float, digits: int = DIGITS) -> T:
    """A number as a factor or a later term: negatives in parentheses, (-2) · 2."""
    t = num(x, digits)
    return T(f"({t.latex})", f"({t.plain})") if t.plain.startswith("-") else t


def sym(label: str) -> T:
    """A node label as viz.notation.names.typeset names it, in LaTeX, and as a terminal prints it.

    'w12^(1)' -> w_{12}^{(1)} and w12^(1); 'y_hat2' -> \\hat{y}_{2} and ŷ2; 'loss' -> L.
    """
    latex = latex_name(typeset(label))
    if label == "loss":
        return T(latex, "L")
    m = re.fullmatch(r"y_hat(\d*)", label)
    if m:
        return T(latex, "ŷ" + m[1])
    m = _LABEL.match(label)
    if m and m[1] == "delta":
        return T(latex, "δ" + label[len("delta"):])
    return T(latex, label)


def partial(of: T, by: T) -> T:
    """dL/dw as a fraction."""
    return T(rf"\frac{{\partial {of.latex}}}{{\partial {by.latex}}}", f"∂{of.plain}/∂{by.plain}")


def product(factors: list[T]) -> T:
    """a · b · c."""
    return join(factors, TIMES)


def chain(*parts: T) -> T:
    """a = b = c, skipping repeats (a linear output's z = a, for instance)."""
    kept: list[T] = []
    for p in parts:
        if not kept or p.plain != kept[-1].plain:
            kept.append(p)
    return join(kept, " = ")


def matrix(rows: list[list[float]], digits: int = DIGITS) -> T:
    """A pmatrix in LaTeX, [[a, b], [c, d]] in plain text."""
    latex = r" \\ ".join(" & ".join(num(v, digits).latex for v in row) for row in rows)
    plain = "[" + ", ".join("[" + ", ".join(num(v, digits).plain for v in row) + "]" for row in rows) + "]"
    return T(r"\begin{pmatrix} " + latex + r" \end{pmatrix}", plain)


def column(values: list[float], digits: int = DIGITS) -> T:
    """A column vector."""
    t = matrix([[v] for v in values], digits)
    return T(t.latex, "(" + ", ".join(num(v, digits).plain for v in values) + ")ᵀ")


_GREEK_LATEX = {"α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "η": r"\eta", "θ": r"\theta",
                "λ": r"\lambda", "μ": r"\mu", "σ": r"\sigma"}
# a word in a name that LaTeX sets upright as a function: \ln, \tanh, and each op's own symbol
_FUNCTIONS = {f: "\\" + f for f in LATEX_FUNCTIONS} | dict(symbol(k) for k in OPS if is_function(k))
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾"
_NAME_TOKEN = re.compile(
    rf"[A-Za-z]+\u0302?|ŷ|[{_SUBSCRIPTS},]*[{_SUBSCRIPTS}]|[{_SUPERSCRIPTS}]+|×10|\d+(?:\.\d+)?|\s+|.")


def latex_name(name: str) -> str:
    """A name from viz.notation.names.node_names in LaTeX: '(ŷ − t)²' -> '(\\hat{y} - t)^{2}'.

    'w₁₂⁽¹⁾' -> 'w_{12}^{(1)}', '½ (ŷ − t)²' -> '\\tfrac{1}{2} (\\hat{y} - t)^{2}', 'Div' -> '\\mathrm{Div}',
    '1.396×10⁻¹¹' -> '1.396\\times10^{-11}', '#12' -> '\\#12'.
    """
    out = []
    for token in _NAME_TOKEN.findall(name):
        if token[0] in _SUBSCRIPTS or token[0] == ",":
            out.append("_{" + token.translate(str.maketrans(_SUBSCRIPTS, "0123456789")) + "}")
        elif token[0] in _SUPERSCRIPTS:
            out.append("^{" + token.translate(str.maketrans(_SUPERSCRIPTS, "0123456789-+()")) + "}")
        elif token == "ŷ":
            out.append(r"\hat{y}")
        elif token.endswith("\u0302"):
            out.append(r"\hat{" + _word(token[:-1]) + "}")
        elif token[0].isalpha() and token.isascii():
            out.append(_word(token))
        else:
            out.append({"−": "-", "·": r" \cdot ", "½": r"\tfrac{1}{2}", "×10": r"\times10", "#": r"\#",
                        "^": "^", "_": r"\_"}.get(token, _GREEK_LATEX.get(token, token)))
    return "".join(out)


def _word(word: str) -> str:
    """A letter in italics, a function upright (\\ln), any other word upright (\\mathrm{Div})."""
    if len(word) == 1:
        return word
    return _FUNCTIONS.get(word, r"\mathrm{" + word + "}")
