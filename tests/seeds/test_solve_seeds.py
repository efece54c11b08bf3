"""`solve` on each seed's problem file prints every number its document prints.

The Markdown the solver writes is parsed back (each `$$ lhs = ... = number $$` under
its step and section), and compared with numbers typed from the documents, at the
precision the document prints them. Where a document's number is not exact
(../shared/seeds/README.md), the exact value is asserted and the printed one named.
"""

import math
import re

import numpy as np
import pytest

from viz.homework.problem_file import load, shipped
from viz.homework.solve import text


def tex(name: str) -> str:
    """Our label in LaTeX, typed here independently: w12^(1) -> w_{12}^{(1)}."""
    m = re.fullmatch(r"(delta|[a-z])(\d+)\^\((\d+)\)", name)
    if m:
        head = r"\delta" if m[1] == "delta" else m[1]
        return f"{head}_{{{m[2]}}}^{{({m[3]})}}"
    return {"y_hat": r"\hat{y}", "L": "L"}.get(name) or (name[0] + "_{" + name[1:] + "}")


def grad(name: str, of: str = "L") -> str:
    return rf"\frac{{\partial {of}}}{{\partial {tex(name)}}}"


def as_number(text: str) -> float:
    text = text.strip()
    m = re.fullmatch(r"(-?[\d.]+) ?\\times ?10\^\{(-?\d+)\}", text)
    return float(m[1]) * 10 ** int(m[2]) if m else float(text)


def equations(markdown: str) -> dict:
    """{(step, section, lhs): the number the equation ends with}."""
    found, step, section = {}, 0, ""
    for line in markdown.splitlines():
        if line.startswith("## Step "):
            step = int(line.split()[2])
        elif line.startswith("### "):
            section = line[4:]
        elif line.startswith("$$") and line.endswith("$$"):
            parts = line[2:-2].split(" = ")
            try:
                found[(step, section, parts[0])] = as_number(parts[-1])
            except ValueError:
                pass  # a formula, not a result
    return found


def agrees(ours: float, printed: str) -> bool:
    """Does our number round to the document's, at the decimals it printed?"""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(ours - float(printed)) <= 0.5 * 10**-decimals + 1e-12


def solved(seed: str) -> dict:
    return equations(text(load(shipped(seed)), fmt="md"))


def assert_printed(found: dict, expected: list[tuple[int, str, str, str]]) -> None:
    missing = [(s, sec, lhs) for s, sec, lhs, _ in expected if (s, sec, lhs) not in found]
    assert not missing, f"the solution does not print {missing}"
    wrong = [(s, sec, lhs, found[(s, sec, lhs)], p) for s, sec, lhs, p in expected
             if not agrees(found[(s, sec, lhs)], p)]
    assert not wrong, wrong


F, LOSS, B, U = "Forward pass", "Loss", "Backpropagation", "Update"


def test_seed_000_every_number():
    expected = [
        (1, F, tex("z1^(1)"), "5"), (1, F, tex("z2^(1)"), "7"), (1, F, tex("a1^(1)"), "25"),
        (1, F, tex("a2^(1)"), "49"), (1, F, tex("z1^(2)"), "-1"), (1, F, tex("y_hat"), "1"),
        (1, LOSS, "L", "2"),
        (1, B, tex("delta1^(2)"), "4"), (1, B, tex("delta1^(1)"), "-80"), (1, B, tex("delta2^(1)"), "56"),
        (1, B, grad("w11^(2)"), "100"), (1, B, grad("w12^(2)"), "196"),
        (1, B, grad("w11^(1)"), "-160"), (1, B, grad("w12^(1)"), "-240"),
        (1, B, grad("w21^(1)"), "112"), (1, B, grad("w22^(1)"), "168"),
        (1, U, tex("w11^(2)"), "-3"), (1, U, tex("w12^(2)"), "-0.96"), (1, U, tex("w11^(1)"), "-0.4"),
        (1, U, tex("w12^(1)"), "5.4"), (1, U, tex("w21^(1)"), "0.88"), (1, U, tex("w22^(1)"), "-0.68"),
    ]
    assert_printed(solved("seed_000"), expected)


def test_seed_001_every_number_and_the_other_weights_by_finite_differences():
    found = solved("seed_001")
    div = r"\mathrm{Div}"
    expected = [
        (1, F, "s_{1}", "1.31"), (1, F, "h_{1}", "0.78751"), (1, F, "s_{2}", "2.94"),
        (1, F, "h_{2}", "0.9498"),
        (1, F, "s_{3}", "0.317"), (1, F, r"\hat{y}", "0.57869"), (1, F, div, "0.006192"),
        (1, "Backward pass", grad("y_hat", div), "0.15738"), (1, "Backward pass", grad("s3", div), "0.03837"),
        (1, "Backward pass", grad("h1", div), "-0.007674"),
        (1, "Backward pass", grad("s1", div), "-0.001284"),
        (1, "Backward pass", grad("w1", div), "0.0008989"),
    ]
    assert_printed(found, expected)
    # the document stops at w1; the other five against central differences of the loss itself
    x1, x2, x3, x4, y = -0.7, 1.2, 1.1, -2.0, 0.5
    w0 = np.array([-1.7, 0.1, -0.6, -1.8, -0.2, 0.5])

    def div_of(w):
        s = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
        h1, h2 = s(x1 * w[0] + x2 * w[1]), s(x3 * w[2] + x4 * w[3])
        return (s(h1 * w[4] + h2 * w[5]) - y) ** 2

    for k in range(6):
        e = np.zeros(6)
        e[k] = 1e-6
        numeric = (div_of(w0 + e) - div_of(w0 - e)) / 2e-6
        assert math.isclose(found[(1, "Backward pass", grad(f"w{k + 1}", div))], numeric, rel_tol=1e-5)


def test_seed_002_question_1_every_number_and_the_matrix_formulas():
    found = solved("seed_002")
    expected = [(1, F, tex(f"z{j}^(1)"), "0.3") for j in range(1, 5)]
    expected += [(1, F, tex(f"a{j}^(1)"), "0.2913") for j in range(1, 5)]
    expected += [(1, F, tex(f"z{j}^(2)"), "0.2165") for j in range(1, 4)]
    # the document prints z^(3) = 0.16936 (digits swapped); exact 0.163961
    expected += [(1, F, tex(f"z{j}^(3)"), "0.163961") for j in range(1, 4)]
    expected += [(1, LOSS, "L", "0.376")]
    assert_printed(found, expected)
    # every dL/dW and dL/db, and the update at lr 0.1, against the document's matrix rules
    x, y = np.array([1.0, 0, 1, 0]), np.array([0.0, 1, 0])
    W = [np.full((4, 4), 0.1), np.full((3, 4), 0.1), np.full((3, 3), 0.1)]
    b = [np.full(4, 0.1), np.full(3, 0.1), np.full(3, 0.1)]
    h1 = np.tanh(W[0] @ x + b[0])
    h2 = np.tanh(W[1] @ h1 + b[1])
    dz3 = (W[2] @ h2 + b[2]) - y                  # dL/dz3 = y_hat - y (identity output)
    dz2 = (W[2].T @ dz3) * (1 - h2**2)
    dz1 = (W[1].T @ dz2) * (1 - h1**2)
    for layer, (dz, h) in enumerate([(dz1, x), (dz2, h1), (dz3, h2)], 1):
        dW = np.outer(dz, h)
        for j in range(dW.shape[0]):
            bias = f"b{j + 1}^({layer})"
            assert math.isclose(found[(1, B, grad(bias))], dz[j], rel_tol=1e-6, abs_tol=1e-12)
            assert math.isclose(found[(1, U, tex(f"b{j + 1}^({layer})"))], 0.1 - 0.1 * dz[j], rel_tol=1e-6)
            for i in range(dW.shape[1]):
                w = f"w{j + 1}{i + 1}^({layer})"
                assert math.isclose(found[(1, B, grad(w))], dW[j, i], rel_tol=1e-6, abs_tol=1e-12)
                assert math.isclose(found[(1, U, tex(w))], 0.1 - 0.1 * dW[j, i], rel_tol=1e-6)


def test_seed_002_question_2_softmax_and_cross_entropy():
    found = solved("seed_002_q2")
    assert math.isclose(found[(1, LOSS, "L")], math.log(3), rel_tol=1e-6)
    for j, value in enumerate([1 / 3, -2 / 3, 1 / 3], 1):  # dL/dz3 = softmax(z3) - y
        assert math.isclose(found[(1, B, tex(f"delta{j}^(3)"))], value, rel_tol=1e-6)
        assert math.isclose(found[(1, LOSS, rf"\hat{{y}}_{{{j}}}")], 1 / 3, rel_tol=1e-6)
    # the deltas sum to 0 and every weight into them is 0.1: the hidden deltas are exactly 0
    hidden = [f"delta{j}^(1)" for j in range(1, 5)] + [f"delta{j}^(2)" for j in range(1, 4)]
    assert [found[(1, B, tex(d))] for d in hidden] == [0.0] * 7


def test_seed_003_two_updates():
    after = "Loss after step 1"
    expected = [
        (1, F, tex("z1^(1)"), "1.5"), (1, F, tex("a2^(1)"), "1.5"), (1, F, tex("z1^(2)"), "2.5"),
        (1, F, tex("y_hat"), "4.5"), (1, LOSS, "L", "6.125"),
        (1, B, tex("delta1^(3)"), "3.5"), (1, B, tex("delta2^(2)"), "3.5"), (1, B, tex("delta1^(1)"), "7"),
        (1, B, grad("w11^(1)"), "14"), (1, B, grad("w21^(2)"), "5.25"), (1, B, grad("w12^(3)"), "8.75"),
        (1, B, grad("b1^(1)"), "7"), (1, B, grad("b2^(2)"), "3.5"), (1, B, grad("b1^(3)"), "3.5"),
        (1, U, tex("w11^(1)"), "0.86"), (1, U, tex("w12^(2)"), "0.9475"), (1, U, tex("w11^(3)"), "0.9125"),
        (1, U, tex("b1^(1)"), "-0.57"), (1, U, tex("b2^(2)"), "-0.535"), (1, U, tex("b1^(3)"), "-0.535"),
        (1, after, tex("y_hat"), "2.4658"), (1, after, "L", "1.07422"),  # loss: README (not printed)
        (2, F, tex("z2^(1)"), "1.15"), (2, F, tex("z1^(2)"), "1.64425"), (2, F, tex("y_hat"), "2.4658"),
        (2, B, tex("delta1^(3)"), "1.4658"), (2, B, tex("delta1^(2)"), "1.3375"),
        (2, B, tex("delta2^(1)"), "2.5346"),
        (2, B, grad("w11^(1)"), "5.0691"), (2, B, grad("w22^(2)"), "1.5381"),
        (2, B, grad("w11^(3)"), "2.4101"),
        (2, U, tex("w21^(1)"), "0.8093"), (2, U, tex("w11^(2)"), "0.9321"), (2, U, tex("w12^(3)"), "0.8884"),
        (2, U, tex("b1^(1)"), "-0.595346"), (2, U, tex("b2^(2)"), "-0.548375"),
        (2, U, tex("b1^(3)"), "-0.549658"),
        # forward pass 3: the document's 1.8654 and 0.3745; README's exact 1.86544930 and 0.374501
        (2, "Loss after step 2", tex("y_hat"), "1.8654"), (2, "Loss after step 2", "L", "0.3745"),
        (2, "Loss after step 2", tex("y_hat"), "1.8654493"), (2, "Loss after step 2", "L", "0.374501"),
    ]
    assert_printed(solved("seed_003"), expected)


def test_seed_004_exact_where_the_document_rounds_sigmoid_24():
    expected = [
        (1, F, tex("z1^(1)"), "0"), (1, F, tex("z2^(1)"), "24"), (1, F, tex("a1^(1)"), "0.5"),
        # printed 0.999, -1.996, 0.119623, 0.38753, -0.04635772, 2.0927, 1.4636 (sigmoid(24) rounded to 0.999)
        (1, F, tex("a2^(1)"), "1.000"), (1, F, tex("z1^(2)"), "-2.000"),
        (1, F, tex("y_hat"), "0.1192029"), (1, LOSS, "L", "0.3879017"),
        (1, B, grad("w11^(2)"), "-0.0462390"), (1, B, grad("w12^(1)"), "-0.2311951"),
        (1, U, tex("w11^(2)"), "2.0924780"), (1, U, tex("w12^(1)"), "1.4623902"),
    ]
    assert_printed(solved("seed_004"), expected)


@pytest.mark.parametrize("seed", ["seed_000", "seed_001", "seed_002", "seed_002_q2", "seed_003", "seed_004"])
def test_every_step_has_its_sections_in_the_documents_order(seed):
    markdown = text(load(shipped(seed)), fmt="md")
    headings = [line for line in markdown.splitlines() if line.startswith("### ")]
    wanted = ["### Forward pass", "### Backward pass"] if seed == "seed_001" else \
        ["### Forward pass", "### Loss", "### Backpropagation", "### Update", "### Loss after step 1"]
    positions = [headings.index(h) for h in wanted]
    assert positions == sorted(positions)
