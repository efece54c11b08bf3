"""`micrograd check PROBLEM ANSWERS`: mark a student's numbers, and say where a wrong one comes from.

An answers file has one `name = number` per line (`#` starts a comment); a line
`[pass 2]` makes the names below it refer to forward pass 2 (after one update):

    a2^(1) = 0.999          # a value: x1, w12^(1), z1^(2), a1^(1), y_hat, loss, h1, Div ...
    dL/dw11^(2) = -0.0464   # a gradient; also delta1^(2) (= dL/dz1^(2)) and dDiv/dw1
    new w11^(2) = 2.0927    # a parameter after this pass's update

A number is right when it is the exact value rounded to the decimals written. A
wrong one is traced back: the earliest wrong answers it was computed from are
named, and it is recomputed from the student's own earlier numbers (see
viz.homework.replay); if that gives the number written, to within one unit in its last
digit, the student's own rounding of those numbers explains it.
"""

from __future__ import annotations

import difflib
import math
import pathlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from viz.homework.problem import Problem
from viz.homework.replay import Key, graph_of, passes, replay

_LINE = re.compile(r"^(?P<name>[^=]+?)\s*=\s*(?P<number>\S+)$")
_SECTION = re.compile(r"^\[\s*pass\s+(\d+)\s*\]$")


class AnswersError(ValueError):
    """An answers file that cannot be read; the message names the file, the line and what was expected."""


@dataclass
class Answer:
    """One number a student wrote down."""

    name: str          # as written: 'dL/dw11^(2)'
    text: str          # the number as written: '-0.04635772'
    line: int
    key: Key           # (pass, kind, label); until resolve() gives the rest, (pass, '', '')

    @property
    def value(self) -> float:
        return float(self.text)

    @property
    def decimals(self) -> int:
        """How many decimal places the number was written with (1.2e-3 has 4)."""
        exponent = Decimal(self.text).as_tuple().exponent
        return -exponent if isinstance(exponent, int) else 0


@dataclass
class Verdict:
    """What check says about one answer."""

    answer: Answer
    exact: float
    right: bool
    causes: list[Answer] = field(default_factory=list)  # the earliest wrong answers it was computed from
    recomputed: float | None = None                     # from the student's own earlier numbers
    explained: bool = False                             # the student's rounding explains it
    hint: str = ""

    def line(self) -> str:
        """The verdict for a terminal: one line if right; if wrong, a second line says why."""
        a = self.answer
        head = f"{'ok   ' if self.right else 'WRONG'}  {a.name} = {a.text}"
        if self.right:
            return head
        why = []
        if self.causes:
            names = ", ".join(f"{c.name} = {c.text}" for c in self.causes)
            why.append(f"computed from {names}, which {'is' if len(self.causes) == 1 else 'are'} wrong")
        if self.explained:
            whose = "and that explains it" if self.causes else "your rounding of earlier numbers explains it"
            why.append(f"{whose}: from your own numbers it comes to {self.recomputed:.10g}")
        elif self.recomputed is not None and not self.hint:
            why.append(f"the slip is in this step: from your own numbers it would be {self.recomputed:.10g}")
        if self.hint:
            why.append(self.hint)
        text = f"{head}   exact {_shown(self.exact, a.decimals)} ({self.exact:.12g})"
        return text + ("\n         " + ", ".join(why) if why else "")


def read_answers(path: str | pathlib.Path) -> list[Answer]:
    """Read an answers file (see the module docstring)."""
    path = pathlib.Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise AnswersError(f"{path}: cannot read the answers file ({error.strerror or error})") from None
    return parse_answers(lines, str(path))


def parse_answers(lines: list[str], where: str = "<answers>") -> list[Answer]:
    """The answers in `lines`, each with its pass: (pass, 'name', number text)."""
    answers, current = [], 1
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        section = _SECTION.match(line)
        if section:
            current = int(section[1])
            continue
        m = _LINE.match(line)
        if not m or not _is_number(m["number"]):
            raise AnswersError(
                f"{where}, line {number}: expected `name = number` (e.g. `y_hat = 0.1196`) or `[pass 2]`, "
                f"got {raw.strip()!r}"
            )
        answers.append(Answer(m["name"].strip(), m["number"], number, (current, "", "")))
    return answers


def resolve(answers: list[Answer], problem: Problem) -> None:
    """Give each answer its key (pass, kind, label); unknown names are an error that lists the known ones."""
    if len(problem.x) > 1:
        count = len(problem.x)
        raise AnswersError(f"{problem.path}: check works on problems with one example; this one has {count}")
    order, loss, params = graph_of(problem)
    labels = {v.label for v in order if v.label}
    aliases = {"loss": loss.label, "L": loss.label}
    outputs = _outputs(problem, order)
    for k, y in enumerate(outputs, 1):
        aliases[f"y_hat{k}"] = y
        aliases["y_hat" if len(outputs) == 1 else f"y_hat_{k}"] = y
    total = passes(problem)
    for a in answers:
        n = a.key[0]
        if not 1 <= n <= total:
            raise AnswersError(f"line {a.line}: there is no [pass {n}]: this problem has passes 1 to {total}")
        a.key = _key(a.name, n, labels, aliases, params, loss.label, problem)
    seen: dict[Key, Answer] = {}
    for a in answers:
        if a.key in seen:
            first = seen[a.key]
            raise AnswersError(
                f"line {a.line}: `{a.name}` is the same value as `{first.name}` on line {first.line}"
            )
        seen[a.key] = a


def check(problem: Problem, answers: list[Answer]) -> list[Verdict]:
    """A verdict for every answer, in the order given."""
    resolve(answers, problem)
    tracked = {a.key for a in answers}
    exact, sources = replay(problem, {}, tracked)
    given = {a.key: a.value for a in answers}
    student, _ = replay(problem, given, tracked)
    by_key = {a.key: a for a in answers}
    nodes = {v.label: v for v in graph_of(problem)[0] if v.label}
    verdicts = {}
    for a in answers:
        truth = exact[a.key]
        verdicts[a.key] = Verdict(a, truth, _rounds_to(truth, a))
    for key, v in verdicts.items():
        if v.right:
            continue
        wrong = [k for k in sources[key] if not verdicts[k].right]
        v.causes = [by_key[k] for k in wrong if all(verdicts[j].right for j in sources[k])]
        v.causes.sort(key=lambda c: c.line)
        if sources[key]:
            v.recomputed = student[key]
            off = abs(v.recomputed - v.answer.value)
            # within one unit of the last digit (students round as they go), and nearer than the exact value
            unit = 10.0 ** -v.answer.decimals
            v.explained = off <= unit * (1 + 1e-9) and off < abs(v.exact - v.answer.value)
        v.hint = _hint(v, _made_by(nodes.get(key[2]), key, by_key) if key[1] == "data" else "")
    return [verdicts[a.key] for a in answers]


def report(verdicts: list[Verdict], title: str = "") -> str:
    """The verdicts as lines of text, with a count first."""
    wrong = sum(not v.right for v in verdicts)
    head = f"{title}: " if title else ""
    lines = [f"{head}{len(verdicts)} answers, {len(verdicts) - wrong} right, {wrong} wrong"]
    current = None
    for v in verdicts:
        if v.answer.key[0] != current:
            current = v.answer.key[0]
            lines.append(f"[pass {current}]")
        lines.append("  " + v.line())
    return "\n".join(lines) + "\n"


def _key(name: str, n: int, labels: set[str], aliases: dict[str, str], params: set[str], loss: str,
         problem: Problem) -> Key:
    compact = name.replace(" ", "").replace("∂", "d")
    if compact.startswith("new") and name.split()[0] == "new":
        label = aliases.get(name[3:].strip(), name[3:].strip())
        if label not in params:
            known = ", ".join(sorted(params))
            raise AnswersError(f"`{name}`: only a parameter is updated; parameters: {known}")
        if problem.lr is None:
            raise AnswersError(f"`{name}`: the problem has no learning rate, so nothing is updated")
        return (n, "new", label)
    m = re.fullmatch(r"delta(\d+)\^\((\d+)\)", compact)
    if m:
        return (n, "grad", _known(f"z{m[1]}^({m[2]})", labels, name, aliases))
    m = re.fullmatch(r"d(?P<of>[^/]+)/d(?P<by>.+)", compact)
    if m and (m["of"] in ("L", "l", "loss", loss) or aliases.get(m["of"]) == loss):
        by = aliases.get(m["by"], m["by"])
        return (n, "grad", _known(by, labels, name, aliases))
    return (n, "data", _known(aliases.get(compact, compact), labels, name, aliases))


def _known(label: str, labels: set[str], name: str, aliases: dict[str, str]) -> str:
    if label in labels:
        return label
    close = difflib.get_close_matches(label, sorted(labels | set(aliases)), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; names: {', '.join(sorted(labels))}"
    raise AnswersError(f"`{name}` names no value of this problem{hint}")


def _outputs(problem: Problem, order) -> list[str]:
    if problem.graph is not None:
        return [problem.graph.output] if problem.graph.output else []
    named = [v.label for v in order if v.label.startswith("y_hat")]
    if named:
        return named
    last = len(problem.layers)
    count = len(problem.layers[-1].weights)
    kind = "z" if problem.layers[-1].activation == "linear" else "a"
    return [f"{kind}{j}^({last})" for j in range(1, count + 1)]


def _rounds_to(exact: float, a: Answer) -> bool:
    """Is the number written the exact value rounded to as many decimals as it has?"""
    return abs(exact - a.value) <= 0.5 * 10.0 ** -a.decimals * (1 + 1e-9) + 1e-12


def _made_by(node, key: Key, by_key: dict) -> str:
    """'sigmoid(24) = ' for a value a function made from one named input, in the student's numbers."""
    if node is None or node.op not in ("sigmoid", "tanh", "relu", "exp", "log") or not node.inputs[0].label:
        return ""
    source = node.inputs[0]
    given = by_key.get((key[0], "data", source.label))
    return f"{node.op}({given.text if given else f'{source.data:.10g}'}) = "


def _hint(v: Verdict, made_by: str = "") -> str:
    a, d = v.answer, v.answer.decimals
    if v.causes or v.explained:
        return ""
    cut = math.trunc(v.exact * 10**d) / 10**d
    if math.isclose(cut, a.value, abs_tol=10.0 ** -(d + 3)):
        exact = f"{made_by}{v.exact:.12g}"
        return f"{a.text} is {exact} cut off at {d} decimals; rounded, it is {_shown(v.exact, d)}"
    right = _shown(v.exact, d)
    if len(right) == len(a.text) and sorted(right) == sorted(a.text):
        diff = [k for k, (x, y) in enumerate(zip(right, a.text)) if x != y]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            return f"two digits look swapped ({right})"
    return ""


def _shown(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}"


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(Decimal(text)))
    except (InvalidOperation, ValueError):
        return False
