"""Numbers as the drawings and derivations print them: short, and never rounded into a lie."""

from __future__ import annotations

import math

DIGITS = 4  # significant digits shown by default
HONEST_DIGITS = 12  # a round-looking number gets this many digits to show that it is not round
_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")


def number(x: float, digits: int = DIGITS) -> str:
    """`x` with `digits` significant digits, plain decimals where they read well: 0.0008989, -80, 2.5.

    Never a round number that x is not: where rounding drops the digits that say
    x is not round, it is shown to 12 digits, so σ(24) reads 0.999999999962.

    >>> number(-0.04623902), number(2.0), number(0.999999999962), number(1.396e-11)
    ('-0.04624', '2', '0.999999999962', '1.396e-11')
    """
    text = _rounded(x, digits)
    return _rounded(x, HONEST_DIGITS) if _looks_round(text, x, digits) else text


def pretty(x: float, digits: int = DIGITS) -> str:
    """`number(x)` for drawings and HTML: a real minus sign, and powers of ten as ×10⁻¹¹.

    >>> pretty(-0.5), pretty(1.396e-11), pretty(-2.5e8)
    ('−0.5', '1.396×10⁻¹¹', '−2.5×10⁸')
    """
    text = number(x, digits)
    if "e" in text and math.isfinite(x):
        mantissa, power = text.split("e")
        text = f"{mantissa}×10{power.translate(_SUPERSCRIPT)}"
    return text.replace("-", "−")


def _rounded(x: float, digits: int) -> str:
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


def _looks_round(text: str, x: float, digits: int) -> bool:
    """Whether `text` drops zeros that make x look rounder than it is (1 for 0.999999999962).

    One dropped zero is a rounding (2.092478 for 2.09247804); two or more, or the
    only digit, read as an exact number.
    """
    if not math.isfinite(x) or float(text) == x:
        return False
    if float(text) == 0.0:
        return True
    mantissa = text.split("e")[0].lstrip("-")
    significant = mantissa.replace(".", "").lstrip("0")
    if "." not in mantissa:
        significant = significant.rstrip("0")
    dropped = digits - len(significant)
    return dropped >= 2 or dropped >= 1 and digits <= 2
