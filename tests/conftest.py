"""Helpers shared by the test groups (engine/, nn/, viz/, seeds/, docs/).

pytest puts this folder on sys.path, so a test module writes ``from conftest import printed``;
``handmade`` (graphs built by hand) is importable the same way.
"""

import math
import os
from pathlib import Path

from hypothesis import settings

# The fuzzers (random graphs and problem files against PyTorch and finite differences) run on a
# fixed seed in CI, so a run there is repeatable; elsewhere each run draws new examples.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent  # the project's top folder


def printed(value: float, text: str) -> None:
    """`value` shows as `text` when rounded to the digits the document printed."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    assert abs(value - float(text)) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9), (value, text)


def truncated(value: float, text: str) -> None:
    """`value` shows as `text` when cut (not rounded) after the digits the document printed."""
    decimals = len(text.split(".")[1])
    assert abs(math.trunc(value * 10 ** decimals) / 10 ** decimals - float(text)) <= 1e-12, (value, text)
