"""Named formulas such as `h1 = sigmoid(x1*w1 + x2*w2)`, read with `ast` and a whitelist, never eval.

A problem that is not a dense MLP (seed 001: h1 sees only x1 and x2) is written as
formulas, one per named value, each using only names defined before it. A sum of
products such as `x1*w1 + x2*w2 (+ b)` becomes one drive node (`micrograd.dot`),
as the documents write a neuron's drive; anything else becomes the engine's ops.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping

from micrograd import Value, dot
from viz.notation.document import T

FUNCTIONS = ("sigmoid", "tanh", "relu", "exp", "log", "sqrt")
OPERATORS = "+ - * / ** and unary -"
MAX_CHARACTERS = 2_000  # a formula longer than this is several: split it, naming the parts
MAX_DEPTH = 100  # operators nested deeper than this (a sum of 100 terms is 100 deep) likewise
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class FormulaError(ValueError):
    """A formula that cannot be read; the message names the formula and what is allowed."""


def split(text: str) -> tuple[str, str]:
    """'h1 = sigmoid(s1)' -> ('h1', 'sigmoid(s1)'), with an error for anything else."""
    name, sep, expr = text.partition("=")
    name, expr = name.strip(), expr.strip()
    if not sep or not name or not expr:
        raise FormulaError(
            f"{text!r} is not a formula: write it as `name = expression`, e.g. `h1 = sigmoid(s1)`"
        )
    check_name(name, f"formula {text!r}")
    return name, expr


def check_name(name: str, where: str) -> None:
    """A name must look like a variable (h1, y_hat, Div) and not be a function's name."""
    if not _NAME.match(name):
        raise FormulaError(
            f"{name!r} in {where} is not a usable name: use letters, digits and _, e.g. h1 or y_hat"
        )
    if name in FUNCTIONS:
        raise FormulaError(f"{name!r} in {where} is a function's name: choose another")


def names_used(expr: str, where: str) -> list[str]:
    """The variable names an expression reads, in order of first use (after checking it)."""
    tree = _parse(expr, where)
    seen: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS:
            seen.setdefault(node.id)
    return list(seen)


def evaluate(
    expr: str, env: Mapping[str, Value], where: str, parameters: frozenset[str] = frozenset()
) -> Value:
    """Build the graph of `expr` from the Values in `env`; `parameters` says which factor is a weight."""
    tree = _parse(expr, where)
    value = _Builder(env, where, parameters).build(tree.body)
    return value if isinstance(value, Value) else Value(value)  # `c = 2`: a named constant


def build(
    formulas: Mapping[str, str], leaves: Mapping[str, Value], parameters: frozenset[str] = frozenset()
) -> dict[str, Value]:
    """Evaluate `name = expression` formulas in order; each result Value is labelled with its name."""
    env: dict[str, Value] = dict(leaves)
    for name, expr in formulas.items():
        where = f"formula `{name} = {expr}`"
        check_name(name, where)
        if name in env:
            raise FormulaError(f"{where} defines {name!r} a second time: each name is defined once")
        for used in names_used(expr, where):
            if used not in env:
                later = " (it is defined later: move its formula up)" if used in formulas else ""
                known = ", ".join(env) or "none"
                raise FormulaError(
                    f"{where} uses {used!r}, which is not defined{later}; defined so far: {known}"
                )
        value = evaluate(expr, env, where, parameters)
        if value.label:
            raise FormulaError(
                f"{where} only gives {value.label!r} a second name: use {value.label!r} itself"
            )
        value.label = name
        env[name] = value
    return {name: env[name] for name in formulas}


def _parse(expr: str, where: str) -> ast.Expression:
    if len(expr) > MAX_CHARACTERS:
        raise FormulaError(f"{where[:60]}...: {len(expr):,} characters, more than {MAX_CHARACTERS:,}: "
                           "split it into several formulas, each naming a part")
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as error:
        raise FormulaError(f"{where} cannot be read at column {error.offset}: {error.msg}") from None
    except (RecursionError, MemoryError, ValueError) as error:  # nesting, or a literal of 4300+ digits
        raise FormulaError(f"{where} cannot be read: {type(error).__name__}: "
                           f"{error or 'nested too deeply'}; split it into several formulas") from None
    if (depth := _depth(tree)) > MAX_DEPTH:
        raise FormulaError(f"{where}: operators nested {depth} deep, more than {MAX_DEPTH}: "
                           "split it into several formulas, each naming a part (s1 = ..., s2 = s1 + ...)")
    functions = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FUNCTIONS and id(node) not in functions:
            raise FormulaError(f"{where}: {node.id} is a function: write {node.id}(...), "
                               "or choose another name for a value")
        if not isinstance(node, _ALLOWED):
            raise FormulaError(
                f"{where}: {ast.unparse(node) if isinstance(node, ast.expr) else type(node).__name__!r} "
                f"is not allowed; use names, numbers, {OPERATORS}, and {', '.join(FUNCTIONS)}()"
            )
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
                called = ast.unparse(node.func)
                hint = " (write (a - b)**2 for |a - b|^2)" if called == "abs" else ""
                raise FormulaError(
                    f"{where}: {called}() is not a known function{hint}; known: {', '.join(FUNCTIONS)}"
                )
            if len(node.args) != 1:
                raise FormulaError(f"{where}: {node.func.id}() takes one argument, got {len(node.args)}")
        number = isinstance(node, ast.Constant) and isinstance(node.value, int | float)
        if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not number):
            raise FormulaError(f"{where}: {node.value!r} is not a number")
        if isinstance(node, ast.Constant) and type(node.value) is int and abs(node.value) > 2 ** 1023:
            raise FormulaError(f"{where}: the number {str(node.value)[:20]}... is too large for a float "
                               "(at most about 1.8e308)")
    return tree


def _depth(tree: ast.AST) -> int:
    """How deep the tree's nodes nest (walked with a stack: a deep tree must not hit the recursion limit)."""
    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack += ((child, depth + 1) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))
    return deepest


_ALLOWED = (
    ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Constant, ast.Load,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd,
)


_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}


class _Builder:
    """Turns a checked expression tree into Values."""

    def __init__(self, env: Mapping[str, Value], where: str, parameters: frozenset[str]) -> None:
        self.env, self.where, self.parameters = env, where, parameters

    def build(self, node: ast.expr) -> Value | float:
        drive = self._as_drive(node)
        if drive is not None:
            return drive
        if isinstance(node, ast.Constant):
            return _constant(node)
        if isinstance(node, ast.Name):
            return self.env[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call):
            arg = self.build(node.args[0])
            arg = arg if isinstance(arg, Value) else Value(arg)
            name = _called(node)
            return arg ** 0.5 if name == "sqrt" else getattr(arg, name)()
        assert isinstance(node, ast.BinOp), node  # the only node _parse lets through besides these
        left, right = self.build(node.left), self.build(node.right)
        if not isinstance(left, Value) and (isinstance(node.op, ast.Pow) or not isinstance(right, Value)):
            left = Value(left)  # 2**w has a Value exponent; 2*3 is still a node of the graph
        # operator's functions try the right operand's reflected method too: 0.5*v, 1 - w, 2/w
        return _BINARY[type(node.op)](left, right)

    def _as_drive(self, node: ast.expr) -> Value | None:
        """`a*b + c*d (+ e)` of names -> one dot node (weights first), or None if it is not that shape."""
        terms: list[ast.expr] = []
        self._terms(node, terms)
        if len(terms) < 2:
            return None
        weights, inputs, bias = [], [], None
        for term in terms:
            if isinstance(term, ast.Name) and bias is None:
                bias = self.env[term.id]
            elif (
                isinstance(term, ast.BinOp) and isinstance(term.op, ast.Mult)
                and isinstance(term.left, ast.Name) and isinstance(term.right, ast.Name)
            ):
                a, b = term.left.id, term.right.id
                if b in self.parameters and a not in self.parameters:
                    a, b = b, a  # the weight goes first, as in w·x
                weights.append(self.env[a])
                inputs.append(self.env[b])
            else:
                return None
        if not weights:
            return None
        return dot(weights, inputs, bias)

    def _terms(self, node: ast.expr, out: list[ast.expr]) -> None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            self._terms(node.left, out)
            self._terms(node.right, out)
        else:
            out.append(node)


def show(expr: str, name: Callable[[str], T], number: Callable[[float], T]) -> T:
    """An expression in the documents' notation, each name written by `name` (a symbol, or its number)."""
    text, _ = _show(ast.parse(expr, mode="eval").body, name, number)
    return text


_FUNCTION_TEXT = {
    "sigmoid": (r"\sigma\left(", r"\right)", "σ(", ")"),
    "tanh": (r"\tanh\left(", r"\right)", "tanh(", ")"),
    "relu": (r"\max\left(0, ", r"\right)", "max(0, ", ")"),
    "exp": (r"e^{", "}", "exp(", ")"),
    "log": (r"\log\left(", r"\right)", "log(", ")"),
    "sqrt": (r"\sqrt{", "}", "sqrt(", ")"),
}


def _show(node: ast.expr, name, number) -> tuple[T, float]:
    """(text, precedence): 1 sums, 1.5 negative numbers, 2 products, 3 signs, 4 powers, 5 atoms."""
    if isinstance(node, ast.Name):
        text = name(node.id)
        return text, 1.5 if text.plain.startswith("-") else 5
    if isinstance(node, ast.Constant):
        text = number(_constant(node))
        return text, 1.5 if text.plain.startswith("-") else 5
    if isinstance(node, ast.UnaryOp):
        inner = _wrap(_show(node.operand, name, number), 3)
        return ("-" if isinstance(node.op, ast.USub) else "+") + inner, 3
    if isinstance(node, ast.Call):
        a, b, c, d = _FUNCTION_TEXT[_called(node)]
        inner, _ = _show(node.args[0], name, number)
        return T(a, c) + inner + T(b, d), 5
    assert isinstance(node, ast.BinOp), node  # the only node _parse lets through besides these
    left, right = _show(node.left, name, number), _show(node.right, name, number)
    if isinstance(node.op, ast.Add | ast.Sub):
        sign = " + " if isinstance(node.op, ast.Add) else " - "
        return _wrap(left, 1) + sign + _wrap(right, 2), 1
    if isinstance(node.op, ast.Mult):
        return _wrap(left, 2) + T(r" \cdot ", " · ") + _wrap(right, 3), 2
    if isinstance(node.op, ast.Div):
        top, bottom = left[0], right[0]
        plain = _wrap(left, 3).plain + " / " + _wrap(right, 4).plain
        return T(rf"\frac{{{top.latex}}}{{{bottom.latex}}}", plain), 2
    base, power = _wrap(left, 5), right[0]
    return T(f"{base.latex}^{{{power.latex}}}", f"{base.plain}^{power.plain}"), 4


def _wrap(shown: tuple[T, float], at_least: float) -> T:
    text, precedence = shown
    if precedence >= at_least:
        return text
    return T(r"\left(", "(") + text + T(r"\right)", ")")


def _constant(node: ast.Constant) -> float:
    """A number in a formula (_parse lets no other constant through)."""
    assert isinstance(node.value, int | float), node.value
    return float(node.value)


def _called(node: ast.Call) -> str:
    """The name of the function a call calls (_parse lets only calls of a name through)."""
    assert isinstance(node.func, ast.Name), node.func
    return node.func.id
