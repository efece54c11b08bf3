"""The op table's formulas (micrograd.engine.OPS) written out in every notation the views use.

Each op's value and local derivatives are Python expressions in the engine's table
("a * b", "1 - out ** 2"). This reads them once with `ast` and writes them with
the inputs' names or numbers put in, in one of a few hands (`Style`): the node
names (ŷ − t, (ŷ − t)²), the derivation's text and LaTeX (1 − tanh²(z), σ(z)(1 − σ(z))),
the step list's plain names (1 - (a)^2), the documents' own f'(z). So a new op
is one entry in OPS, and every view writes it.

>>> write(entry("sigmoid").written[0], {"x": "z"}, TEXT)
'σ(z)(1 − σ(z))'
>>> write(entry("**3").local[0], {"x": "z", "k": "3"}, LATEX, derived=True)
'3 z^{3-1}'
"""

from __future__ import annotations

import ast
import inspect
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache

from micrograd.engine import OPS, Op
from viz.notation.numbers import number

SUM, PRODUCT, NEGATION, POWER, ATOM = 1, 2, 3, 4, 5  # how tightly a piece binds, loosest first
OUT = "out"  # the op's own value, in a local derivative that reuses it (1 - out ** 2)
# functions LaTeX sets upright by their own command: \ln x, \cos x (any other word: \mathrm{word})
LATEX_FUNCTIONS = frozenset({"sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "ln", "log", "max", "min"})
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_NOT = {ast.Gt: "≤", ast.Lt: "≥", ast.GtE: "<", ast.LtE: ">"}  # a comparison that failed, as written
_COMPARE = {ast.Gt: ">", ast.Lt: "<", ast.GtE: "≥", ast.LtE: "≤"}


@dataclass(frozen=True)
class Style:
    """One hand in which the views write maths."""

    latex: bool = False
    minus: str = "−"
    times: str = "·"           # between two factors
    groups: bool = False       # a space before a sum in parentheses, none after f(z): a (1 − a), σ(z)(1 − σ)
    juxtapose: bool = False    # 2z and a(1 − a), as the documents write symbols (not numbers)
    divide: str = "/"          # in text; LaTeX writes \frac
    superscript: bool = True   # an integer power as ², else ^2
    tight: bool = True         # an exponent without spaces: x^(k−1)
    python_names: bool = False  # a function by its key (sigmoid(z)), else by its symbol (σ(z))
    condition: str = "if"      # a case: 'if' (1 if z > 0 else 0), 'if,' (..., else 0), 'because', 'since'
    half: bool = False         # a factor 0.5 written ½
    thin: str = ""             # LaTeX between f(z) and (...): \sigma(z)\,(1 - \sigma(z))


NAMES = Style(times="·", divide=" / ", half=True)                  # viz.notation.names.formula
ASCII = Style(minus="-", times="*", divide=" / ", superscript=False, python_names=True)
TEXT = Style(groups=True)                                          # the derivation: 1 − tanh²(z)
SYMBOLS = Style(groups=True, juxtapose=True)                       # sigma'(z) = a(1 − a) = 2z
SINCE = Style(condition="since")                                   # sigma'(z) = 1, since z = 5 > 0
LATEX = Style(latex=True, minus="-", times=r" \cdot ")
PLAIN = Style(minus="-", divide=" / ", superscript=False, tight=False, condition="because")  # steps
DEFINITION = Style(times=" · ", divide=" / ", superscript=False, python_names=True)  # #k = a · b
DOCUMENT = Style(minus="-", groups=True, juxtapose=True, condition="if,")  # a solution's f'(z)
DOCUMENT_LATEX = Style(latex=True, minus="-", times=r" \cdot ", juxtapose=True, condition="if,", thin=r"\,")


@dataclass(frozen=True)
class Piece:
    """A written piece of formula: its text, how tightly it binds, whether it starts with a minus."""

    text: str
    binds: int = ATOM
    signed: bool = False
    value: float | None = None  # its number, where it is one (for ½ and for the folded exponent)
    call: bool = False          # a function of something, f(z): (...) after it needs no sign
    given: bool = False         # a name or number put in from outside, not the op's own


def leaf(text: str, value: float | None = None) -> Piece:
    """A name or number put into a formula: a sum or a product inside its text binds loosely."""
    signed = text.startswith(("-", "−"))
    return Piece(text, SUM if _spaced(text) else ATOM, signed, value, given=True)


def atom(text: str, value: float | None = None) -> Piece:
    """A name already written to stand as one factor (a template's {a}, a number in parentheses)."""
    return Piece(text, ATOM, False, value)


def _spaced(text: str) -> bool:
    """Whether `text` has a space or an operator outside parentheses: not a single factor."""
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if char in " ·*/" and depth == 0:
            return True
    return False


# ---- the table, read once ---------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One op of the table as viz reads it: its formulas parsed, its inputs and the numbers it carries."""

    key: str
    op: Op
    inputs: tuple[str, ...]       # the names the formulas give the inputs: ('a', 'b'), ('x',)
    parameters: dict[str, str]    # a number the op's string carries ({'k': '2'} for **2), as written
    value: ast.expr
    local: tuple[ast.expr, ...]
    written: tuple[ast.expr, ...]  # the local derivatives as the documents write them

    def names(self, inputs: Sequence[str | Piece], out: str | Piece | None = None) -> dict[str, str | Piece]:
        """What to write the formulas with: the inputs, the op's value `out`, the numbers the op carries."""
        named: dict[str, str | Piece] = dict(zip(self.inputs, inputs))
        if out is not None:
            named[OUT] = out
        named.update({name: atom(text, float(text)) for name, text in self.parameters.items()})
        return named

    @property
    def shown(self) -> ast.expr:
        """The value as the views write it: f(x) for a function (σ(z), not 1/(1 + e^−z)), else its formula."""
        if is_function(self.key):
            return _parse(f"{self.key}({', '.join(self.inputs)})")
        return self.value


@cache
def _parse(formula: str) -> ast.expr:
    return ast.parse(formula, mode="eval").body


@cache
def _signature(key: str) -> tuple[str, ...]:
    return tuple(inspect.signature(OPS[key].fn).parameters)


def entry(op: str, count: int | None = None) -> Entry | None:
    """The table's entry for a node's op string ('*', 'tanh', '**2'), or None if it is not there.

    count: the node's number of inputs; an op written micrograd's way under a table
    name but with other inputs gets None, so the views fall back to d op/d input.
    """
    found = _lookup(op)
    if found is None:
        return None
    key, parameters = found
    table = OPS[key]
    names = _signature(key)
    inputs = names[:len(table.local)]
    if count is not None and count != len(inputs):
        return None
    written = table.written or table.local
    return Entry(key, table, inputs, dict(zip(names[len(inputs):], parameters)), _parse(table.value),
                 tuple(_parse(f) for f in table.local), tuple(_parse(f) for f in written))


def _lookup(op: str) -> tuple[str, tuple[str, ...]] | None:
    """The table key of an op string and the numbers it carries: '**0.5' -> ('**k', ('0.5',))."""
    if op in OPS:
        return op, ()
    for key in OPS:
        extra = _signature(key)[len(OPS[key].local):]
        if extra and key.endswith(extra[-1]):  # '**k' is written '**' then the number
            m = re.fullmatch(re.escape(key[:-len(extra[-1])]) + r"(-?\d+(?:\.\d*)?(?:e-?\d+)?|-?inf|nan)", op)
            if m:
                return key, (m[1],)
    return None


def symbol(key: str) -> tuple[str, str]:
    """A function's name (text, LaTeX): the table's symbol, else its key upright; ('', '') if not a name."""
    if key in OPS and OPS[key].symbol:
        text, latex = OPS[key].symbol
        return text, latex
    if not key.isidentifier():
        return "", ""
    return key, "\\" + key if key in LATEX_FUNCTIONS else rf"\mathrm{{{key}}}"


def is_function(key: str) -> bool:
    """Whether the op is written f(x) (σ(z), exp(z)) rather than with an operator (a + b, −x)."""
    table = OPS.get(key)
    if table is None:
        return False
    value = _parse(table.value)
    return bool(table.symbol) or isinstance(value, ast.Call) and isinstance(value.func, ast.Name)


# ---- writing ----------------------------------------------------------------------------------

def write(tree: ast.expr, names: Mapping[str, str | Piece], style: Style, derived: bool = False,
          fold: bool = False, positive: bool | None = None) -> str:
    """`tree` with each name in `names` put in (a string is a `leaf`), written in `style`.

    derived: a local derivative, so a power whose exponent comes to 1 is written as its base
    (2·x for k = 2). fold: the op's numbers worked out (x^2, not x^(3−1)). positive:
    for a case (relu), which branch the node took, as its data > 0 says.
    """
    pieces = {k: v if isinstance(v, Piece) else leaf(v) for k, v in names.items()}
    return _Writer(pieces, style, derived, fold, positive).piece(tree).text


class _Writer:
    def __init__(self, names: dict[str, Piece], style: Style, derived: bool, fold: bool,
                 positive: bool | None) -> None:
        self.names, self.style, self.derived, self.fold, self.positive = names, style, derived, fold, positive

    def piece(self, node: ast.expr, exponent: bool = False) -> Piece:
        """`node` written; exponent: inside a power's exponent, where the writing is tight."""
        s = self.style
        number = self.number(node)
        folded = self.fold or isinstance(node, ast.Constant)
        if number is not None and folded and not isinstance(node, ast.Name):
            return atom(_number(number), number)
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            return atom(node.id)  # a constant by its name: e in e^x
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.piece(node.operand, exponent)
            text = self.wrap(inner, inner.binds < NEGATION or inner.signed)
            return Piece(s.minus + text, NEGATION, True)
        if isinstance(node, ast.BinOp):
            return self.binary(node, exponent)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = ", ".join(self.piece(a).text for a in node.args)
            return Piece(f"{self.function(node.func.id)}({args})", ATOM, call=True)
        if isinstance(node, ast.IfExp):
            return Piece(self.case(node), 0)
        if isinstance(node, ast.Compare):
            return Piece(self.compare(node, True), 0)
        raise ValueError(f"an op's formula may use + - * / **, functions and 'a if c else b', "
                         f"not {ast.unparse(node)!r}")

    def number(self, node: ast.expr) -> float | None:
        """The number `node` comes to, where it holds only numbers and the op's own (k − 1 for **3)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name):
            p = self.names.get(node.id)
            return p.value if p is not None and p.binds == ATOM and not p.signed else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.number(node.operand)
            return None if inner is None else -inner
        if isinstance(node, ast.BinOp):
            a, b = self.number(node.left), self.number(node.right)
            if a is None or b is None:
                return None
            try:
                return float(_ARITHMETIC[type(node.op)](a, b))
            except (ArithmeticError, KeyError, TypeError):
                return None
        return None

    @staticmethod
    def wrap(p: Piece, needed: bool) -> str:
        return f"({p.text})" if needed else p.text

    def binary(self, node: ast.BinOp, exponent: bool) -> Piece:
        s = self.style
        left, right = self.piece(node.left, exponent), self.piece(node.right, exponent)
        gap = "" if exponent and s.tight else " "
        if isinstance(node.op, ast.Add | ast.Sub):
            sign = "+" if isinstance(node.op, ast.Add) else s.minus
            loose = right.binds < SUM or right.binds == SUM and isinstance(node.op, ast.Sub)
            a, b = self.wrap(left, left.binds < SUM), self.wrap(right, loose or right.signed)
            return _signed(Piece(f"{a}{gap}{sign}{gap}{b}", SUM))
        if isinstance(node.op, ast.Mult):
            return self.product(node, left, right)
        if isinstance(node.op, ast.Div):
            return self.quotient(node, left, right)
        if isinstance(node.op, ast.Pow):
            return self.power(node, left)
        raise ValueError(f"an op's formula may use + - * / **, not {ast.unparse(node)!r}")

    def product(self, node: ast.BinOp, left: Piece, right: Piece) -> Piece:
        s = self.style
        if s.half and (left.value == 0.5 or right.value == 0.5):
            other = right if left.value == 0.5 else left
            return Piece("½ " + self.wrap(other, other.binds < PRODUCT or other.signed), PRODUCT)
        a = self.wrap(left, left.binds < PRODUCT or left.signed and isinstance(node.left, ast.Name))
        group = right.binds < PRODUCT  # a sum in parentheses, not a negative number: a (1 − a), 2·(−3)
        wrapped = group or right.signed
        b = self.wrap(right, wrapped)
        if s.juxtapose and not left.call and (group or right.text[:1].isalpha()):
            sep = ""  # 2z, a(1 − a)
        elif s.latex and group:
            sep = s.thin if left.call else " "
        elif s.latex:
            sep = s.times if right.binds == ATOM and not right.call else " "
        elif s.groups and group:
            sep = "" if left.call else " "
        else:
            sep = s.times
        return _signed(Piece(f"{a}{sep}{b}", PRODUCT))

    def quotient(self, node: ast.BinOp, top: Piece, bottom: Piece) -> Piece:
        s = self.style
        if s.latex:
            if isinstance(node.left, ast.UnaryOp) and isinstance(node.left.op, ast.USub):
                inner = self.piece(node.left.operand)
                return Piece(rf"{s.minus}\frac{{{inner.text}}}{{{bottom.text}}}", NEGATION, True)
            return Piece(rf"\frac{{{top.text}}}{{{bottom.text}}}", ATOM)
        a = self.wrap(top, top.binds < PRODUCT or top.signed and isinstance(node.left, ast.Name))
        b = self.wrap(bottom, bottom.binds <= PRODUCT or bottom.signed)
        return _signed(Piece(f"{a}{s.divide}{b}", PRODUCT))

    def power(self, node: ast.BinOp, base: Piece) -> Piece:
        k = self.number(node.right)
        if self.derived and k == 1.0:
            return base
        exponent = self.piece(node.right, exponent=True)
        own = isinstance(node.right, ast.Constant) or isinstance(node.right, ast.Name) and not exponent.given
        integer = own and re.fullmatch(r"-?\d+", exponent.text) is not None
        if base.call and integer:  # tanh²(z), as the documents write a function's power
            name, rest = base.text.split("(", 1)
            return Piece(f"{name}{self.superscript(exponent.text)}({rest}", ATOM)
        b = self.wrap(base, base.binds < ATOM or base.signed)
        return Piece(b + self.superscript(exponent.text, exponent, integer), POWER)

    def superscript(self, text: str, piece: Piece | None = None, integer: bool = True) -> str:
        s = self.style
        if s.latex:
            return f"^{text}" if len(text) == 1 else f"^{{{text}}}"
        if s.superscript and integer and re.fullmatch(r"-?\d+", text):
            return text.translate(_SUP)
        needed = piece is not None and (piece.binds < ATOM or piece.signed)
        return "^" + (f"({text})" if needed else text)

    def function(self, name: str) -> str:
        text, latex = symbol(name)
        return latex if self.style.latex else name if self.style.python_names else text

    def compare(self, node: ast.Compare, holds: bool) -> str:
        if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
            raise ValueError(f"a case in an op's formula compares once with < > <= >=: {ast.unparse(node)!r}")
        sign = (_COMPARE if holds else _NOT)[type(node.ops[0])]
        if self.style.latex:
            sign = {"≤": r"\leq", "≥": r"\geq"}.get(sign, sign)
        return f"{self.piece(node.left).text} {sign} {self.piece(node.comparators[0]).text}"

    def case(self, node: ast.IfExp) -> str:
        s = self.style
        if not isinstance(node.test, ast.Compare):
            raise ValueError(f"a case in an op's formula tests a comparison: {ast.unparse(node)!r}")
        body, orelse = self.piece(node.body).text, self.piece(node.orelse).text
        if s.condition in ("because", "since") and self.positive is not None:
            holds = self.positive
            reason = self.compare(node.test, holds)
            word = ", since" if s.condition == "since" else " because"
            return f"{body if holds else orelse}{word} {reason}"
        test = self.compare(node.test, True)
        if s.latex and s.condition == "if" and (body, orelse) == ("1", "0"):
            return f"[{test}]"  # Iverson's bracket: 1 where the test holds, else 0
        if s.latex:
            return rf"{body} \text{{ if }} {test} \text{{, else }} {orelse}"
        comma = "," if s.condition == "if," else ""
        return f"{body} if {test}{comma} else {orelse}"


def _signed(p: Piece) -> Piece:
    return replace(p, signed=p.text.startswith(("-", "−")))


_ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
               ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}


def _number(x: float) -> str:
    return number(x) if math.isfinite(x) else repr(x)

