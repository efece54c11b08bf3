"""The `[variants]` table of a problem file: which numbers a class's variants draw, from what, and the rules.

    [variants]
    title = "A 2-2-1 sigmoid network"              # the sheets' title (default: the problem's)
    decimals = 4                                   # the sheet's decimals: answers and key
    weights = { range = [-2, 2], decimals = 1, exclude = [0] }
    biases = { range = [-1, 1], decimals = 1 }     # every bias; "layer2.biases" for one layer
    x = { set = [-2, -1, 1, 2] }
    target = { set = [0, 1] }
    # ask = ["y_hat", "loss", "dL/dw11^(1)"]       # the questions (default: the whole hand calculation)

    [variants.rules]                               # every rule is on unless switched off
    saturation = true      # no sigmoid with |z| > max_drive, no tanh with |z| > max_drive / 2
    max_drive = 4
    dead_relu = true       # no ReLU at z <= one unit of the sheet's decimals on a path asked about
    zero_gradient = true   # no asked gradient that rounds to 0 at the sheet's decimals
    division = true        # no division (or log, or negative power) by |v| < min_divisor
    min_divisor = 0.1
    tries = 1000           # draws per student before giving up (the error names the rule)

A network varies `x`, `target`, `weights`, `biases`, `layerN.weights` and `layerN.biases`;
a formula problem `inputs`, `parameters` or any one name of them. A more precise key wins.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from viz.homework.problem import Problem

RULES = ("saturation", "dead_relu", "zero_gradient", "division")
SETTINGS = ("max_drive", "min_divisor", "tries")
OWN_KEYS = ("title", "decimals", "ask", "rules")


class VariantError(ValueError):
    """A [variants] table that cannot be used, or ranges no variant can satisfy; the message says which."""


@dataclass
class Draw:
    """Where one varying number comes from: a grid lo..hi in steps of 10^-decimals, or a set."""

    key: str
    choices: list[float]

    def __call__(self, rng: random.Random) -> float:
        return rng.choice(self.choices)


@dataclass
class Rules:
    """What keeps a hand calculation sane (module docstring); each rule can be switched off."""

    saturation: bool = True
    dead_relu: bool = True
    zero_gradient: bool = True
    division: bool = True
    max_drive: float = 4.0
    min_divisor: float = 0.1
    tries: int = 1000


@dataclass
class Spec:
    """A checked [variants] table."""

    decimals: int
    draws: dict[str, Draw]
    rules: Rules = field(default_factory=Rules)
    ask: list[str] | None = None
    title: str | None = None  # the sheets' title (default: the problem's), before ", student ID"


def read(data: dict, problem: Problem, where: str) -> Spec:
    """The [variants] table of a problem file already read from TOML (`data`), checked against `problem`."""
    table = data.get("variants")
    if table is None:
        raise VariantError(f"{where}: no [variants] table: add one saying which numbers vary, e.g.\n"
                           "[variants]\ndecimals = 4\nweights = { range = [-2, 2], decimals = 1 }")
    if not isinstance(table, dict):
        raise VariantError(f"{where}: key 'variants': expected a table [variants]")
    decimals = table.get("decimals", 4)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 10:
        raise VariantError(f"{where}: key 'variants.decimals': expected a whole number 0 to 10 (the "
                           f"sheet's decimals), got {decimals!r}")
    known = keys(problem)
    draws = {}
    for key, value in table.items():
        if key in OWN_KEYS:
            continue
        if key not in known:
            raise VariantError(f"{where}: key 'variants.{key}': not a number of this problem that can vary; "
                               f"one of {', '.join(OWN_KEYS + known)}")
        draws[key] = _draw(value, f"{where}: key 'variants.{key}'", key)
    if not draws:
        raise VariantError(f"{where}: [variants] varies nothing: add e.g. "
                           f"`{known[-1]} = {{ range = [-2, 2], decimals = 1 }}`")
    ask = table.get("ask")
    if ask is not None and (not isinstance(ask, list) or not ask or not all(isinstance(a, str) for a in ask)):
        raise VariantError(f"{where}: key 'variants.ask': expected a list of answer names in quotes, "
                           f'e.g. ["y_hat", "dL/dw11^(1)"], got {ask!r}')
    title = table.get("title")
    if title is not None and not isinstance(title, str):
        raise VariantError(f"{where}: key 'variants.title': expected text in quotes, got {title!r}")
    return Spec(decimals, draws, _rules(table.get("rules", {}), f"{where}: key 'variants.rules"), ask, title)


def keys(problem: Problem) -> tuple[str, ...]:
    """The [variants] keys `problem` has, general first."""
    if problem.graph is not None:
        return ("inputs", "parameters", *problem.graph.inputs, *problem.graph.parameters)
    layers = range(1, len(problem.layers) + 1)
    per_layer = [f"layer{k}.{what}" for k in layers for what in ("weights", "biases")]
    biased = problem.layers[0].biases is not None
    return ("x", "target", "weights", *(("biases",) if biased else ()),
            *(k for k in per_layer if biased or k.endswith("weights")))


def _draw(value: object, where: str, key: str) -> Draw:
    if not isinstance(value, dict):
        raise VariantError(f"{where}: expected a table {{ range = [lo, hi], decimals = 1 }} or "
                           f"{{ set = [0, 1] }}, got {value!r}")
    unknown = set(value) - {"range", "set", "decimals", "exclude"}
    if unknown:
        words = ", ".join(sorted(unknown))
        raise VariantError(f"{where}: unknown {words}: use range, set, decimals or exclude")
    exclude = value.get("exclude", [])
    if not isinstance(exclude, list) or not all(_is_number(v) for v in exclude):
        raise VariantError(f"{where}: 'exclude' is a list of numbers, got {exclude!r}")
    if ("range" in value) == ("set" in value):
        raise VariantError(f"{where}: give either range = [lo, hi] (with decimals) or set = [...]")
    if "set" in value:
        given = value["set"]
        if not isinstance(given, list) or not given or not all(_is_number(v) for v in given):
            raise VariantError(f"{where}: 'set' is a list of numbers, got {given!r}")
        choices = [float(v) for v in given]
    else:
        span = value["range"]
        if (not isinstance(span, list) or len(span) != 2 or not all(_is_number(v) for v in span)
                or span[0] > span[1]):
            raise VariantError(f"{where}: 'range' is [lo, hi] with lo <= hi, got {span!r}")
        d = value.get("decimals", 0)
        if not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6:
            raise VariantError(f"{where}: 'decimals' is a whole number 0 to 6, got {d!r}")
        lo, hi = math.ceil(span[0] * 10**d - 1e-9), math.floor(span[1] * 10**d + 1e-9)
        if hi - lo > 1_000_000:
            raise VariantError(f"{where}: {hi - lo + 1} numbers at {d} decimals; at most 10^6")
        choices = [round(k / 10**d, d) for k in range(lo, hi + 1)]
    choices = [c for c in choices if not any(math.isclose(c, e, abs_tol=1e-12) for e in exclude)]
    if not choices:
        raise VariantError(f"{where}: no number left to draw (the range or set is empty after 'exclude')")
    return Draw(key, choices)


def _rules(table: object, where: str) -> Rules:
    if not isinstance(table, dict):
        raise VariantError(f"{where}': expected a table [variants.rules]")
    rules = Rules()
    for key, value in table.items():
        if key in RULES:
            if not isinstance(value, bool):
                raise VariantError(f"{where}.{key}': expected true or false, got {value!r}")
        elif key in SETTINGS:
            whole = key == "tries"
            ok = (isinstance(value, int) if whole else _is_number(value)) and not isinstance(value, bool)
            if not ok or value <= 0:
                what = "a whole number" if whole else "a number"
                raise VariantError(f"{where}.{key}': expected {what} > 0, got {value!r}")
        else:
            raise VariantError(f"{where}.{key}': unknown: one of {', '.join(RULES + SETTINGS)}")
        setattr(rules, key, value)
    return rules


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)

