"""`micrograd check PROBLEM ANSWERS`: mark a student's numbers, and say truthfully where a wrong one comes from.

An answers file has one `name = number` per line (`#` starts a comment). `[pass 2]`
makes the names below it refer to forward pass 2 (after one update); in a problem of
several examples `[example 2]` (or `[pass 2, example 2]`) makes them refer to example 2:

    a2^(1) = 0.999          # a value: x1, w12^(1), z1^(2), a1^(1), y_hat, loss, h1, Div ...
    dL/dw11^(2) = -0.0464   # a gradient: dL/d any value (dL/dy_hat, dL/da1^(1), dDiv/dx1)
    delta1^(2) = -0.0925    # = dL/dz1^(2)
    sigmoid'(z1^(2)) = 0.1  # a local derivative: also tanh'(z), relu'(z), f'(z), da1^(1)/dz1^(1)
    Δw11^(2) = 0.0927       # what the update adds (new - old); also `Delta w11^(2)`
    new w11^(2) = 2.0927    # a parameter after this pass's update

Under `[example k]`, `loss` is that example's loss and dL/d... its gradients (for a
parameter: that example's share); outside, they are the total's.

A number is right when it is the exact value rounded to the decimals written. A wrong
one is recomputed from the student's own earlier numbers (viz.homework.replay), and the
verdict says what that shows:
- carried: the recomputation gives the number written, and a wrong answer flows into it
  through the graph; that answer is named;
- rounding: the recomputation gives the number written from answers that are all right:
  the student's own rounding of them explains it;
- sign, convention: it is the recomputation with the other sign, or under another
  convention (the loss with or without ½, a sum for a mean, delta = -dL/dz, Δw as the
  amount taken away, a bias on a constant input -1);
- wrong: none of these; the slip is in this step.
A line that cannot be marked (an unknown name, a number that is not one) is a warning
with its line number; the other lines are still marked.
"""

from __future__ import annotations

import difflib
import math
import pathlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from nn import labels as notation
from viz.homework.problem import Problem
from viz.homework.replay import Flat, Key, graph_of, passes, replay

Name = tuple[str, str, int]  # (kind, label, example) of a key, without its pass

_LINE = re.compile(r"^(?P<name>[^=]+?)\s*=\s*(?P<number>\S+)$")
_SECTION = re.compile(r"^\[\s*(?:pass\s+(?P<p>\d+))?\s*,?\s*(?:example\s+(?P<e>\d+))?\s*\]$")
_SYMBOLS = (("∂", "d"), ("ŷ", "y_hat"), ("σ", "sigmoid"), ("δ", "delta"), ("’", "'"), ("′", "'"),
            ("−", "-"))
_LOSS_NAMES = ("L", "l", "loss", "Loss", "E", "J", "C")
_PRIME = re.compile(r"(?P<f>sigmoid|tanh|relu|f|g)'\((?P<x>.+)\)")
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

    @property
    def value(self) -> float:
        return float(self.text)

    @property
    def decimals(self) -> int:
        """How many decimal places the number was written with (1.2e-3 has 4)."""
        exponent = Decimal(self.text).as_tuple().exponent
        return max(-exponent, 0) if isinstance(exponent, int) else 0


@dataclass
class Verdict:
    """What check says about one answer."""

    answer: Answer
    exact: float
    right: bool
    kind: str = "right"   # right, carried, rounding, cut, sign, convention, wrong; unmarked (a warning)
    causes: list[Answer] = field(default_factory=list)  # the wrong answers it was computed from
    recomputed: float | None = None                     # from the student's own earlier numbers
    hint: str = ""

    @property
    def explained(self) -> bool:
        """The student's numbers give the one written: the step is right (the error is carried or rounding)."""
        return self.kind in ("carried", "rounding")

    def line(self) -> str:
        """The verdict for a terminal: one line if right; if wrong, a second line says why."""
        a = self.answer
        if self.kind == "unmarked":
            return f"?      line {a.line}: {a.name} = {a.text}: {self.hint} (not marked)"
        head = f"{'ok   ' if self.right else 'WRONG'}  {a.name} = {a.text}"
        if self.right:
            return head
        why = []
        if self.causes:
            names = ", ".join(f"{c.name} = {c.text}" for c in self.causes)
            which = "is" if len(self.causes) == 1 else "are"
            tail = {"carried": "and that explains it", "cut": "and that explains it but for the last digit"}
            why.append(f"computed from {names}, which {which} wrong, {tail.get(self.kind, 'but that does not explain it')}")
        mine = f"{self.recomputed:.10g}" if self.recomputed is not None else ""
        if self.kind == "carried":
            why[-1] += f": from your own numbers it comes to {mine}"
        elif self.kind == "rounding":
            why.append(f"your rounding of earlier numbers explains it: from your own numbers it comes to {mine}")
        if self.hint:
            why.append(self.hint)
        text = f"{head}   exact {_shown(self.exact, a.decimals)} ({self.exact:.12g})"
        return text + ("\n         " + "; ".join(why) if why else "")


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
    if lines and not any(not a.problem for a in answers):
        raise AnswersError(f"{path}: no line of the form `name = number` (e.g. `y_hat = 0.1196`): "
                           "is it an answers file?")
    return answers


def parse_answers(lines: list[str], where: str = "<answers>") -> list[Answer]:
    """The answers in `lines`, each with its pass and example section; a bad line is kept, with its problem."""
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
            for u in flat.inputs[k]:
                x = flat.order[u].label
                if not x:
                    continue
                edge = ("local", f"{v.label}/{x}", e)
                names[f"d{v.label}/d{x}"] = edge
                if len(flat.inputs[k]) == 1:
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
        sections[s] = names
    return sections


def resolve(answers: list[Answer], problem: Problem, flat: Flat | None = None) -> None:
    """Give each answer its key (pass, kind, label, example), or the problem that keeps it from being marked."""
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
            found = _lookup(a.name, names, section, several)
            if isinstance(found, str):
                a.problem = found
            else:
                a.key = (n, *found)
                if a.key in seen:
                    first = seen[a.key]
                    a.problem = f"the same value as `{first.name}` on line {first.line}, marked there"
                else:
                    seen[a.key] = a


def check(problem: Problem, answers: list[Answer]) -> list[Verdict]:
    """A verdict for every answer, in the order given (a line that cannot be marked: kind 'unmarked')."""
    flat = graph_of(problem)
    resolve(answers, problem, flat)
    marked = [a for a in answers if not a.problem]
    tracked = {a.key for a in marked}
    upto = max((a.key[0] for a in marked), default=1)
    exact, sources = replay(problem, {}, tracked, upto)
    student, _ = replay(problem, {a.key: a.value for a in marked}, tracked, upto)
    by_key = {a.key: a for a in marked}
    verdicts: dict[Key, Verdict] = {}
    for key in (k for k in exact if k in by_key):  # in the order of the computation: causes come first
        a = by_key[key]
        v = Verdict(a, exact[key], _rounds_to(exact[key], a.value, a.decimals))
        if not v.right:
            _diagnose(v, [verdicts[k] for k in sources[key]], student, problem, len(flat.losses),
                      _made_by(flat, key, by_key))
        verdicts[key] = v
    return [verdicts[a.key] if not a.problem else Verdict(a, math.nan, False, "unmarked", hint=a.problem)
            for a in answers]


def report(verdicts: list[Verdict], title: str = "") -> str:
    """The verdicts as lines of text: a count first, then the lines that could not be marked, then each answer."""
    marked = [v for v in verdicts if v.kind != "unmarked"]
    wrong = sum(not v.right for v in marked)
    head = f"{title}: " if title else ""
    skipped = len(verdicts) - len(marked)
    lines = [f"{head}{len(marked)} answers, {len(marked) - wrong} right, {wrong} wrong"
             + (f", {skipped} line(s) not marked" if skipped else "")]
    lines += [f"  warning: {v.line()[7:]}" for v in verdicts if v.kind == "unmarked"]
    current = None
    for v in marked:
        n, example = v.answer.key[0], v.answer.key[3]
        if (n, example) != current:
            current = (n, example)
            lines.append(f"[pass {n}, example {example}]" if example else f"[pass {n}]")
        lines.append("  " + v.line())
    return "\n".join(lines) + "\n"


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


def _diagnose(v: Verdict, sources: list[Verdict], student: dict[Key, float], problem: Problem,
              several: int, made_by: str) -> None:
    """Why a wrong answer is wrong: carried, rounding, cut, sign, convention or wrong (see the module docstring)."""
    a = v.answer
    mine = student[a.key]
    v.recomputed = mine if sources else None
    # the wrong answers its error starts from; one whose own step is right (or only cut off) passes it on
    v.causes = sorted((s.answer for s in sources if not s.right and not s.explained
                       and not (s.kind == "cut" and s.causes)), key=lambda c: c.line)
    d = a.decimals
    if sources and _rounds_to(mine, a.value, d):
        v.kind = "carried" if v.causes else "rounding"
        return
    if math.isclose(math.trunc(mine * 10**d) / 10**d, a.value, abs_tol=10.0 ** -(d + 3)):
        v.kind = "cut"
        v.hint = (f"{a.text} is {made_by}{mine:.12g} cut off at {d} decimals; rounded, it is {_shown(mine, d)}")
        return
    v.kind, v.hint = _other_way(a, mine, student, problem, several)
    if v.kind == "wrong":
        v.hint = _slip(a, mine, bool(sources))


def _other_way(a: Answer, mine: float, student: dict[Key, float], problem: Problem, several: int
               ) -> tuple[str, str]:
    """('sign' or 'convention', why) if the number is `mine` written another way, else ('wrong', '')."""
    n, kind, label, example = a.key
    d = a.decimals
    if kind == "new":  # p + lr * g: the update went up the gradient
        old = student[(n, "data", label, 0)]
        if _rounds_to(2 * old - mine, a.value, d) and not math.isclose(old, mine):
            return "sign", f"that is the update with the sign flipped: {label} - lr · dL/d{label} gives {mine:.10g}"
    if mine != 0 and _rounds_to(-mine, a.value, d):
        if kind == "grad" and re.match(r"(?:delta|δ)", a.name):
            return "convention", (f"that is -dL/d{label}: the sheets' delta = -dE/dz; here delta is dL/dz "
                                  f"= {mine:.10g}")
        if kind == "change":
            return "convention", (f"that is lr · dL/d{label}, the amount taken away; here Δ is what the "
                                  f"update adds, new {label} - {label} = {mine:.10g}")
        if (notation.parse(label) or ("",))[0] == "b":
            return "convention", (f"that is a bias on a constant input -1 (z = w·x - b); here z = w·x + b, "
                                  f"which gives {mine:.10g}")
        return "sign", f"the sign is flipped: from your own numbers it is {mine:.10g}"
    if kind in ("grad", "change") or (kind == "data" and label.startswith("loss")):
        for factor, why in _conventions(problem, several if example == 0 else 1):
            if mine != 0 and _rounds_to(factor * mine, a.value, d):
                return "convention", f"{why}; with this problem's it is {mine:.10g}"
    return "wrong", ""


def _conventions(problem: Problem, examples: int) -> list[tuple[float, str]]:
    """(factor, why) for the other conventions a sheet may use: the number written is factor * ours."""
    out = []
    if problem.loss == "half-squared-error":
        out.append((2.0, "that is twice it: the loss without the ½, Σ(t - y)²; this problem's has the ½"))
    elif problem.loss in ("squared-error", "mean-squared-error"):
        out.append((0.5, "that is half of it: the loss with a ½, ½Σ(t - y)²; this problem's has none"))
    if examples > 1 and problem.reduction == "mean":
        out.append((float(examples), f"that is the sum over the {examples} examples; this problem takes "
                    "their mean (reduction = \"mean\")"))
    elif examples > 1:
        out.append((1.0 / examples, f"that is the mean over the {examples} examples; this problem sums them "
                    "(reduction = \"sum\")"))
    return out


def _slip(a: Answer, mine: float, own: bool) -> str:
    """A hint for a slip in this step: two digits swapped, or what the student's own numbers give."""
    right = _shown(mine, a.decimals)
    if len(right) == len(a.text) and sorted(right) == sorted(a.text):
        diff = [k for k, (x, y) in enumerate(zip(right, a.text)) if x != y]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            return f"two digits look swapped ({right})"
    if own:
        return f"the slip is in this step: from your own numbers it would be {mine:.10g}"
    return ""


def _made_by(flat: Flat, key: Key, by_key: dict[Key, Answer]) -> str:
    """'sigmoid(24) = ' for a value a function made from one named input, in the student's numbers."""
    n, kind, label, example = key
    node = next((k for k, v in enumerate(flat.order) if v.label == label and flat.example[k] == example), None)
    if kind != "data" or node is None or flat.order[node].op not in ("sigmoid", "tanh", "relu", "exp", "log"):
        return ""
    source = flat.order[flat.inputs[node][0]]
    if not source.label:
        return ""
    given = by_key.get((n, "data", source.label, example))
    return f"{flat.order[node].op}({given.text if given else f'{source.data:.10g}'}) = "


def _rounds_to(exact: float, value: float, decimals: int) -> bool:
    """Is `value` the number `exact` rounded to `decimals` places?"""
    return abs(exact - value) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9) + 1e-12


def _shown(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}"


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
