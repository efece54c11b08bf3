"""Each engine op in writing: how the op reads as a formula and how its local derivative reads.

One place for the per-op notation of every view. The views write the same
maths in different hands, on purpose, and their pages and tests rely on it:
- plain names (`local_text`): the lecture page and the step lists, ASCII '-', names
  in parentheses when they are sums or negative (an op's own formula over names is
  viz.notation.names.formula, the one that names every node);
- text and LaTeX templates (`definition`, `local_template`, `instance`): the
  chain-rule derivation, '−' and '²' as the documents print them;
- the delta form (`sigma_prime_text`): sigma'(z) in the documents' a and z.
The op strings are the engine's: '+', '-', '*', '/', 'neg', '**' (Value exponent),
'**k' (number exponent), 'exp', 'log', 'tanh', 'sigmoid', 'relu', 'w·x', 'w·x+b'.
"""

from __future__ import annotations

from viz.notation.numbers import number

DOT_OPS = ("w·x+b", "w·x")  # inputs (w1, x1, w2, x2, ..., b): one neuron's drive
PREFIX = {"exp": "exp", "log": "ln", "tanh": "tanh", "sigmoid": "σ", "relu": "relu"}


def exponent(op: str) -> str | None:
    """The number k of a '**k' op as the engine wrote it ('2', '0.5'); None for any other op."""
    return op[2:] if op.startswith("**") and len(op) > 2 else None


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
    k = exponent(op)
    if op == "+" or op == "w·x+b" and p == len(args) - 1:
        return "1"
    if op == "-":
        return "1" if p == 0 else "-1"
    if op in ("*", *DOT_OPS):
        return args[partner(op, p, len(args))]
    if op == "/":
        return f"1 / {paren(args[1])}" if p == 0 else f"-{paren(args[0])} / {paren(args[1])}^2"
    if op == "neg":
        return "-1"
    if op == "**":
        if p == 0:
            return f"{paren(args[1])}·{paren(args[0])}^({args[1]} - 1)"
        return f"{paren(out)}·ln {paren(args[0])}"
    if k is not None:
        return f"{k}·{paren(args[0])}" + ("" if float(k) == 2 else f"^{number(float(k) - 1)}")
    if op == "exp":
        return f"exp({args[0]})"
    if op == "log":
        return f"1 / {paren(args[0])}"
    if op == "tanh":
        return f"1 - {paren(out)}^2"
    if op == "sigmoid":
        return f"{paren(out)}·(1 - {out})"
    if op == "relu":
        return f"1 because {args[0]} > 0" if positive else f"0 because {args[0]} ≤ 0"
    return f"∂{out}/∂{args[p]}"


# Text and LaTeX: the chain-rule derivation.

def definition(op: str, a: list[str], ta: list[str]) -> tuple[str, str]:
    """`op` over the inputs' names as (text, LaTeX): ('1 − a1^(2)', '1 - a_{1}^{(2)}')."""
    k = exponent(op)
    if op in DOT_OPS:
        bias = op == "w·x+b"
        text = " + ".join(f"{w}·{x}" for w, x in zip(a[0::2], a[1::2])) + (f" + {a[-1]}" if bias else "")
        tex = " + ".join(f"{w} {x}" for w, x in zip(ta[0::2], ta[1::2])) + (f" + {ta[-1]}" if bias else "")
        return text, tex
    if op in ("+", "-", "*", "/"):
        symbol = {"+": "+", "-": "−", "*": "·", "/": "/"}[op]
        tex_symbol = {"+": "+", "-": "-", "*": r"\cdot", "/": "/"}[op]
        return f"{a[0]} {symbol} {a[1]}", f"{ta[0]} {tex_symbol} {ta[1]}"
    if op == "neg":
        return f"−{a[0]}", f"-{ta[0]}"
    if op == "**":
        return f"{a[0]}^{a[1]}", f"{ta[0]}^{{{ta[1]}}}"
    if k is not None:
        return f"{a[0]}^{k}", f"{ta[0]}^{{{k}}}"
    return f"{op}({a[0]})", rf"\operatorname{{{op}}}({ta[0]})"


def local_template(op: str, p: int, last: bool) -> tuple[str, str]:
    """d(out)/d(input p) of `op` as text and LaTeX templates in {a}, {b} (`partner` input), {o} (output)."""
    k = exponent(op)
    if op == "+" or op == "w·x+b" and last:
        return "1", "1"
    if op in DOT_OPS:  # inputs (w1, x1, w2, x2, ...): d/dw_i = x_i, d/dx_i = w_i
        return "{b}", "{b}"
    if op == "-":
        return ("1", "1") if p == 0 else ("−1", "-1")
    if op == "neg":
        return "−1", "-1"
    if op == "*":
        return "{b}", "{b}"
    if op == "/":
        return ("1/{b}", r"\frac{{1}}{{{b}}}") if p == 0 else ("−{b}/{a}²", r"-\frac{{{b}}}{{{a}^2}}")
    if op == "**":
        return ("{b}·{a}^({b}−1)", "{b} {a}^{{{b}-1}}") if p == 0 else ("{o}·ln {b}", r"{o} \ln {b}")
    if k is not None:
        if k == "2":
            return "2·{a}", r"2 \cdot {a}"
        return f"{k}·{{a}}^({k}−1)", f"{k} {{a}}^{{{{{k}-1}}}}"
    if op == "exp":
        return "e^{a}", "e^{{{a}}}"
    if op == "log":
        return "1/{a}", r"\frac{{1}}{{{a}}}"
    if op == "tanh":
        return "1 − tanh²({a})", r"1 - \tanh^2({a})"
    if op == "sigmoid":
        return "σ({a})(1 − σ({a}))", r"\sigma({a})(1 - \sigma({a}))"
    if op == "relu":
        return "1 if {a} > 0 else 0", r"[{a} > 0]"
    return f"d {op}/d{{a}}", rf"\partial\,\mathrm{{{op}}}/\partial {{a}}"


def instance(op: str, p: int, x: list[float], out: float) -> str:
    """The local derivative with the inputs' data `x` and the node's `out` for names ('' if no gain)."""
    k = exponent(op)

    def n(v: float) -> str:  # a negative number in parentheses, as inside a product
        return signed(number(v))

    if op == "/":
        return f"1/{n(x[1])}" if p == 0 else f"−{n(x[0])}/{n(x[1])}²"
    if k is not None:
        return f"2·{n(x[p])}" if k == "2" else f"{k}·{n(x[p])}^({k}−1)"
    if op == "tanh":
        return f"1 − {n(out)}²"
    if op == "sigmoid":
        return f"{n(out)} (1 − {n(out)})"
    if op == "log":
        return f"1/{n(x[p])}"
    return ""


# The delta form: sigma'(z) of a neuron's activation.

def sigma_prime_text(op: str, a: str, z: str, value: str, positive: bool) -> str:
    """sigma'(z) of activation `op` ('linear' for none) with a, z, its value as text; `positive`: z > 0."""
    if op == "sigmoid":
        return f"a(1 − a) = {a} (1 − {a}) = {value}"
    if op == "tanh":
        return f"1 − a² = 1 − {signed(a)}² = {value}"
    if op == "**2":
        return f"2z = 2·{signed(z)} = {value}"
    if op == "relu":
        return f"1, since z = {z} > 0" if positive else f"0, since z = {z} ≤ 0"
    if op == "linear":
        return "1 (a linear neuron: no activation)"
    return f"d {op}/dz = {value}"
