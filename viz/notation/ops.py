"""Each engine op in writing: how the op reads as a formula and how its local derivative reads.

Every op's maths comes from the engine's table, micrograd.engine.OPS, written out by
viz.notation.formulas; only a neuron's drive (w·x + b, one node with any number of
inputs, made by micrograd.drives) is written here. The views write the same maths
in different hands, on purpose, and their pages and tests rely on it:
- plain names (`local_text`): the lecture page and the step lists, ASCII '-', names
  in parentheses when they are sums or negative (an op's own formula over names is
  viz.notation.names.formula, the one that names every node);
- text and LaTeX templates (`definition`, `local_template`, `instance`): the
  chain-rule derivation, '−' and '²' as the documents print them;
- the delta form (`sigma_prime_text`): sigma'(z) in the documents' a and z.
"""

from __future__ import annotations

import ast

from viz.notation import formulas as F
from viz.notation.formulas import atom, entry, leaf, write
from viz.notation.numbers import number

DOT_OPS = ("w·x+b", "w·x")  # inputs (w1, x1, w2, x2, ..., b): one neuron's drive
_HOLE = "\x01"  # marks a template's {a}, {b}, {o} while the rest of its braces are escaped


def exponent(op: str) -> str | None:
    """The number k of a '**k' op as the engine wrote it ('2', '0.5'); None for any other op."""
    found = entry(op)
    return found.parameters.get("k") if found is not None else None


def partner(op: str, p: int, n: int) -> int:
    """The input d out/d (input p) is written in: a drive's paired w or x, the other factor, else p."""
    if op in DOT_OPS:
        return p if p == n - 1 and op == "w·x+b" else p + 1 if p % 2 == 0 else p - 1
    return 1 - p if n == 2 else p


def signed(text: str) -> str:
    """A term after + or ×: in parentheses if negative, so 2 × (-3) reads right."""
    return f"({text})" if text.startswith("-") else text


def paren(name: str) -> str:
    """A name or number inside a product or power: in parentheses if it is a sum or negative."""
    return f"({name})" if " " in name or name.startswith("-") else name


# Plain names: the lecture page and the step lists.

def local_text(op: str, p: int, args: list[str], out: str, positive: bool) -> str:
    """d out / d (input p) in the input names `args` and `out` for the node; `positive`: its data > 0."""
    if op == "w·x+b" and p == len(args) - 1:
        return "1"
    if op in DOT_OPS:
        return args[partner(op, p, len(args))]
    e = entry(op, len(args))
    if e is None:
        return f"∂{out}/∂{args[p]}"
    return write(e.local[p], e.names(args, out), F.PLAIN, derived=True, fold=True, positive=positive)


# Text and LaTeX: the chain-rule derivation.

def definition(op: str, a: list[str], ta: list[str]) -> tuple[str, str]:
    """`op` over the inputs' names as (text, LaTeX): ('1 − a1^(2)', '1 - a_{1}^{(2)}')."""
    if op in DOT_OPS:
        bias = op == "w·x+b"
        text = " + ".join(f"{w}·{x}" for w, x in zip(a[0::2], a[1::2])) + (f" + {a[-1]}" if bias else "")
        tex = " + ".join(f"{w} {x}" for w, x in zip(ta[0::2], ta[1::2])) + (f" + {ta[-1]}" if bias else "")
        return text, tex
    e = entry(op, len(a))
    if e is None:
        return f"{op}({', '.join(a)})", rf"\operatorname{{{op}}}({', '.join(ta)})"
    return write(e.shown, e.names(a), F.DEFINITION), write(e.shown, e.names(ta), F.LATEX)


def local_template(op: str, p: int, last: bool) -> tuple[str, str]:
    """d(out)/d(input p) of `op` as text and LaTeX templates in {a}, {b} (`partner` input), {o} (output)."""
    if op == "+" or op == "w·x+b" and last:
        return "1", "1"
    if op in DOT_OPS:  # inputs (w1, x1, w2, x2, ...): d/dw_i = x_i, d/dx_i = w_i
        return "{b}", "{b}"
    e = entry(op)
    if e is None or p >= len(e.inputs):  # an op outside the table (nn.l2's L2): its name, braces kept
        return _template(f"d {op}/d{_HOLE}a"), _template(rf"\partial\,\mathrm{{{op}}}/\partial {_HOLE}a")
    other = partner(op, p, len(e.inputs))
    hole = ["a" if k == p else "b" if k == other else "?" for k in range(len(e.inputs))]
    holes = e.names([atom(_HOLE + h) for h in hole], atom(_HOLE + "o"))
    text, tex = (_template(write(e.written[p], holes, style, derived=True)) for style in (F.TEXT, F.LATEX))
    return text, tex


def _template(text: str) -> str:
    """A written formula as a str.format template: its own braces doubled, its holes {a} {b} {o}."""
    text = text.replace("{", "{{").replace("}", "}}")
    for hole in "abo":
        text = text.replace(_HOLE + hole, "{" + hole + "}")
    return text


def instance(op: str, p: int, x: list[float], out: float) -> str:
    """The local derivative with the inputs' data `x` and the node's `out` for names ('' if no gain).

    Written only where it is arithmetic a reader can check by hand: not a lone number
    or name (1, x2), nor a function (exp(0.7)) or a power to an input (a^(b−1)).
    """
    e = entry(op, len(x))
    if e is None or not _by_hand(e.local[p], set(e.inputs) | {F.OUT}):
        return ""
    names = e.names([leaf(number(v)) for v in x], leaf(number(out)))
    return write(e.local[p], names, F.TEXT, derived=True)


def _by_hand(tree: ast.expr, inputs: set[str]) -> bool:
    """Whether a local derivative is arithmetic worth writing with numbers (see `instance`)."""
    if not isinstance(tree, ast.BinOp):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call | ast.IfExp):
            return False
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            if any(isinstance(n, ast.Name) and n.id in inputs for n in ast.walk(node.right)):
                return False
    return True


# The delta form: sigma'(z) of a neuron's activation.

def sigma_prime_text(op: str, a: str, z: str, value: str, positive: bool) -> str:
    """sigma'(z) of activation `op` ('linear' for none) with a, z, its value as text; `positive`: z > 0."""
    if op == "linear":
        return "1 (a linear neuron: no activation)"
    e = entry(op, 1)
    if e is None:
        return f"d {op}/dz = {value}"
    local = e.local[0]
    if isinstance(local, ast.IfExp):  # relu: which case, and why
        return write(local, e.names([atom(f"z = {z}")]), F.SINCE, derived=True, positive=positive)
    symbols = write(local, e.names(["z"], "a"), F.SYMBOLS, derived=True)
    numbers = write(local, e.names([leaf(z)], leaf(a)), F.TEXT, derived=True)
    parts = [symbols] + [t for t in (numbers, value) if t != symbols]
    return " = ".join(dict.fromkeys(parts))
