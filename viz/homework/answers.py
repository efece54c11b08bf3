"""Answers files: the numbers a student wrote, and the names they may use for them.

One `name = number` per line (`#` starts a comment). `[pass 2]` makes the names below it
refer to forward pass 2 (after one update); in a problem of several examples
`[example 2]` (or `[pass 2, example 2]`) makes them refer to example 2. `catalogue`
lists every name a problem has (see viz.homework.check for what they mean); a line
that cannot be marked keeps its reason in `Answer.problem`, so the others still are.
"""

from __future__ import annotations

import difflib
import math
import pathlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from nn import labels as notation
from viz.homework.problem import Problem
from viz.homework.replay import Flat, Key, graph_of, passes

Name = tuple[str, str, int]  # (kind, label, example) of a key, without its pass

_LINE = re.compile(r"^(?P<name>[^=]+?)\s*=\s*(?P<number>\S+)$")
_SECTION = re.compile(r"^\[\s*(?:pass\s+(?P<p>\d+))?\s*,?\s*(?:example\s+(?P<e>\d+))?\s*\]$")
_SYMBOLS = (("∂", "d"), ("ŷ", "y_hat"), ("σ", "sigmoid"), ("δ", "delta"), ("’", "'"), ("′", "'"),
            ("−", "-"))
_LOSS_NAMES = ("L", "l", "loss", "Loss", "E", "J", "C")
_PRIME = re.compile(r"(?P<f>sigmoid|tanh|relu|f|g)'\((?P<x>.+)\)")
_BIAS_WEIGHT = re.compile(r"w_?(\d+),?0(\^\(\d+\))")  # w10^(1): neuron 1's weight for the bias input x0
_MAX_DECIMALS = 340  # past the smallest float (5e-324) a number has no more digits to check


class AnswersError(ValueError):
    """An answers file that cannot be read; the message names the file and what was expected."""


@dataclass
class Answer:
    """One number a student wrote down."""

    name: str          # as written: 'dL/dw11^(2)'
    text: str          # the number as written: '-0.04635772'
    line: int
    key: Key           # (pass, kind, label, example); until resolve(), (pass, '', '', example section)
    problem: str = ""  # why the line cannot be marked ('' if it can)
    sign: float = 1.0  # -1: the number written is minus the one named (a bias as w_j0 of the input -1)

    @property
    def value(self) -> float:
        """The number as the engine has it (the sign of a bias written as the weight w_j0 undone)."""
        return self.sign * float(self.text)

    @property
    def decimals(self) -> int:
        """How many decimal places the number was written with (1.2e-3 has 4)."""
        exponent = Decimal(self.text).as_tuple().exponent
        return max(-exponent, 0) if isinstance(exponent, int) else 0


def read_answers(path: str | pathlib.Path) -> list[Answer]:
    """Read an answers file (see the module docstring); a file with no answer line in it is an error."""
    path = pathlib.Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise AnswersError(f"{path}: not a text file of answers (it is not UTF-8)") from None
    except OSError as error:
        raise AnswersError(f"{path}: cannot read the answers file ({error.strerror or error})") from None
    answers = parse_answers(lines, str(path))
    if not any(not a.problem for a in answers):
        raise AnswersError(f"{path}: no line of the form `name = number` (e.g. `y_hat = 0.1196`): "
                           "is it an answers file?")
    return answers


def parse_answers(lines: list[str], where: str = "<answers>") -> list[Answer]:
    """The answers in `lines`, each with its pass and example section; a bad line is kept with its problem."""
    answers = []
    current, example = 1, 0
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        section = _SECTION.match(line)
        if section and (section["p"] or section["e"]):
            current = int(section["p"]) if section["p"] else current
            example = int(section["e"]) if section["e"] else 0
            continue
        m = _LINE.match(line)
        if not m:
            why = "expected `name = number` (e.g. `y_hat = 0.1196`), `[pass 2]` or `[example 2]`"
            answers.append(Answer(line[:40], "", number, (current, "", "", example), why))
            continue
        answers.append(Answer(m["name"].strip(), m["number"], number, (current, "", "", example),
                              _number_problem(m["number"])))
    return answers


def catalogue(problem: Problem, flat: Flat | None = None) -> dict[int, dict[str, Name]]:
    """Every name an answer can use, by example section (0: outside any), each with what it names."""
    flat = flat or graph_of(problem)
    several = len(flat.losses)
    sections: dict[int, dict[str, Name]] = {}
    for s in range(several + 1):
        names: dict[str, Name] = {}
        shared = set(flat.parameters.values())
        scope = [k for k, v in enumerate(flat.order) if v.label and (flat.example[k] == s or k in shared)]
        for k in scope:
            v, e = flat.order[k], flat.example[k]
            names[v.label] = ("data", v.label, e)
            parameter = k in flat.parameters.values()
            if several and s == 0 and not parameter:
                continue  # the nodes that combine the examples' losses: their gradients are not recorded
            names[f"dL/d{v.label}"] = ("grad", v.label, s if parameter else e)
            parsed = notation.parse(v.label)
            if parsed and parsed[0] == "z":
                names[f"delta{parsed[2]}^({parsed[1]})"] = ("grad", v.label, e)
            for u in _named_inputs(flat, k):
                x = flat.order[u].label
                edge = ("local", f"{v.label}/{x}", e)
                names[f"d{v.label}/d{x}"] = edge
                if flat.inputs[k] == [u]:
                    names[f"f'({x})"] = edge
                    if v.op in ("sigmoid", "tanh", "relu"):
                        names[f"{v.op}'({x})"] = edge
        if problem.lr is not None:
            for p in flat.parameters:
                names[f"new {p}"] = ("new", p, 0)
                names[f"Δ{p}"] = ("change", p, 0)
        loss = flat.order[flat.losses[s - 1] if s else flat.loss].label
        for alias in _LOSS_NAMES:  # under [example k], the loss is example k's
            if alias not in names or s:
                names[alias] = ("data", loss, s if s else flat.example[flat.loss])
        outputs = _outputs(problem, flat)
        for j, y in enumerate(outputs, 1):
            e = s if several else 0
            if s or not several:
                names.setdefault(f"y_hat_{j}", ("data", y, e))
                names.setdefault(f"y_hat{j}" if len(outputs) > 1 else "y_hat", ("data", y, e))
        for alias, (kind, label, _) in list(names.items()):  # dL/dy_hat, dL/dloss: for the suggestions
            if kind == "data" and alias != label and f"dL/d{label}" in names:
                names.setdefault(f"dL/d{alias}", names[f"dL/d{label}"])
        sections[s] = names
    return sections


def _named_inputs(flat: Flat, k: int) -> list[int]:
    """The named nodes node k is made from, directly or through unnamed ones (s3 = h1*w5 + ...: h1, w5)."""
    found: list[int] = []
    todo = list(flat.inputs[k])
    while todo:
        u = todo.pop(0)
        if flat.order[u].label:
            if u not in found:
                found.append(u)
        else:
            todo += flat.inputs[u]
    return found


def resolve(answers: list[Answer], problem: Problem, flat: Flat | None = None) -> None:
    """Give each answer its key (pass, kind, label, example), or the reason it cannot be marked."""
    flat = flat or graph_of(problem)
    names = catalogue(problem, flat)
    several = len(flat.losses)
    total = passes(problem)
    seen: dict[Key, Answer] = {}
    for a in answers:
        if a.problem:
            continue
        n, section = a.key[0], a.key[3]
        if not 1 <= n <= total:
            a.problem = f"there is no [pass {n}]: this problem has passes 1 to {total}"
        elif section > several and not (section == 1 and not several):
            a.problem = (f"there is no [example {section}]: this problem has "
                         + (f"examples 1 to {several}" if several else "one example"))
        else:
            section = section if several else 0
            name = a.name
            if problem.conventions.bias_input is not None and _BIAS_WEIGHT.search(name):
                # the sheet's bias input x0 = c: w_j0 = b_j / c, and each of its numbers is c times b_j's
                name, a.sign = _BIAS_WEIGHT.sub(r"b\1\2", name), problem.conventions.bias_input
            found = _lookup(name, names, section, several)
            if isinstance(found, str):
                a.problem = found
            else:
                a.key = (n, *found)
                if a.key in seen:
                    first = seen[a.key]
                    a.problem = f"the same value as `{first.name}` on line {first.line}, marked there"
                else:
                    seen[a.key] = a


def _lookup(name: str, names: dict[int, dict[str, Name]], section: int, several: int) -> Name | str:
    """What `name` names in `section`, or why it names nothing (with the names nearest to it)."""
    here = names[section]
    text = name
    for symbol, ascii_ in _SYMBOLS:
        text = text.replace(symbol, ascii_)
    if re.match(r"new\s", text):
        wanted = "new " + _value(text[4:].strip().replace(" ", ""), here)
    else:
        compact = text.replace(" ", "")
        wanted = _value(compact, here)
        change = re.fullmatch(r"(?:Δ|Delta|delta)(?P<p>[A-Za-z].*)", compact)
        derivative = re.fullmatch(r"d(?P<of>[^/]+)/d(?P<by>.+)", compact)
        prime = _PRIME.fullmatch(compact)
        if change and f"Δ{_value(change['p'], here)}" in here:
            wanted = f"Δ{_value(change['p'], here)}"
        elif derivative:
            of, by = derivative["of"], derivative["by"]
            per_example = re.fullmatch(r"(?:loss|L|E|l)_?(\d+)", of)
            if per_example and 1 <= int(per_example[1]) <= several:  # dloss2/dw: example 2's share
                here = names[int(per_example[1])]
                of = "L"
            if of in _LOSS_NAMES or here.get(of, ("", "", 0))[1] == here["L"][1]:
                wanted = f"dL/d{_value(by, here)}"
            else:
                wanted = f"d{_value(of, here)}/d{_value(by, here)}"
        elif prime:
            wanted = f"{prime['f'] if prime['f'] != 'g' else 'f'}'({_value(prime['x'], here)})"
    if wanted in here:
        return here[wanted]
    other = _PRIME.fullmatch(wanted)
    if other and f"f'({other['x']})" in here:  # tanh'(z) where z goes into a sigmoid
        x = other["x"]
        its = [f"{op}'({x})" for op in ("sigmoid", "tanh", "relu", "f") if f"{op}'({x})" in here]
        return f"`{name}`: {x} goes into another function here: write {' or '.join(its)}"
    updated = re.fullmatch(r"(?:new |Δ)(?P<p>.+)", wanted)
    if updated and updated["p"] in here:
        params = sorted(label for label, kind in ((n[4:], k[0]) for n, k in here.items()) if kind == "new")
        if not params:
            return f"`{name}`: the problem has no learning rate, so nothing is updated"
        return f"`{name}`: only a parameter is updated; the parameters are {', '.join(params)}"
    if several and section == 0 and any(wanted in names[k] for k in range(1, several + 1)):
        return f"`{name}` is a number of each example: write it under [example 1] ... [example {several}]"
    close = difflib.get_close_matches(wanted, list(here), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see `micrograd check --help` for the names"
    return f"`{name}` names no value of this problem{hint}"


def _value(name: str, names: dict[str, Name]) -> str:
    """A value's label from an alias (y_hat, loss, L) or the label itself."""
    found = names.get(name)
    return found[1] if found and found[0] == "data" else name


def _outputs(problem: Problem, flat: Flat) -> list[str]:
    if problem.graph is not None:
        return [problem.graph.output] if problem.graph.output else []
    named = sorted({v.label for v in flat.order if v.label.startswith("y_hat")})
    if named:
        return named
    last = len(problem.layers)
    count = len(problem.layers[-1].weights)
    kind = "z" if problem.layers[-1].activation == "linear" else "a"
    return [f"{kind}{j}^({last})" for j in range(1, count + 1)]


def _number_problem(text: str) -> str:
    """Why `text` cannot be marked as a number ('' if it can)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return f"{text[:40]!r} is not a number"
    if not number.is_finite() or abs(number.adjusted()) > 308 or not math.isfinite(float(number)):
        return f"{text[:40]} is not a number a float holds (from 1e-308 to 1e308)"
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > _MAX_DECIMALS:
        return f"{text[:40]} has more decimals than a float holds"
    return ""
