"""The documents' notation for the worked solutions: symbols, numbers, products, matrices, as `T` pairs."""

from __future__ import annotations

import re

from viz.document import T, join
from viz.format import number

DIGITS = 8  # significant digits in a worked solution: enough for every number the documents print
ZERO = 1e-14  # below this a result is rounding noise of sums that cancel
TIMES = T(r" \cdot ", " · ")
ACTIVATION_NAMES = {  # f(z) as the documents write it
    "sigmoid": T(r"\sigma", "σ"),
    "tanh": T(r"\tanh", "tanh"),
    "relu": T(r"\mathrm{ReLU}", "ReLU"),
    "square": T(r"\sigma", "σ"),
}
DERIVATIVES = {  # f'(z), written as the documents do
    "sigmoid": T(r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))", "σ'(z) = σ(z)(1 - σ(z))"),
    "tanh": T(r"\tanh'(z) = 1 - \tanh^2(z)", "tanh'(z) = 1 - tanh²(z)"),
    "relu": T(r"\mathrm{ReLU}'(z) = 1 \text{ if } z > 0 \text{, else } 0", "ReLU'(z) = 1 if z > 0, else 0"),
    "square": T(r"\sigma(z) = z^2,\quad \sigma'(z) = 2z", "σ(z) = z², σ'(z) = 2z"),
    "linear": T(r"f(z) = z,\quad f'(z) = 1", "f(z) = z, f'(z) = 1"),
}
_LABEL = re.compile(r"^(w|b|z|a|x|t|delta)(\d+)(?:,(\d+))?(?:\^\((\d+)\))?$")


def num(x: float, digits: int = DIGITS) -> T:
    """A number as printed in a result: -0.04623902; float noise below 1e-14 prints as 0."""
    if abs(x) < ZERO:  # e.g. (1/3 - 2/3 + 1/3) * 0.1 = -1.3e-17: the exact value is 0
        x = 0.0
    text = number(x, digits)
    if "." not in text and "e" not in text and abs(x - round(x)) > 1e-13 * max(1.0, abs(x)):
        text = number(x, 12)  # sigmoid(24) = 0.999999999962, not 1: show that it is not whole
    if "e" in text:
        mantissa, power = text.split("e")
        return T(rf"{mantissa} \times 10^{{{power}}}", text)
    return T(text, text)


def fac(x: float, digits: int = DIGITS) -> T:
    """A number as a factor or a later term: negatives in parentheses, (-2) · 2."""
    t = num(x, digits)
    return T(f"({t.latex})", f"({t.plain})") if t.plain.startswith("-") else t


def sym(label: str) -> T:
    """A node label in the documents' notation: 'w12^(1)' -> w_{12}^{(1)}, 'y_hat2' -> \\hat{y}_{2}."""
    if label == "loss":
        return T("L", "L")
    m = re.fullmatch(r"y_hat(\d*)", label)
    if m:
        sub = f"_{{{m[1]}}}" if m[1] else ""
        return T(r"\hat{y}" + sub, "ŷ" + m[1])
    m = _LABEL.match(label)
    if m:
        name, j, i, layer = m.groups()
        index = f"{j},{i}" if i else j
        head = r"\delta" if name == "delta" else name
        latex = f"{head}_{{{index}}}" + (f"^{{({layer})}}" if layer else "")
        plain = ("δ" if name == "delta" else name) + index + (f"^({layer})" if layer else "")
        return T(latex, plain)
    m = re.fullmatch(r"([A-Za-z]+)_?(\d*)", label)
    if m:
        name, index = m.groups()
        head = name if len(name) == 1 else r"\mathrm{" + name + "}"
        return T(head + (f"_{{{index}}}" if index else ""), label)
    return T(r"\mathrm{" + label.replace("_", r"\_") + "}", label)


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
