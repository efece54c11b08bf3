"""The `micrograd` command: solve, check, draw and step through problem files, and a demo of seed 004.

A mistake of the user's (a missing file, a bad key) ends with exit status 2 and one
line on stderr; `check` exits 1 when an answer is wrong or a line could not be marked.
On a terminal that cannot show Unicode (LANG=C, PYTHONIOENCODING=ascii) the output is
written in ASCII: σ as sigma, ŷ as y_hat, ² as ^2.
"""

from __future__ import annotations

import argparse
import codecs
import importlib.metadata
import os
import pathlib
import sys
import unicodedata
from collections.abc import Callable, Sequence

from micrograd.files import write_atomically
from viz.draw.graph import draw_dot
from viz.draw.network import draw_network
from viz.draw.render import RendererNotFound, RenderError
from viz.draw.render import render as render_drawing
from viz.draw.tree import tree
from viz.explain import lecture as lecture_page
from viz.explain import moons as two_moons
from viz.homework import check as checking
from viz.homework import formula, solve
from viz.homework import mark as marking
from viz.homework import problem_file as problems
from viz.homework.classroom import make_class, read_class, write_class
from viz.homework.run import Model
from viz.homework.variants import load_class, student_ids
from viz.notation.document import FORMATS

DEMO = "seed_004"
DEMO_DIR = "micrograd-demo"
PROBLEM_HELP = "a problem file (TOML), or a shipped one by name: seed_000 ... seed_004, seed_002_q2"


class UsageError(Exception):
    """A mistake on the command line, reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not argparse's usage block
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 fine, 1 wrong answers, 2 a user's mistake)."""
    for stream in (sys.stdout, sys.stderr):
        _ascii_if_needed(stream)
    parser = _build()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        return args.run(args)
    except UsageError as error:
        return _fail(str(error))
    except (problems.ProblemError, checking.AnswersError, formula.FormulaError) as error:
        return _fail(str(error))
    except BrokenPipeError:  # `micrograd demo | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, OSError) as error:
        return _fail(str(error))
    except ArithmeticError as error:  # the engine's OverflowError / ZeroDivisionError name the op and node
        return _fail(f"the problem's numbers cannot be computed: {error}")
    except (RendererNotFound, RenderError) as error:
        return _fail(f"the diagram could not be drawn: {error}")
    except KeyboardInterrupt:
        return _fail("interrupted")


def _build() -> argparse.ArgumentParser:
    parser = _Parser(prog="micrograd", description="Worked solutions of backpropagation problems, "
                     "answer checking and drawings, from a problem file (TOML).",
                     epilog="PROBLEM is a problem file, or the name of a shipped one: "
                     "seed_000 ... seed_004, seed_002_q2. `micrograd template` prints a blank one.")
    parser.add_argument("--version", action="version", version=f"micrograd {_version()}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    p = sub.add_parser("solve", help="write the worked solution and its diagrams",
                       description="Write the complete worked solution of PROBLEM (forward pass, loss, "
                       "deltas, every gradient, every update, the loss after each step) with the network "
                       "diagram and the computation graph as SVG files beside it.")
    p.add_argument("problem", metavar="PROBLEM", help=PROBLEM_HELP)
    p.add_argument("--steps", type=int, help="how many SGD steps (default: the file's `steps`)")
    p.add_argument("--format", choices=FORMATS, default="md",
                   help="md (default), tex or html (a page needing no network; lecture.html beside it)")
    p.add_argument("-o", "--output", metavar="DIR", help="folder to write into (default: NAME_solution)")
    p.add_argument("--digits", type=int, default=8, help="significant digits of every number (default 8)")
    p.add_argument("--no-diagrams", action="store_true", help="write the solution only")
    p.set_defaults(run=_solve)

    p = sub.add_parser("check", help="mark a student's answers",
                       description="Mark each number in ANSWERS (lines `name = number`; `[pass 2]` for "
                       "later passes, `[example 2]` for an example of several) right or wrong at the "
                       "precision it is written with. A wrong one is recomputed from the student's own "
                       "earlier numbers, which shows whether the error is carried from a wrong answer "
                       "that flows into it (named), the student's own rounding, a number cut off, a sign, "
                       "another convention (the ½, delta = -dE/dz, ...), or a slip in this step. A line "
                       "that cannot be marked is a warning with its line number. Exit status 1 when an "
                       "answer is wrong or a line could not be marked.",
                       epilog="Names: x1, w12^(1), b1^(2), z1^(2), a1^(1), y_hat, loss; dL/d any of them "
                       "(dL/dy_hat, dL/da1^(1), dL/dx1), delta1^(2) (= dL/dz1^(2)); local derivatives "
                       "sigmoid'(z1^(1)), tanh'(z1^(1)), relu'(z1^(1)), f'(z1^(1)), da1^(1)/dz1^(1); "
                       "Δw12^(1) (what the update adds) and new w12^(1) (after it); a formula problem's "
                       "own names (h1, Div, dDiv/dw1).")
    p.add_argument("problem", metavar="PROBLEM", help=PROBLEM_HELP)
    p.add_argument("answers", metavar="ANSWERS",
                   help="a file, or a shipped one by its bare name: seed_004_answers.txt")
    p.set_defaults(run=_check)

    p = sub.add_parser("draw", help="draw the computation graph (or the network) as SVG",
                       description="Draw the computation graph of PROBLEM's first pass after backward().")
    p.add_argument("problem", metavar="PROBLEM", help=PROBLEM_HELP)
    p.add_argument("-o", "--output", metavar="FILE", help="the drawing: .svg, .png, .pdf or .dot "
                   "(default: NAME_graph.svg, or NAME_network.svg with --network)")
    p.add_argument("--network", action="store_true", help="draw the network diagram instead")
    p.add_argument("--text", action="store_true", help="print the graph as indented text instead")
    p.add_argument("--neurons", action="store_true",
                   help="one node per neuron (the default past 300 Values, so a big MLP stays readable)")
    p.set_defaults(run=_draw)

    p = sub.add_parser("lecture", help="write a page that steps through training: forward, backward, update",
                       description="Write one self-contained HTML page (nothing is fetched: it works "
                       "offline) that steps through PROBLEM's training steps: in each, forward node by node, "
                       "then backward edge by edge with each local derivative, and for a network layer by "
                       "layer (drive, activation, delta); a loss chart, the network with its weights or "
                       "grads, and any weight's derivation and update on a click. Arrow keys, Page Up/Down "
                       "or the buttons step. `micrograd lecture moons`: micrograd's two-moons demo.")
    p.add_argument("problem", metavar="PROBLEM",
                   help=PROBLEM_HELP + "; or moons (micrograd's two-moons demo)")
    p.add_argument("--steps", type=int, help="training steps on the page (default 1; moons: 30), "
                   "each updating the weights by SGD with the file's lr")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="the page, ending .html (default: NAME_lecture.html)")
    p.add_argument("--wrt", metavar="LABEL", help="the weight whose paths to the loss the page highlights, "
                   "e.g. 'w12^(1)' (default: the first parameter)")
    p.set_defaults(run=_lecture)

    p = sub.add_parser("demo", help="seed 004 solved in the terminal, its diagrams in a folder",
                       description="Solve seed 004 (a 2-2-1 sigmoid network), print the worked solution, "
                       f"write it with its diagrams into a folder (default ./{DEMO_DIR}), and check the "
                       "document's own printed answers.")
    p.add_argument("-o", "--output", metavar="DIR", default=DEMO_DIR, help=f"folder (default ./{DEMO_DIR})")
    p.set_defaults(run=_demo)

    p = sub.add_parser("variants", help="a variant per student: their sheet, and its key for the marker",
                       description="Draw a variant of PROBLEM for every student: the same network, loss and "
                       "learning rate, new numbers from the ranges in its [variants] table, redrawn until "
                       "the hand calculation stays sane (no saturated sigmoid or tanh, no dead ReLU on a "
                       "path asked about, no gradient that rounds to 0, no division near 0; [variants.rules] "
                       "switches each off). Each student's numbers depend only on --seed and their id. "
                       "DIR gets sheets/ (hand out: ID.md, ID.html, ID_answers.txt) and key/ID/ (the "
                       "variant, its key for `micrograd check`, the worked solution).",
                       epilog="Shipped variant-ready problems: variants_seed_000 ... variants_seed_004, "
                       "variants_seed_002_q2.")
    p.add_argument("problem", metavar="PROBLEM", help="a problem file with a [variants] table, or a "
                   "shipped one by name: variants_seed_004")
    p.add_argument("-n", type=int, help="how many students (their ids: s001, s002, ...)")
    p.add_argument("--ids", metavar="FILE", help="a class list instead: one student id per line")
    p.add_argument("--seed", type=int, required=True, help="any whole number; the same seed and id give "
                   "the same variant")
    p.add_argument("-o", "--output", metavar="DIR", help="a new folder (default: NAME_class)")
    p.add_argument("--tex", action="store_true", help="LaTeX sheets and solutions too")
    p.add_argument("--no-diagrams", action="store_true", help="no network diagrams (faster)")
    p.set_defaults(run=_variants)

    p = sub.add_parser("mark", help="mark every student's answers against their own variant",
                       description="Mark each answers file in ANSWERS_DIR (ID.txt or ID_answers.txt, "
                       "as `micrograd check` reads them) against the student's own variant in DIR, with "
                       "check's diagnosis: right, rounding (their own rounding, or too few decimals), "
                       "carried (right from an earlier wrong answer), wrong, missing. Writes the CSV (a "
                       "column per question, the total), NAME_answers.csv (every answer, its exact value "
                       "and cause) and NAME_summary.txt (per question: how many got each, the most common "
                       "wrong value and cause), and prints the summary.")
    p.add_argument("folder", metavar="DIR", help="the class folder `micrograd variants` wrote")
    p.add_argument("answers", metavar="ANSWERS_DIR", help="a folder of answers files, one per student")
    p.add_argument("-o", "--output", metavar="CSV", default="grades.csv", help="default grades.csv")
    p.add_argument("--credit", metavar="KIND=POINTS", action="append", default=[],
                   help="points for a kind of answer (default right=1 rounding=1 carried=1 wrong=0 "
                   "missing=0); e.g. --credit carried=0.5")
    p.set_defaults(run=_mark)

    p = sub.add_parser("template", help="print a blank problem file that documents every key")
    p.set_defaults(run=lambda args: _print((problems.PROBLEMS / "template.toml").read_text(encoding="utf-8")))
    return parser


def _solve(args) -> int:
    problem = _load(args.problem)
    if args.steps is not None and args.steps < 0:
        raise UsageError(f"--steps must be 0 or more, got {args.steps}")
    if not 1 <= args.digits <= 17:
        raise UsageError(f"--digits must be between 1 and 17, got {args.digits}")
    out = args.output or f"{pathlib.Path(args.problem).stem}_solution"
    written = solve.solve(problem, out, fmt=args.format, steps=args.steps, digits=args.digits,
                          diagrams=not args.no_diagrams, progress=_progress("steps"))
    for path in written:
        print(path)
    return 0


def _check(args) -> int:
    problem = _load(args.problem)
    path, title = _answers_file(args.answers)
    verdicts = checking.check(problem, checking.read_answers(path))
    print(checking.report(verdicts, title), end="")
    return 0 if all(v.right for v in verdicts) else 1


def _answers_file(name: str) -> tuple[pathlib.Path, str]:
    """(the answers file, its title): a path as given, or a shipped file by its bare name only."""
    path = pathlib.Path(name)
    if path.is_file():
        return path, path.name
    shipped = problems.PROBLEMS / name  # the documents' own answers: seed_004_answers.txt
    if path.name == name and shipped.is_file():
        return shipped, f"{name} (shipped)"
    if path.exists():
        raise UsageError(f"{name}: is not a file (give the answers file)")
    hint = ""
    if (problems.PROBLEMS / path.name).is_file():
        hint = f" (a shipped answers file is found by its bare name only: {path.name})"
    raise UsageError(f"{name}: no such answers file{hint}")


def _draw(args) -> int:
    problem = _load(args.problem)
    model = Model(problem)
    first = model.forward()
    if args.text:
        return _print(tree(first.loss))
    out = args.output or f"{pathlib.Path(args.problem).stem}_{'network' if args.network else 'graph'}.svg"
    if args.network:
        try:  # a formula problem's layers are read from its graph (seed 001)
            drawing = (draw_network(model.mlp, root=first.loss) if model.mlp is not None
                       else draw_network(first.loss))
        except ValueError as error:
            raise UsageError(f"--network: {error} (here: drop --network)") from None
    else:
        big = model.mlp is not None and solve.graph_size(first.loss) > solve.GRAPH_NODE_LIMIT
        drawing = draw_dot(first.loss, collapse="neuron" if args.neurons or big else None)
    try:
        print(render_drawing(drawing, out))
    except RendererNotFound as error:
        raise UsageError(str(error)) from None
    return 0


def _lecture(args) -> int:
    if args.steps is not None and args.steps < 1:
        raise UsageError(f"--steps must be 1 or more, got {args.steps}")
    out = args.output or f"{pathlib.Path(args.problem).stem}_lecture.html"
    if pathlib.Path(out).suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"the lecture page is HTML: give -o a name ending in .html, got {out!r}")
    if args.problem == "moons" and not pathlib.Path("moons").exists():
        if args.wrt:
            raise UsageError("--wrt goes with a problem file; on the moons page click any weight instead")
        if args.steps is not None and args.steps > two_moons.MAX_STEPS:
            raise UsageError("--steps: the demo's learning rate 1 - 0.9k/100 is for at most "
                             f"{two_moons.MAX_STEPS} steps")
        print(two_moons.moons(out, steps=args.steps or two_moons.STEPS))
        return 0
    problem = _load(args.problem)
    steps = args.steps or 1
    if steps == 1:
        try:
            print(solve.lecture(problem, out, wrt=args.wrt))
        except solve.LectureSkipped as why:
            raise UsageError(str(why)) from None
        return 0
    if steps > lecture_page.MAX_STEPS:
        raise UsageError(f"--steps: at most {lecture_page.MAX_STEPS} on one page, got {steps}")
    if problem.lr is None:
        raise UsageError(f"--steps {steps} trains the network: {problem.path} needs `lr = ...`")
    model = Model(problem)
    wrt = args.wrt if args.wrt is not None else (model.parameters[0].label if model.parameters else None)
    try:
        print(lecture_page.step_through(lambda: model.forward().loss, out, steps=steps, lr=problem.lr,
                                        wrt=wrt, title=problem.title, layers=model.mlp is not None))
    except RendererNotFound as error:
        raise UsageError(str(error)) from None
    return 0


def _demo(args) -> int:
    problem = problems.load(problems.shipped(DEMO))
    print(solve.text(problem, fmt="text"))
    written = solve.solve(problem, args.output, progress=_progress("steps"))
    print("Written: " + ", ".join(str(p) for p in written))
    answers = problems.PROBLEMS / f"{DEMO}_answers.txt"
    if answers.is_file():  # the document's own numbers, checked: its rounding of sigmoid(24) shows up
        print(f"\nThe document's own answers, checked (micrograd check {DEMO} {answers.name}):\n")
        print(checking.report(checking.check(problem, checking.read_answers(answers)), "seed 004"), end="")
    return 0


def _variants(args) -> int:
    if (args.n is None) == (args.ids is None):
        raise UsageError("give either -n COUNT (ids s001 ...) or --ids FILE (a class list)")
    path = pathlib.Path(args.problem)
    if not path.exists() and os.sep not in args.problem and not args.problem.endswith(".toml"):
        path = problems.shipped(args.problem)
    cls = load_class(_existing(str(path), "problem"))
    ids = (student_ids(args.n) if args.ids is None else
           student_ids(given=_existing(args.ids, "ids").read_text(encoding="utf-8").splitlines(),
                       where=args.ids))
    out = args.output or f"{path.stem}_class"
    drawn = make_class(cls, ids, args.seed, progress=_progress("students"))
    formats = ("md", "html", "tex") if args.tex else ("md", "html")
    write_class(cls, drawn, args.seed, out, formats, not args.no_diagrams, _progress("sheets"))
    tries = sum(v.draws for v in drawn)
    print(f"{out}: {len(drawn)} variants of {path.name} (seed {args.seed}; {tries} draws for {len(drawn)}), "
          f"{len(cls.questions)} questions each at {cls.spec.decimals} decimals")
    print(f"  hand out {out}/sheets/; the keys are in {out}/key/; then: micrograd mark {out} ANSWERS_DIR")
    return 0


def _mark(args) -> int:
    credit = dict(marking.CREDIT)
    for given in args.credit:
        kind, _, points = given.partition("=")
        try:
            credit[kind] = float(points) if kind in credit else float("nan")
        except ValueError:
            credit[kind] = float("nan")
        if kind not in marking.KINDS or credit[kind] != credit[kind]:
            kinds = ", ".join(marking.KINDS)
            raise UsageError(f"--credit {given!r}: expected KIND=POINTS, KIND one of {kinds}")
    roster = read_class(args.folder)
    students = marking.mark_class(roster, args.answers)
    csv_path = pathlib.Path(args.output)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    stem = csv_path.with_suffix("")
    text = marking.summary(students, credit)
    write_atomically(csv_path, marking.grades_csv(students, credit))
    write_atomically(f"{stem}_answers.csv", marking.detail_csv(students, roster.decimals))
    write_atomically(f"{stem}_summary.txt", text)
    print(text, end="")
    print(f"written: {csv_path}, {stem}_answers.csv, {stem}_summary.txt")
    unread = [s for s in students if s.note.startswith("not marked")]
    return 1 if unread else 0


def _load(name: str) -> problems.Problem:
    """A problem file by path, or a shipped one by name (seed_004)."""
    path = pathlib.Path(name)
    if not path.exists() and os.sep not in name and not name.endswith(".toml"):
        return problems.load(problems.shipped(name))
    return problems.load(_existing(name, "problem"))


def _existing(name: str, what: str) -> pathlib.Path:
    path = pathlib.Path(name)
    if not path.is_file():
        raise UsageError(f"{name}: no such {what} file")
    return path


def _progress(unit: str) -> Callable:
    """tqdm's bar on stderr when it is installed and a loop takes over a second; otherwise nothing."""
    try:
        from tqdm import tqdm
    except ImportError:
        return iter
    return lambda items: tqdm(items, unit=unit, delay=1.0, file=sys.stderr, leave=False)


def _version() -> str:
    """The installed package's version (setup.cfg's), as pip installed it."""
    try:
        return importlib.metadata.version("micrograd-lab")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed: pip install .)"


# On paper, as the documents write them without Unicode
_ASCII = {"σ": "sigma", "δ": "delta", "Δ": "Delta ", "η": "eta", "λ": "lambda", "α": "alpha", "β": "beta",
          "ε": "eps", "∂": "d", "ŷ": "y_hat", "−": "-", "·": "*", "×": "x", "…": "...", "≈": "~",
          "→": "->", "←": "<-", "≤": "<=", "≥": ">=", "∑": "sum", "Σ": "sum", "√": "sqrt", "½": "1/2",
          "–": "-", "—": "-", "‖": "||", "“": '"', "”": '"', "‘": "'", "’": "'", "′": "'"}


def _to_ascii(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: characters an ASCII terminal cannot show, written as ASCII."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out, run = [], ""
    for c in error.object[error.start:error.end] + "\0":
        plain = unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode()
        if unicodedata.decomposition(c).startswith("<super>"):
            run += plain  # a superscript run is one exponent: w⁽²⁾ -> w^(2), z² -> z^2, Wᵀ -> W^T
            continue
        if run:
            out.append("^" + run)
            run = ""
        if c != "\0":
            out.append(_ASCII.get(c, plain or "?"))
    return "".join(out), error.end


codecs.register_error("micrograd-ascii", _to_ascii)


def _ascii_if_needed(stream) -> None:
    """Write what the stream's encoding cannot show as ASCII, instead of failing on it."""
    try:
        "σŷ²−".encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        try:
            stream.reconfigure(errors="micrograd-ascii")
        except (AttributeError, ValueError):  # not a text stream we can change (a test's capture)
            pass


def _print(text: str) -> int:
    print(text, end="" if text.endswith("\n") else "\n")
    return 0


def _fail(message: str) -> int:
    print(f"micrograd: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
