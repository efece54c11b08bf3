"""Numbers and labels as the drawings and derivations print them."""

from __future__ import annotations

import math
import re

DIGITS = 4  # significant digits shown by default


def number(x: float, digits: int = DIGITS) -> str:
    """`x` with `digits` significant digits, plain decimals where they read well: 0.0008989, -80, 2.5."""
    if x == 0.0 or not math.isfinite(x):
        return "0" if x == 0.0 else repr(x)
    exponent = math.floor(math.log10(abs(x)))
    if -5 <= exponent < 7:
        decimals = max(0, digits - 1 - exponent)
        text = f"{x:.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:
        mantissa, power = f"{x:.{digits - 1}e}".split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        text = f"{mantissa}e{int(power)}"
    return "0" if text in ("-0", "0") else text


_LABEL = re.compile(r"^([A-Za-z]+)_?(\d+(?:,\d+)*)?(?:\^\((\d+)\))?$")
_GREEK = {"alpha", "beta", "gamma", "delta", "sigma", "theta", "eta", "lambda", "mu"}


def latex_label(label: str) -> str:
    """A node label in LaTeX: 'w12^(1)' -> 'w_{12}^{(1)}', 'y_hat' -> '\\hat{y}', 'loss' -> '\\text{loss}'."""
    if label in ("y_hat", "yhat", "ŷ"):
        return r"\hat{y}"
    match = _LABEL.match(label)
    if not match:
        return r"\text{" + label.replace("_", r"\_").replace("^", r"\^{}") + "}"
    name, index, layer = match.groups()
    if name.lower() in _GREEK:
        name = "\\" + name
    elif len(name) > 1:
        name = r"\text{" + name + "}"
    return name + (f"_{{{index}}}" if index else "") + (f"^{{({layer})}}" if layer else "")


def latex_number(x: float, digits: int = DIGITS, paren: bool = True) -> str:
    """`number(x)` for LaTeX, e-notation as x 10^k; a negative number in parentheses (for products)."""
    text = number(x, digits)
    if "e" in text:
        mantissa, power = text.split("e")
        text = rf"{mantissa} \times 10^{{{power}}}"
    return f"({text})" if paren and text.startswith("-") else text
