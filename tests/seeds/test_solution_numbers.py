"""No number on a worked solution page is a rounding lie: each agrees with the exact value.

Every seed's solution.html is read as a reader sees it (the text of each equation, by
step and section). The exact values come from an independent solver in mpmath at 40
digits (the problem file's network, forward, the delta rule, the update), not from the
engine. A number must be the exact value rounded at the digits it shows, and when it
shows fewer significant digits than asked for with two or more dropped (2 for
1.99999999985, or 0), the exact value must be that number: σ(24) = 0.999999999962
may not read 1. The equation's result, and every number of a drive's or gradient's
number part (matched to its symbols one by one), is checked.
"""

import html.parser
import re

import mpmath
import pytest

from viz.homework.problem_file import load, shipped
from viz.homework.solve import blocks
from viz.notation.document import write
from viz.notation.maths import DIGITS

mp = mpmath.mp
NETWORKS = ["seed_000", "seed_002", "seed_002_q2", "seed_003", "seed_004"]
NUMBER = re.compile(r"−?\d+(?:\.\d+)?(?:×10[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?")
SYMBOL = re.compile(r"(?:′?[a-zδ]\d+(?:\(\d+\))?|ŷ\d*)(?![\d(])")
SLOPE = re.compile(r"[^\s(]*′\((z\d+\(\d+\))\)")  # σ′(z1(2)), tanh′(z1(2)): the symbol ′z1(2)
SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
# The engine's own error: σ′(24) = a(1 − a) in floats keeps only ~6 digits (1 − a cancels), so
# a number may differ from the exact value by this much besides its rounding. A round-looking
# number gets no such slack: 1 for σ(24) is off by 4×10⁻¹¹, far more than float noise.
FLOAT = mp.mpf("1e-6")


class _Equations(html.parser.HTMLParser):
    """(step, section, text) of each display equation, its text as a reader sees it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[int, str, str]] = []
        self.step, self.section = 0, ""
        self._heading: list[str] | None = None
        self._math: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3"):
            self._heading = []
        if self._math is not None:
            self._depth += 1
        elif tag == "div" and ("class", "math") in attrs:
            self._math, self._depth = [], 1

    def handle_endtag(self, tag):
        if tag in ("h2", "h3") and self._heading is not None:
            words = "".join(self._heading)
            if tag == "h2" and words.startswith("Step "):
                self.step, self.section = int(words.split()[1]), ""
            elif tag == "h3":
                self.section = words
            self._heading = None
        if self._math is not None:
            self._depth -= 1
            if self._depth == 0:
                self.found.append((self.step, self.section, "".join(self._math).replace("\u00a0", " ")))
                self._math = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)
        if self._math is not None:
            self._math.append(data)


def equations(seed: str) -> list[tuple[int, str, str]]:
    page = _Equations()
    page.feed(write(blocks(load(shipped(seed))), "html"))
    return page.found


def value(text: str) -> mpmath.mpf:
    """A number as the page prints it: −0.5, 1.3964687×10⁻¹¹."""
    mantissa, _, power = text.replace("−", "-").partition("×10")
    return mp.mpf(mantissa) * mp.mpf(10) ** int(power.translate(SUPERSCRIPT)) if power else mp.mpf(mantissa)


def lie(text: str, exact, digits: int = DIGITS) -> str | None:
    """Why `text` misstates `exact`, or None: a wrong rounding, or a round number that exact is not."""
    mantissa = text.replace("−", "").partition("×10")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    scale = mp.mpf(10) ** int(text.partition("×10")[2].translate(SUPERSCRIPT) or 0)
    shown = value(text)
    if abs(shown - exact) > mp.mpf("0.5000001") * mp.mpf(10) ** -decimals * scale + FLOAT * abs(exact):
        return f"{text} is not {mpmath.nstr(exact, 15)} rounded"
    significant = len(mantissa.replace(".", "").lstrip("0"))
    if "." not in mantissa:
        significant = len(mantissa.lstrip("0").rstrip("0"))
    looks_exact = shown == 0 or digits - significant >= 2
    if looks_exact and abs(shown - exact) > mp.mpf(10) ** -12 * abs(exact) + mp.mpf(10) ** -30:
        return f"{text} looks exact but the value is {mpmath.nstr(exact, 15)}"
    return None


ACTIVATIONS = {
    "sigmoid": (lambda z: 1 / (1 + mp.exp(-z)), lambda z, a: a * (1 - a)),
    "tanh": (mp.tanh, lambda z, a: 1 - a * a),
    "relu": (lambda z: max(z, 0), lambda z, a: mp.mpf(1 if z > 0 else 0)),
    "square": (lambda z: z * z, lambda z, a: 2 * z),
    "linear": (lambda z: z, lambda z, a: mp.mpf(1)),
}


def exact_network(problem) -> list[dict[tuple[str, str], object]]:
    """Per step, {(section kind, page name): exact value}: 'f' forward and loss, 'b' backward, 'u' update."""
    mp.dps = 40
    assert len(problem.x) == 1, "the seeds have one example each"
    weights = [[[mp.mpf(w) for w in row] for row in layer.weights] for layer in problem.layers]
    biases = [[mp.mpf(b) for b in layer.biases] if layer.biases is not None else None
              for layer in problem.layers]
    x, t = [mp.mpf(v) for v in problem.x[0]], [mp.mpf(v) for v in problem.target[0]]
    count = len(problem.layers)
    steps = []
    for _ in range(max(problem.steps, 1) + 1):
        known = {("f", f"x{i}"): v for i, v in enumerate(x, 1)}
        for l in range(count):
            for j, row in enumerate(weights[l], 1):
                known |= {("f", f"w{j}{i}({l + 1})"): w for i, w in enumerate(row, 1)}
                if biases[l] is not None:
                    known["f", f"b{j}({l + 1})"] = biases[l][j - 1]
        h, zs, acts = x, [], []
        for l, layer in enumerate(problem.layers, 1):
            f = ACTIVATIONS[layer.activation][0]
            z = [sum(w * a for w, a in zip(row, h)) + (biases[l - 1][j] if biases[l - 1] else 0)
                 for j, row in enumerate(weights[l - 1])]
            h = [f(v) for v in z]
            zs.append(z)
            acts.append(h)
            for j, (zj, aj) in enumerate(zip(z, h), 1):
                known["f", f"z{j}({l})"], known["f", f"a{j}({l})"] = zj, aj
                known["b", f"′z{j}({l})"] = ACTIVATIONS[layer.activation][1](zj, aj)  # σ′(z) on the page
        y = h
        if problem.loss == "cross-entropy":
            top = sum(mp.exp(v) for v in y)
            y = [mp.exp(v) / top for v in y]
            loss = -sum(tk * mp.log(yk) for tk, yk in zip(t, y))
            delta_out = [yk - tk for yk, tk in zip(y, t)]
        else:
            scale = {"half-squared-error": mp.mpf(1) / 2, "squared-error": 1}[problem.loss]
            loss = scale * sum((yk - tk) ** 2 for yk, tk in zip(y, t))
            prime = ACTIVATIONS[problem.layers[-1].activation][1]
            delta_out = [2 * scale * (yk - tk) * prime(zk, ak)
                         for yk, tk, zk, ak in zip(y, t, zs[-1], acts[-1])]
        for k, yk in enumerate(y, 1):
            known["f", "ŷ" + (str(k) if len(y) > 1 else "")] = yk
        known["f", "L"] = loss
        deltas = [None] * count
        deltas[-1] = delta_out
        for l in range(count - 2, -1, -1):
            prime = ACTIVATIONS[problem.layers[l].activation][1]
            deltas[l] = [sum(deltas[l + 1][k] * weights[l + 1][k][j] for k in range(len(weights[l + 1])))
                         * prime(zs[l][j], acts[l][j]) for j in range(len(zs[l]))]
        for l in range(count):
            inputs = x if l == 0 else acts[l - 1]
            for j, d in enumerate(deltas[l], 1):
                known["b", f"δ{j}({l + 1})"] = d
                for i, a in enumerate(inputs, 1):
                    known["b", f"∂L∂w{j}{i}({l + 1})"], known["b", f"a{i}({l})" if l else f"x{i}"] = d * a, a
                    known["u", f"w{j}{i}({l + 1})"] = weights[l][j - 1][i - 1] - problem.lr * d * a
                if biases[l] is not None:
                    known["b", f"∂L∂b{j}({l + 1})"] = d
                    known["u", f"b{j}({l + 1})"] = biases[l][j - 1] - problem.lr * d
        for l in range(count):
            for j, d in enumerate(deltas[l]):
                inputs = x if l == 0 else acts[l - 1]
                weights[l][j] = [w - problem.lr * d * a for w, a in zip(weights[l][j], inputs)]
                if biases[l] is not None:
                    biases[l][j] -= problem.lr * d
        known |= {("b", name): v for (kind, name), v in known.items() if kind == "f" and name[0] in "azxwb"}
        steps.append(known)
    return steps


def kind(section: str) -> str:
    return {"Backpropagation": "b", "Update": "u"}.get(section, "f")


@pytest.mark.parametrize("seed", NETWORKS)
def test_every_result_and_every_factor_of_a_network_solution_is_honest(seed):
    steps = exact_network(load(shipped(seed)))
    checked, wrong = 0, []
    for step, section, eq in equations(seed):
        if not step:
            continue  # the given values, as the file writes them
        parts = [p.strip() for p in eq.split(" = ")]
        later = section.startswith("Loss after")
        known = steps[step] if later else steps[step - 1]
        result = known.get((kind(section), parts[0]))
        if result is not None and NUMBER.fullmatch(parts[-1]):
            checked += 1
            if why := lie(parts[-1], result):
                wrong.append((step, section, parts[0], why))
        if len(parts) >= 4:  # symbols = numbers: w11(2) a1(1) + ... = 2 · 0.5 + ...
            symbols, numbers = SYMBOL.findall(SLOPE.sub(r"′\1", parts[-3])), NUMBER.findall(parts[-2])
            if len(symbols) == len(numbers) > 1 and all((kind(section), s) in known for s in symbols):
                for s, text in zip(symbols, numbers):
                    checked += 1
                    if why := lie(text, known[kind(section), s]):
                        wrong.append((step, section, parts[0], s, why))
    assert not wrong, wrong
    assert checked >= 20, f"only {checked} numbers of {seed} were checked"


def test_seed_004_shows_sigma_24_as_it_is_not_as_1():
    found = [eq for _, _, eq in equations("seed_004")]
    assert "a2(1) = σ(24) = 0.999999999962" in found
    drive = next(eq for eq in found if eq.startswith("z1(2) = "))
    assert "(−4) · 0.999999999962 + 1 = −1.99999999985" in drive
    assert lie("1", mp.mpf(1) / (1 + mp.exp(-24))) is not None  # the test would catch the old page


def test_a_cancelling_sum_is_exactly_0_and_the_exact_value_is_0():
    # seed 002 q2: the output deltas 1/3, -2/3, 1/3 times equal weights 0.1 cancel in every hidden delta
    steps = exact_network(load(shipped("seed_002_q2")))
    assert abs(steps[0]["b", "δ1(2)"]) < mp.mpf(10) ** -35
    found = [eq for _, section, eq in equations("seed_002_q2") if section == "Backpropagation"]
    assert any(eq.startswith("δ1(2) = ") and eq.endswith(" = 0") for eq in found)
    assert not any("×10⁻¹⁷" in eq or "×10⁻¹⁸" in eq for eq in found)  # no rounding noise shown


def test_the_page_has_no_ascii_minus_or_e_notation_in_its_maths():
    for seed in NETWORKS + ["seed_001"]:
        for _, _, eq in equations(seed):
            assert not re.search(r"\d-\d|(?<![A-Za-z])-\d|\de[-+]?\d", eq), (seed, eq)


def exact_graph(problem) -> dict[tuple[str, str], object]:
    """Seed 001's formulas at 40 digits: 'f' each value, 'b' dL/d(each value) by mpmath's differentiation."""
    mp.dps = 40
    g = problem.graph
    given = {k: mp.mpf(v) for k, v in {**g.inputs, **g.parameters}.items()}
    functions = {"sigmoid": lambda z: 1 / (1 + mp.exp(-z)), "tanh": mp.tanh, "exp": mp.exp, "log": mp.log}

    def evaluate(fixed: dict) -> dict:
        values = {**given, **fixed}
        for name, expr in g.formulas.items():
            if name not in fixed:
                values[name] = eval(expr, {"__builtins__": {}}, {**functions, **values})
        return values

    values = evaluate({})
    known = {("f", page_name(k)): v for k, v in values.items()}
    for name in [*g.formulas, *g.parameters]:
        if name != g.loss:
            slope = mp.diff(lambda u, name=name: evaluate({name: u})[g.loss], values[name])
            known["b", f"∂{g.loss}∂{page_name(name)}"] = slope
    return known


def page_name(label: str) -> str:
    """A label as the page's text reads it: y_hat -> ŷ, x1 -> x1."""
    return "ŷ" if label == "y_hat" else label


def test_seed_001_formula_graph_results_are_honest():
    known = exact_graph(load(shipped("seed_001")))
    checked, wrong = 0, []
    for step, section, eq in equations("seed_001"):
        parts = [p.strip() for p in eq.split(" = ")]
        section_kind = "b" if section.startswith("Backward") else "f"
        exact = known.get((section_kind, parts[0]))
        if step and exact is not None and NUMBER.fullmatch(parts[-1]):
            checked += 1
            if why := lie(parts[-1], exact):
                wrong.append((parts[0], why))
    assert not wrong, wrong
    assert checked == 7 + 12   # s1, h1, s2, h2, s3, ŷ, Div; dDiv/d of ŷ, s3, h2, s2, h1, s1, w1 ... w6
