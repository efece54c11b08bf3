"""`micrograd variants`: one problem file in, a variant per student out, each with its key.

A variant keeps the problem's network, activations, loss and learning rate and
draws the numbers its `[variants]` table names (viz.homework.variant_spec) until
the rules hold (viz.homework.variant_rules). It depends only on the seed and the
student's id, so student s017's numbers come out the same on any machine, whoever
else is in the class. Its key is the answers file `micrograd check` reads, every
question's exact value at the sheet's decimals.
"""

from __future__ import annotations

import copy
import json
import math
import pathlib
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from viz.homework import problem_file
from viz.homework.problem import Problem, ProblemError
from viz.homework.replay import Key, replay
from viz.homework.variant_rules import Question, answer_lines, broken, questions
from viz.homework.variant_spec import Spec, VariantError, read

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass
class Class:
    """A problem file with its [variants] table: what every student's variant is drawn from."""

    path: str
    data: dict          # the file as TOML read it, without [variants]
    problem: Problem
    spec: Spec
    questions: list[Question]


@dataclass
class Variant:
    """One student's problem, the exact value of every question, and how many draws it took."""

    student: str
    text: str           # the variant's problem file
    problem: Problem
    exact: dict[Key, float]
    draws: int


def load_class(path: str | pathlib.Path, data: dict | None = None) -> Class:
    """Read a problem file with a [variants] table (or `data`, that file's TOML, e.g. a shipped copy's)."""
    path = pathlib.Path(path)
    if data is None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ProblemError(f"{path}: cannot read the problem file ({error.strerror or error})") from None
        except tomllib.TOMLDecodeError as error:
            raise ProblemError(f"{path}: not valid TOML: {error}") from None
    base = {k: v for k, v in data.items() if k != "variants"}
    problem = problem_file.parse(base, str(path))
    spec = read(data, problem, str(path))
    return Class(str(path), base, problem, spec, questions(problem, spec.ask))


def student_ids(count: int | None = None, given: Iterable[str] | None = None, where: str = "--ids"
                ) -> list[str]:
    """The students' ids: s001 ... for a count, or the ones given (a class list), checked and unique."""
    if given is None:
        if count is None or count < 1:
            raise VariantError(f"-n must be 1 or more, got {count}")
        width = max(3, len(str(count)))
        return [f"s{k:0{width}d}" for k in range(1, count + 1)]
    seen: dict[str, int] = {}
    out = []
    for line, student in enumerate(given, 1):
        student = student.split("#", 1)[0].strip()
        if not student:
            continue
        if not _ID.match(student):
            raise VariantError(f"{where}, line {line}: {student!r} is not a usable id: letters, digits, "
                               "'_', '.' and '-' (it names the student's files)")
        if student in seen:
            raise VariantError(f"{where}, line {line}: the id {student!r} is there twice (first on line "
                               f"{seen[student]}): every student needs an id of their own")
        seen[student] = line
        out.append(student)
    if not out:
        raise VariantError(f"{where}: no ids in it: one student id per line")
    return out


def variant(cls: Class, student: str, seed: int) -> Variant:
    """Student `student`'s variant: the first draw from random(seed, id) that keeps every rule."""
    rng = random.Random(f"micrograd variants {seed} {student}")
    rules, failures, example = cls.spec.rules, Counter[str](), dict[str, str]()
    for attempt in range(1, rules.tries + 1):
        data = drawn(cls, rng)
        data["title"] = f"{cls.spec.title or cls.problem.title}, student {student}"
        text = problem_text(data, f"{pathlib.Path(cls.path).name}, student {student}, seed {seed}")
        problem = problem_file.parse(tomllib.loads(text), f"{student}.toml")
        try:
            why = broken(problem, cls.questions, rules, cls.spec.decimals)
            if why is None:
                return Variant(student, text, problem, replay(problem, {}, set())[0], attempt)
        except (ValueError, ZeroDivisionError, OverflowError) as error:  # log of a negative number, say
            why = ("domain", str(error))
        failures[why[0]] += 1
        example.setdefault(why[0], why[1])
    rule, count = failures.most_common(1)[0]
    others = ", ".join(f"{r} {n}" for r, n in failures.most_common()[1:])
    switch = (f"or switch the rule off: [variants.rules] {rule} = false" if rule != "domain"
              else "the numbers leave a function's domain")
    raise VariantError(
        f"{cls.path}: no variant for {student} keeps the rules in {rules.tries} draws: the rule "
        f"{rule!r} rejected {count} (e.g. {example[rule]}){'; also ' + others if others else ''}. "
        f"Change the ranges in [variants], {switch}"
    )


def drawn(cls: Class, rng: random.Random) -> dict:
    """The problem file's TOML with every number [variants] names drawn anew (in a fixed order)."""
    data = copy.deepcopy(cls.data)
    draws, problem = cls.spec.draws, cls.problem

    def pick(*keys: str, keep: float) -> float:
        for key in keys:
            if key in draws:
                return draws[key](rng)
        return keep

    if problem.graph is not None:
        for kind, general in (("inputs", "inputs"), ("parameters", "parameters")):
            table = data["graph"].setdefault(kind, {})
            for name, value in getattr(problem.graph, kind).items():
                table[name] = pick(name, general, keep=value)
        return data
    x = [[pick("x", keep=v) for v in row] for row in problem.x]
    target = [[pick("target", keep=v) for v in row] for row in problem.target]
    data["x"], data["target"] = (x, target) if len(x) > 1 else (x[0], target[0])
    net = data.get("network", {})
    net.pop("weights", None)  # every layer below gets its own
    net.pop("biases", None)
    for k, (layer, table) in enumerate(zip(problem.layers, data["layer"]), 1):
        weights = [[pick(f"layer{k}.weights", "weights", keep=w) for w in row] for row in layer.weights]
        biases = (None if layer.biases is None else
                  [pick(f"layer{k}.biases", "biases", keep=b) for b in layer.biases])
        table.pop("biases", None)
        if problem.layout == "in_out":
            rows = [list(r) for r in zip(*weights)]
            table["weights"] = [biases, *rows] if biases is not None else rows
        else:
            table["weights"] = weights
            if biases is not None:
                table["biases"] = biases
    return data


def key_text(v: Variant, asked: list[Question], decimals: int, heading: str = "") -> str:
    """The key: every question's exact value at the sheet's decimals, as an answers file."""
    lines = [f"# {heading}" if heading else f"# The key of {v.student}'s variant"]
    lines.append(f"# every number exact, rounded to {decimals} decimals: micrograd check reads it")
    return "\n".join(lines + answer_lines(asked, lambda q: shown(v.exact[q.key], decimals))) + "\n"


def shown(x: float, decimals: int) -> str:
    """x at `decimals` decimals, without a '-0.000'."""
    text = f"{x:.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def problem_text(data: dict, heading: str) -> str:
    """TOML for a problem read into dicts and lists (comments are not kept; `heading` becomes one)."""
    lines = [f"# A variant drawn from {heading} (micrograd variants).", ""]
    _table(lines, [], data)
    return "\n".join(lines).rstrip() + "\n"


def _table(lines: list[str], path: list[str], table: dict) -> None:
    tables = [(k, v) for k, v in table.items() if isinstance(v, dict)]
    arrays = [(k, v) for k, v in table.items() if _is_table_array(v)]
    for k, v in table.items():
        if not isinstance(v, dict) and not _is_table_array(v):
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in tables:
        lines += ["", f"[{'.'.join(map(_key, path + [k]))}]"]
        _table(lines, path + [k], v)
    for k, items in arrays:
        for item in items:
            lines += ["", f"[[{'.'.join(map(_key, path + [k]))}]]"]
            _table(lines, path + [k], item)


def _is_table_array(v: object) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(i, dict) for i in v)


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise VariantError(f"cannot write {v} into a problem file")
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # JSON's escapes are TOML's
    if isinstance(v, list):
        return "[" + ", ".join(_value(i) for i in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(i)}" for k, i in v.items()) + " }"
    raise VariantError(f"cannot write {v!r} into a problem file")
