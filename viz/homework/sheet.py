"""A student's sheet: their variant's numbers, the network diagram, the questions, and no answers.

The given part is the worked solution's own (viz.homework.solve.blocks up to its
first step), so a sheet states the problem exactly as the key's solution does. Each
question shows its maths and the name the student writes in their answers file.
"""

from __future__ import annotations

import dataclasses

from viz.homework import formula, solve
from viz.homework.problem import Problem
from viz.homework.variant_rules import Question, answer_lines
from viz.notation.document import Block, Figure, Heading, Math, Para, T
from viz.notation.maths import chain, num, partial, sym

_PART = {"data": "Forward pass", "grad": "Backward pass", "new": "Update (new p: the parameter p after it)"}


def sheet(problem: Problem, student: str, asked: list[Question], decimals: int,
          figures: list[Block] | None = None) -> list[Block]:
    """The sheet's blocks for student `student` (figures: the network diagram, drawn without answers)."""
    given = solve.blocks(dataclasses.replace(problem, source=""), steps=0)  # cut before step 1 below
    first_step = next(k for k, b in enumerate(given) if isinstance(b, Heading) and b.level == 2)
    blocks = given[:first_step]
    if problem.graph is not None:
        blocks += [Para(T("The network, as formulas:", "The network, as formulas:"))]
        blocks += [Math(chain(sym(name), formula.show(expr, sym, num))) for name, expr in
                   problem.graph.formulas.items()]
        words = f"The loss is ${sym(problem.graph.loss).latex}$."
        blocks.append(Para(T(words, f"The loss is {problem.graph.loss}.")))
    blocks += figures or []
    blocks.insert(1, Para(_intro(problem, student, decimals)))
    blocks.append(Heading(2, "Questions"))
    passes = sorted({q.key[0] for q in asked})
    number, part = 0, None
    for n in passes:
        if len(passes) > 1:
            blocks.append(Heading(3, _pass_heading(n)))
            part = None
        for q in (q for q in asked if q.key[0] == n):
            if _PART[q.key[1]] != part:
                part = _PART[q.key[1]]
                blocks.append(Heading(4 if len(passes) > 1 else 3, part))
            number += 1
            blocks.append(Para(_question(number, q, problem)))
    blocks.append(Heading(2, "Your answers file"))
    blocks += [Para(T(line, line.replace("`", ""))) for line in _how_to_answer(student, asked, decimals)]
    return blocks


def network_figure(name: str) -> Figure:
    """The sheet's network diagram: weights and biases, nothing computed."""
    words = "The network: its weights (on the edges, or in a table per layer), each neuron's bias"
    return Figure(name, words)


def _intro(problem: Problem, student: str, decimals: int) -> T:
    steps = problem.steps if problem.lr is not None else 0
    work = ("one forward and one backward pass" if steps == 0 else
            "one forward pass, the backward pass and one update of every parameter" if steps == 1 else
            f"{steps} steps of gradient descent (each: forward, backward, update), then the forward "
            "pass after the last update")
    words = (f"Sheet of student `{student}`: these numbers are yours alone. Work out {work} by hand, "
             f"and give every answer rounded to {decimals} decimals.")
    return T(words, words.replace("`", ""))


def _pass_heading(n: int) -> str:
    return "Pass 1 (the given parameters)" if n == 1 else f"Pass {n} (after update {n - 1})"


def _question(number: int, q: Question, problem: Problem) -> T:
    """'6. ŷ = ________ (`y_hat`)': the maths, a blank, the name for the answers file."""
    kind, label = q.key[1], q.key[2]
    loss = sym(problem.graph.loss) if problem.graph is not None else T("L", "L")
    if kind == "data":
        maths = sym("y_hat" if q.name == "y_hat" else label)
    elif kind == "grad" and q.name.startswith("delta"):
        maths = chain(sym(q.name), partial(loss, sym(label)))
    elif kind == "grad":
        maths = partial(loss, sym(label))
    else:
        maths = sym(label)
    new = "new " if kind == "new" else ""  # short: the line fits a phone
    return T(f"{number}. {new}${maths.latex}$ = ________ (`{q.name}`)",
             f"{number}. {new}{maths.plain} = ________ ({q.name})")


def _how_to_answer(student: str, asked: list[Question], decimals: int) -> list[str]:
    example = asked[0]
    later = sorted({q.key[0] for q in asked} - {1})
    lines = [
        f"Write a plain text file `{student}.txt` with one line per answer, `name = number`, the "
        f"name in brackets after each question: `{example.name} = {0:.{decimals}f}`, with your number. "
        f"`{student}_answers.txt` beside this sheet lists every name: fill in the numbers.",
        "Lines starting with `#` are comments. Leave a line without a number when you have no answer.",
    ]
    if later:
        sections = " and ".join(f"`[pass {n}]` before those of pass {n}" for n in later)
        lines.append(f"The answers of pass 1 come first; then a line {sections}.")
    return lines


def answers_template(student: str, asked: list[Question], decimals: int) -> str:
    """The answers file to fill in: every name, no numbers."""
    lines = [f"# Answers of student {student}: write each number after its '=' ({decimals} decimals).",
             "# A line left without a number counts as no answer."]
    return "\n".join(lines + answer_lines(asked, lambda q: "")) + "\n"
