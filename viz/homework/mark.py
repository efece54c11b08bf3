"""`micrograd mark`: every student's answers against their own variant, with check's diagnosis.

Each answer gets one of KINDS, read off `micrograd check`'s verdict: right; rounding
(wrong only by the student's own rounding of earlier numbers, or written with fewer
decimals than the sheet asks); carried (computed rightly from an earlier wrong
answer); wrong (a slip in this step); missing. A wrong one also gets a cause that
reads the same for every variant (the sign, twice the value, another question's
value, check's hint), so a class's summary can count them.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import pathlib
import re
from collections import Counter
from dataclasses import dataclass, field

from viz.homework import check as checking
from viz.homework.classroom import Roster
from viz.homework.problem import Problem
from viz.homework.replay import Key, replay
from viz.homework.variant_spec import VariantError

KINDS = ("right", "rounding", "carried", "wrong", "missing")
CREDIT = {"right": 1.0, "rounding": 1.0, "carried": 1.0, "wrong": 0.0, "missing": 0.0}
_BLANK = re.compile(r"^\s*[^=#\[]+=\s*(#.*)?$")  # `name =` with no number: not answered


@dataclass
class Mark:
    """One question of one student: what they wrote, what it is, and why."""

    question: str
    kind: str
    written: str = ""
    exact: float = math.nan
    cause: str = ""
    words: str = ""     # check's own verdict, for the detail file


@dataclass
class Student:
    """One student's marks, in the order of the questions."""

    student: str
    file: str
    marks: list[Mark] = field(default_factory=list)
    note: str = ""

    def total(self, credit: dict[str, float]) -> float:
        return sum(credit[m.kind] for m in self.marks)


def answer_files(folder: str | pathlib.Path, roster: Roster) -> dict[str, pathlib.Path]:
    """Each student's answers file in `folder` (ID.txt or ID_answers.txt); unknown or twice: an error."""
    folder = pathlib.Path(folder)
    if not folder.is_dir():
        raise VariantError(f"{folder}: no such folder of answers files")
    known = set(roster.students)
    found: dict[str, pathlib.Path] = {}
    for path in sorted(folder.glob("*.txt")):
        if path.name.startswith("."):
            continue
        student = path.stem.removesuffix("_answers")
        if student not in known:
            close = difflib.get_close_matches(student, roster.students, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise VariantError(f"{path}: no student {student!r} in the class {roster.folder}{hint}: name "
                               "each answers file after its student's id, e.g. s017.txt")
        if student in found:
            raise VariantError(f"two answers files for {student}: {found[student].name} and {path.name}; "
                               "keep one")
        found[student] = path
    if not found:
        raise VariantError(f"{folder}: no answers files (ID.txt, one per student) in it")
    return found


def mark_student(roster: Roster, student: str, path: pathlib.Path | None) -> Student:
    """Mark one student's file (None: they handed nothing in) against their own variant and key."""
    problem, key = roster.problem(student), roster.key(student)
    checking.resolve(key, problem)
    result = Student(student, path.name if path else "")
    if path is None:
        result.marks = [Mark(column(q), "missing") for q in key]
        result.note = "no answers file"
        return result
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not _BLANK.match(line)]
        verdicts = checking.check(problem, checking.parse_answers(lines, str(path)))
    except (checking.AnswersError, OSError, UnicodeDecodeError) as error:
        result.marks = [Mark(column(q), "missing") for q in key]
        result.note = f"not marked: {error}"
        return result
    by_key = {v.answer.key: v for v in verdicts if v.kind != "unmarked"}
    unmarked = [f"line {v.answer.line}: {v.hint}" for v in verdicts if v.kind == "unmarked"]
    if unmarked:  # check's warnings: the other lines are marked
        result.note = "not marked: " + "; ".join(unmarked)
    exact = replay(problem, {}, set())[0]
    names = {q.key: column(q) for q in key}
    for q in key:
        v = by_key.get(q.key)
        if v is None:
            result.marks.append(Mark(column(q), "missing", exact=exact[q.key]))
            continue
        kind, cause = _kind(v, roster.decimals)
        if kind == "wrong":
            cause = _relation(v, q.key, exact, names, problem, roster.decimals) or cause
        words = " ".join(v.line().split())
        result.marks.append(Mark(column(q), kind, v.answer.text, v.exact, cause, words))
    return result


def column(q: checking.Answer) -> str:
    """A question's column: its name, and its pass after the first ('[pass 2] loss')."""
    return q.name if q.key[0] == 1 else f"[pass {q.key[0]}] {q.name}"


def mark_class(roster: Roster, folder: str | pathlib.Path) -> list[Student]:
    """Every student of the class, in the class's order; those without a file are marked missing."""
    files = answer_files(folder, roster)
    return [mark_student(roster, s, files.get(s)) for s in roster.students]


def grades_csv(students: list[Student], credit: dict[str, float] = CREDIT) -> str:
    """A row per student: a column per question (its kind), the total, out of, a note."""
    questions = [m.question for m in students[0].marks]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["student", "file", *questions, "total", "out of", "note"])
    for s in students:
        w.writerow([s.student, s.file, *(m.kind for m in s.marks), _points(s.total(credit)),
                    _points(len(s.marks) * credit["right"]), s.note])
    return out.getvalue()


def detail_csv(students: list[Student], decimals: int) -> str:
    """A row per answer: what was written, the exact value at the sheet's decimals, the kind, why."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["student", "question", "written", "exact", "kind", "cause", "check"])
    for s in students:
        for m in s.marks:
            exact = "" if math.isnan(m.exact) else f"{m.exact:.{decimals}f}"
            w.writerow([s.student, m.question, m.written, exact, m.kind, m.cause, m.words])
    return out.getvalue()


def summary(students: list[Student], credit: dict[str, float] = CREDIT) -> str:
    """Per question: how many got each kind, the most common wrong value and the most common cause."""
    questions = [m.question for m in students[0].marks]
    handed = [s for s in students if s.file and not s.note]
    totals = [s.total(credit) for s in handed]
    out = [f"{len(students)} students, {len(handed)} answers files marked, {len(questions)} questions; "
           + (f"mean total {sum(totals) / len(totals):.2f} of {_points(len(questions) * credit['right'])}"
              if totals else "no file marked")]
    for s in students:
        if s.note and s.note != "no answers file":
            out.append(f"  {s.student} ({s.file}): {s.note}")
    missing = [s.student for s in students if not s.file]
    if missing:
        out.append(f"  no answers file from {len(missing)}: {', '.join(missing[:20])}"
                   + (" ..." if len(missing) > 20 else ""))
    width = max(len(q) for q in questions)
    out.append("")
    out.append(f"{'question':<{width}}  " + "  ".join(f"{k:>8}" for k in KINDS) + "  most common wrong")
    for k, q in enumerate(questions):
        marks = [s.marks[k] for s in handed]
        counts = Counter(m.kind for m in marks)
        wrong = [m for m in marks if m.kind == "wrong"]
        out.append(f"{q:<{width}}  " + "  ".join(f"{counts[kind]:>8}" for kind in KINDS)
                   + ("  " + _common_wrong(wrong) if wrong else ""))
    return "\n".join(out) + "\n"


def _common_wrong(wrong: list[Mark]) -> str:
    value, count = Counter(m.written for m in wrong).most_common(1)[0]
    causes = Counter(m.cause or "unexplained" for m in wrong)
    cause, times = causes.most_common(1)[0]
    shared = Counter(m.cause or "unexplained" for m in wrong if m.written == value).most_common(1)[0][0]
    head = f"{value} by {count} ({shared})" if count > 1 else "no wrong value shared"
    return f"{head}; cause: {cause} ({times} of {len(wrong)})"


def _kind(v: checking.Verdict, decimals: int) -> tuple[str, str]:
    """mark's kind and cause from check's verdict (its kinds: right, rounding, carried, cut, sign, ...)."""
    a = v.answer
    if v.right:
        if a.decimals < decimals and not math.isclose(a.value, round(v.exact, decimals), abs_tol=1e-12):
            return "rounding", f"written with {a.decimals} decimals; the sheet asks for {decimals}"
        return "right", ""
    carried = ", ".join(c.name for c in v.causes)
    if v.kind == "rounding":
        return "rounding", "the student's own rounding of earlier numbers"
    if v.kind == "carried":
        return "carried", f"carried from {carried}"
    if v.kind == "cut":
        return "wrong", "cut off, not rounded"
    if v.kind == "sign":
        return "wrong", "the sign"
    if v.hint:
        return "wrong", _hint_kind(v.hint)
    if v.causes:
        return "wrong", f"a slip in this step, after {carried}"
    return "wrong", "a slip in this step" if v.recomputed is not None else ""


def _hint_kind(hint: str) -> str:
    """check's hint in words that read the same in every variant (its numbers differ)."""
    if "cut off" in hint:
        return "cut off, not rounded"
    if "swapped" in hint:
        return "two digits swapped"
    return re.sub(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", "…", hint)


def _relation(v: checking.Verdict, key: Key, exact: dict[Key, float], names: dict[Key, str],
              problem: Problem, decimals: int) -> str:
    """How a wrong number relates to the right ones: the sign, a factor 2, another value, the update."""
    a, truth = v.answer, v.exact
    unit = 10.0 ** -max(a.decimals, decimals) * (1 + 1e-9)  # one unit: the student rounds as they go

    def near(x: float) -> bool:
        return abs(a.value - x) <= unit and abs(a.value - truth) > unit

    if near(-truth):
        return "the sign"
    if near(2 * truth):
        return "twice the value (a factor 2)"
    if near(truth / 2):
        return "half the value (a factor 1/2)"
    n, kind, label, example = key
    if kind == "new" and problem.lr is not None:
        old, grad = exact.get((n, "data", label, example)), exact.get((n, "grad", label, example))
        if old is not None and grad is not None and near(old + problem.lr * grad):
            return "the update's sign (p + η·g)"
        if old is not None and near(old):
            return "not updated"
    for other, name in names.items():
        if other != key and other[0] == n and near(exact[other]):
            return f"the value of {name}"
    return ""


def _points(x: float) -> str:
    return f"{x:g}"
