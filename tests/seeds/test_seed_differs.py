"""Each seed's solution ends with "Where the document differs", read from its problem file's
`differs`, and every exact value the notes name is a number the solution itself prints.

The slips are those of ../shared/seeds/README.md: seed 001's 2|ŷ - y|, seed 002's z3,
seed 003's bias-as-input row and swapped -0.7482, seed 004's σ(24) = 0.999.
"""

import re

import pytest

from viz.homework.problem_file import load, shipped
from viz.homework.solve import text

SLIPS = {  # seed -> words its notes must hold (typed from the seeds' README)
    "seed_001": ["2|ŷ - y|", "2(ŷ - y)"],
    "seed_002": ["0.16936", "0.16396106"],
    "seed_003": ["extra input row", "-0.7482", "-0.7842"],
    "seed_004": ["0.999", "0.119623", "0.1192029", "1.4623902"],
}
EXACT = {  # seed -> exact values named in its notes that its own solution must print
    "seed_002": ["0.16396106"],
    "seed_004": ["0.1192029", "0.3879017", "-0.046239022", "-0.23119511", "2.092478", "1.4623902"],
}


@pytest.mark.parametrize("seed", sorted(SLIPS))
def test_the_solution_ends_with_where_the_document_differs(seed):
    page = text(load(shipped(seed)), fmt="md")
    head, _, notes = page.partition("## Where the document differs")
    assert notes, f"{seed}: no section"
    for words in SLIPS[seed]:
        assert words in notes, (seed, words)
    printed = set(re.findall(r"-?\d+\.\d+", head))
    for value in EXACT.get(seed, []):
        assert any(p.startswith(value) for p in printed), (seed, value)
