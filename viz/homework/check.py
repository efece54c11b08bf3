"""`micrograd check PROBLEM ANSWERS`: mark a student's numbers, and say truthfully where a wrong one is from.

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
- cut: the recomputation, cut off instead of rounded (wrong answers it used are named);
- sign, convention: it is the recomputation with the other sign, or under another
  convention (the loss with or without ½, a sum for a mean, delta = -dL/dz, Δw as the
  amount taken away, a bias on a constant input -1), or an update up the gradient;
- wrong: none of these; the slip is in this step.
A line that cannot be marked (an unknown name, a number that is not one) is a warning
with its line number; the other lines are still marked.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from nn import labels as notation
from viz.homework.answers import Answer, AnswersError, catalogue, parse_answers, read_answers, resolve
from viz.homework.problem import Problem
from viz.homework.replay import Flat, Key, graph_of, replay

__all__ = ["Answer", "AnswersError", "Verdict", "catalogue", "check", "parse_answers", "read_answers",
           "report", "resolve"]


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
        """The student's own numbers give the one written: the step is right (carried, or rounding)."""
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
            but = tail.get(self.kind, "but that does not explain it")
            why.append(f"computed from {names}, which {which} wrong, {but}")
        mine = f"{self.recomputed:.10g}" if self.recomputed is not None else ""
        if self.kind == "carried":
            why[-1] += f": from your own numbers it comes to {mine}"
        elif self.kind == "rounding":
            why.append("your rounding of earlier numbers explains it: "
                       f"from your own numbers it comes to {mine}")
        if self.hint:
            why.append(self.hint)
        text = f"{head}   exact {_shown(self.exact, a.decimals)} ({self.exact:.12g})"
        return text + ("\n         " + "; ".join(why) if why else "")


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
        v = Verdict(a, a.sign * exact[key], _rounds_to(exact[key], a.value, a.decimals))
        if not v.right:
            _diagnose(v, [verdicts[k] for k in sources[key]], student, problem, len(flat.losses),
                      _made_by(flat, key, by_key))
        verdicts[key] = v
    return [verdicts[a.key] if not a.problem else Verdict(a, math.nan, False, "unmarked", hint=a.problem)
            for a in answers]


def report(verdicts: list[Verdict], title: str = "") -> str:
    """The verdicts as text: a count, the lines that could not be marked, then each answer."""
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


def _diagnose(v: Verdict, sources: list[Verdict], student: dict[Key, float], problem: Problem,
              several: int, made_by: str) -> None:
    """Why a wrong answer is wrong: carried, rounding, cut, sign, convention or wrong (module docstring)."""
    a = v.answer
    mine = student[a.key]
    v.recomputed = a.sign * mine if sources else None  # as the student writes it
    # the wrong answers its error starts from; one whose own step is right (or only cut off) passes it on
    v.causes = sorted((s.answer for s in sources if not s.right and not s.explained
                       and not (s.kind == "cut" and s.causes)), key=lambda c: c.line)
    d = a.decimals
    if sources and _rounds_to(mine, a.value, d):
        v.kind = "carried" if v.causes else "rounding"
        return
    if math.isclose(math.trunc(mine * 10**d) / 10**d, a.value, abs_tol=10.0 ** -(d + 3)):
        v.kind = "cut"
        places = f"{d} decimal{'s' if d != 1 else ''}"
        v.hint = f"{a.text} is {made_by}{mine:.12g} cut off at {places}; rounded, it is {_shown(mine, d)}"
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
            return "sign", (f"that is the update with the sign flipped: {label} - lr · dL/d{label} "
                            f"gives {mine:.10g}")
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
    node = next((k for k, v in enumerate(flat.order) if v.label == label and flat.example[k] == example),
                None)
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


