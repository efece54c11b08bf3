"""The class folder: what `micrograd variants` writes and `micrograd mark` reads.

    DIR/class.toml                     the problem, the seed, the decimals and the students
    DIR/sheets/ID.md, ID.html          each student's sheet (ID.tex with LaTeX), its diagram
           ID_network.svg, ID_answers.txt    and the answers file to fill in: hand these out
    DIR/key/ID/problem.toml, key.txt   the variant and its key (the answers file check reads)
           solution.md, solution.html  the worked solution, for the marker

Everything is drawn and written into a temporary folder beside DIR first, and DIR
appears only when complete: a rule no variant can keep leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from micrograd.files import current_umask
from viz.draw.network import draw_network
from viz.draw.render import RendererNotFound
from viz.draw.render import render as render_drawing
from viz.homework import check as checking
from viz.homework import problem_file, solve
from viz.homework.problem import Problem
from viz.homework.run import Model
from viz.homework.sheet import answers_template, network_figure, sheet
from viz.homework.variant_spec import VariantError
from viz.homework.variants import Class, Variant, key_text, variant
from viz.notation.document import Block, write

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib

CLASS_FILE = "class.toml"


@dataclass
class Roster:
    """A class folder as `mark` reads it: the sheet's decimals and each student's variant and key."""

    folder: pathlib.Path
    decimals: int
    students: list[str]

    def problem(self, student: str) -> Problem:
        """The student's variant."""
        return problem_file.load(self.folder / "key" / student / "problem.toml")

    def key(self, student: str) -> list[checking.Answer]:
        """The student's key, as an answers file."""
        return checking.read_answers(self.folder / "key" / student / "key.txt")


def make_class(cls: Class, students: list[str], seed: int, progress: Callable = iter) -> list[Variant]:
    """Every student's variant (nothing is written: a range no variant can keep fails here)."""
    return [variant(cls, student, seed) for student in progress(students)]


def write_class(cls: Class, drawn: list[Variant], seed: int, out: str | os.PathLike,
                formats: tuple[str, ...] = ("md", "html"), diagrams: bool = True,
                progress: Callable = iter) -> pathlib.Path:
    """Write the class folder `out` (module docstring) for the variants `drawn`."""
    out = pathlib.Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise VariantError(f"{out} exists and is not empty: give a new folder (a class's keys are never "
                           "overwritten; the same seed draws the same variants again)")
    parent = out.parent if str(out.parent) else pathlib.Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.", suffix=".part"))
    try:
        (work / "sheets").mkdir()
        (work / "key").mkdir()
        heading = f"{pathlib.Path(cls.path).name}, seed {seed}"
        for v in progress(drawn):
            _write_student(cls, v, work, heading, formats, diagrams)
        (work / CLASS_FILE).write_text(_class_toml(cls, drawn, seed), encoding="utf-8")
        _usual_modes(work)
        if out.exists():
            out.rmdir()  # empty, checked above
        os.replace(work, out)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return out


def read_class(folder: str | os.PathLike) -> Roster:
    """A class folder written by write_class, checked."""
    folder = pathlib.Path(folder)
    path = folder / CLASS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise VariantError(f"{folder}: not a class folder (no {CLASS_FILE}): give the folder "
                           "`micrograd variants ... -o DIR` wrote") from None
    except tomllib.TOMLDecodeError as error:
        raise VariantError(f"{path}: not valid TOML: {error}") from None
    students, decimals = data.get("students"), data.get("decimals")
    if not isinstance(students, list) or not all(isinstance(s, str) for s in students) or not isinstance(
            decimals, int):
        raise VariantError(f"{path}: expected `students = [...]` and `decimals = N` as variants wrote them")
    missing = [s for s in students if not (folder / "key" / s / "key.txt").is_file()]
    if missing:
        some = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise VariantError(f"{folder}: no key for {some} (key/ID/key.txt): the class folder is incomplete")
    return Roster(folder, decimals, students)


def _write_student(cls: Class, v: Variant, work: pathlib.Path, heading: str, formats: tuple[str, ...],
                   diagrams: bool) -> None:
    sheets, key = work / "sheets", work / "key" / v.student
    key.mkdir()
    (key / "problem.toml").write_text(v.text, encoding="utf-8")
    decimals = cls.spec.decimals
    (key / "key.txt").write_text(key_text(v, cls.questions, decimals, f"The key of {v.student} ({heading})"),
                                 encoding="utf-8")
    (sheets / f"{v.student}_answers.txt").write_text(answers_template(v.student, cls.questions, decimals),
                                                     encoding="utf-8")
    figures: list[Block] = []
    model = Model(v.problem)
    if diagrams and model.mlp is not None:
        name = f"{v.student}_network.svg"
        try:
            render_drawing(draw_network(model.mlp), sheets / name)  # before any pass: no number computed
            figures.append(network_figure(name))
        except RendererNotFound:
            pass  # the sheet states every weight in its matrices anyway
    blocks = sheet(v.problem, v.student, cls.questions, decimals, figures)
    worked = solve.blocks(v.problem, figures=solve.draw(v.problem, key) if diagrams else [])
    for fmt in formats:
        (sheets / f"{v.student}.{fmt}").write_text(write(blocks, fmt, sheets), encoding="utf-8")
        (key / f"solution.{fmt}").write_text(write(worked, fmt, key), encoding="utf-8")


def _class_toml(cls: Class, drawn: list[Variant], seed: int) -> str:
    ids = ",\n".join(f"    {json.dumps(v.student)}" for v in drawn)
    return (
        "# A class folder written by `micrograd variants`; `micrograd mark` reads it.\n"
        f"problem = {json.dumps(pathlib.Path(cls.path).name)}\n"
        f"seed = {seed}\n"
        f"decimals = {cls.spec.decimals}   # the sheet's\n"
        f"questions = {len(cls.questions)}\n"
        f"students = [\n{ids},\n]\n"
    )


def _usual_modes(folder: pathlib.Path) -> None:
    """Temporary folders are private (0700); the finished class folder gets the modes of any new file."""
    umask = current_umask()
    for path in [folder, *folder.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)
