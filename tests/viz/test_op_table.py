"""micrograd.engine.OPS is the one table of ops: its formulas agree with its functions, and
every notation (names, the derivation's text and LaTeX, the steps, HTML) is written from it."""

import ast
import inspect
import math
import random

import pytest

import micrograd.engine as engine
from micrograd.engine import OPS, Op
from viz.notation.formulas import OUT, entry
from viz.notation.mathhtml import to_html
from viz.notation.maths import derivative
from viz.notation.names import formula
from viz.notation.ops import definition, instance, local_template, local_text, sigma_prime_text

EXPONENTS = (2.0, 3.0, 0.5, -1.0)  # numbers an op such as **k carries in its name


def evaluate(text: str, names: dict[str, float]) -> float:
    """A table formula at numbers: math's functions, and the table's own ops as functions.

    The table is read as micrograd.engine.OPS is now, so a test that adds an op checks it too.
    """
    scope = {k: getattr(math, k) for k in dir(math) if not k.startswith("_")} | {"max": max}
    ops = engine.OPS
    scope |= {key: (lambda *a, key=key: ops[key].fn(*a)[0]) for key in ops if key.isidentifier()}
    for node in ast.walk(ast.parse(text, mode="eval")):
        assert not isinstance(node, ast.Attribute | ast.Lambda), text  # the table holds plain formulas
    return float(eval(compile(text, "<OPS>", "eval"), scope, dict(names)))  # the table: plain formulas


def points(key: str, count: int = 20):
    """Random inputs where the op is defined and smooth (away from relu's kink), with its numbers."""
    rng = random.Random(key)
    names = list(inspect.signature(engine.OPS[key].fn).parameters)
    inputs, extra = names[:len(engine.OPS[key].local)], names[len(engine.OPS[key].local):]
    for _ in range(count):
        x = {n: rng.choice((-1, 1)) * rng.uniform(0.3, 2.0) for n in inputs}
        x |= {n: rng.choice(EXPONENTS) for n in extra}
        try:
            yield x, engine.OPS[key].fn(*x.values())
        except (ValueError, ZeroDivisionError):
            continue  # log of a negative number, a negative number to a fractional power


@pytest.mark.parametrize("key", list(OPS))
def test_each_op_s_formulas_agree_with_its_function_and_with_central_differences(key):
    op, checked = engine.OPS[key], 0
    inputs = list(inspect.signature(op.fn).parameters)[:len(op.local)]
    for x, (value, *local) in points(key):
        if isinstance(value, complex) or not math.isfinite(value):
            continue
        checked += 1
        assert evaluate(op.value, x) == pytest.approx(value, rel=1e-12, abs=1e-12)
        at = x | {OUT: value}
        for p, name in enumerate(inputs):
            h = 1e-6 * max(1.0, abs(x[name]))
            up, down = (op.fn(*(x | {name: x[name] + s}).values())[0] for s in (h, -h))
            slope = (up - down) / (2 * h)
            assert local[p] == pytest.approx(slope, rel=1e-5, abs=1e-6)
            assert evaluate(op.local[p], at) == pytest.approx(local[p], rel=1e-12, abs=1e-12)
            if op.written:
                assert evaluate(op.written[p], at) == pytest.approx(local[p], rel=1e-12, abs=1e-12)
    assert checked >= 5, f"{key}: too few points where it is defined"


def test_every_entry_is_read_by_viz_with_one_formula_per_input():
    for key, op in OPS.items():
        found = entry(key)
        assert found is not None and len(found.local) == len(found.written) == len(found.inputs)
        assert not op.written or len(op.written) == len(op.local)
    assert entry("**0.5").parameters == {"k": "0.5"} and entry("**-1").key == "**k"
    assert entry("tanh", 2) is None  # a user's op of that name with other inputs: not the table's


@pytest.fixture
def sin_and_softplus(monkeypatch):
    """Two new ops in a copy of the table, and no other edit anywhere."""
    table = dict(OPS)
    table["sin"] = Op(lambda x: (math.sin(x), math.cos(x)), "sin(x)", ("cos(x)",))
    table["softplus"] = Op(lambda x: (math.log1p(math.exp(x)), 1 / (1 + math.exp(-x))), "log(1 + exp(x))",
                           ("sigmoid(x)",), symbol=("softplus", r"\mathrm{softplus}"))
    monkeypatch.setattr("micrograd.engine.OPS", table)
    for module in ("viz.notation.formulas", "viz.notation.maths", "viz.notation.mathhtml"):
        monkeypatch.setattr(f"{module}.OPS", table)
    return table


def test_a_new_op_is_written_in_every_notation_from_its_table_entry_alone(sin_and_softplus):
    assert formula("sin", ["z"]) == "sin(z)" and formula("sin", ["ŷ − t"]) == "sin(ŷ − t)"
    assert formula("softplus", ["z"]) == "softplus(z)"  # by its symbol, not as log(1 + exp(z))
    assert local_text("sin", 0, ["z"], "a", True) == "cos(z)"
    assert local_text("softplus", 0, ["z"], "a", True) == "σ(z)"
    assert local_template("sin", 0, True) == ("cos({a})", r"\cos({a})")
    assert local_template("softplus", 0, True) == ("σ({a})", r"\sigma({a})")
    assert definition("sin", ["z1"], ["z_{1}"]) == ("sin(z1)", r"\sin(z_{1})")
    assert instance("sin", 0, [0.5], math.sin(0.5)) == ""  # a function of a number: its value says it
    assert sigma_prime_text("sin", "0.4794", "0.5", "0.8776", True) == "cos(z) = cos(0.5) = 0.8776"
    assert derivative("sin").plain == "sin'(z) = cos(z)" and derivative("sin").latex == r"\sin'(z) = \cos(z)"
    html = to_html(local_template("sin", 0, True)[1].format(a="z"))
    assert '<span class="rm">cos</span>(<i>z</i>)' in html
    assert "softplus" in to_html(definition("softplus", ["z"], ["z"])[1])


def test_a_new_op_s_formulas_are_checked_like_the_table_s(sin_and_softplus):
    for key in ("sin", "softplus"):
        test_each_op_s_formulas_agree_with_its_function_and_with_central_differences(key)
    wrong = Op(lambda x: (math.sin(x), math.cos(x)), "sin(x)", ("-cos(x)",))  # a sign slip in the table
    sin_and_softplus["sin"] = wrong
    with pytest.raises(AssertionError):
        test_each_op_s_formulas_agree_with_its_function_and_with_central_differences("sin")
