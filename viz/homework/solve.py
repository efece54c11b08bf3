"""`micrograd solve`: a problem file in, a folder out with the worked solution and its diagrams.

The folder gets `solution.md` (or .tex / .html), `graph.svg` (the computation graph
of step 1 after backward()) and, for a network, `network.svg`; with html also
`lecture.html`, the step-through of step 1's passes, linked from the solution.
Everything is written into a temporary folder beside the target first and moved
in only when complete (micrograd.files.folder_atomically), so a failure, or a
SIGTERM, never leaves half a solution.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable

from micrograd import topological_order
from micrograd.files import folder_atomically
from viz.draw.graph import draw_dot
from viz.draw.network import draw_network
from viz.draw.render import RendererNotFound
from viz.draw.render import render as render_drawing
from viz.explain import lecture as lecture_page
from viz.homework.problem import Problem
from viz.homework.run import Model
from viz.homework.solution_graph import graph_solution
from viz.homework.solution_network import network_solution
from viz.notation.document import FORMATS, Block, Figure, Para, T, write
from viz.notation.maths import DIGITS

GRAPH_NODE_LIMIT = 300  # past this, the computation graph is drawn one node per neuron
LECTURE = "lecture.html"
LECTURE_LINK = ("Step through step 1 in the browser: the forward pass node by node, "
                "then backward edge by edge (arrow keys or the buttons)")


class LectureSkipped(RuntimeError):
    """The step-through page cannot be made here (no Graphviz program, or a graph too big to step through)."""


def blocks(
    problem: Problem,
    steps: int | None = None,
    figures: list[Block] | None = None,
    digits: int = DIGITS,
    progress: Callable = iter,
) -> list[Block]:
    """The worked solution of `problem` as document blocks (steps: the file's unless given)."""
    steps = problem.steps if steps is None else steps
    if steps > 1 and problem.lr is None:
        raise ValueError(f"{problem.path}: {steps} steps need a learning rate: add `lr = ...` to the file")
    build = graph_solution if problem.graph is not None else network_solution
    return build(problem, steps, figures or [], digits=digits, progress=progress)


def text(problem: Problem, steps: int | None = None, fmt: str = "md", digits: int = DIGITS) -> str:
    """The worked solution as one string in `fmt` ('md', 'tex', 'html' or 'text'), without diagrams."""
    return write(blocks(problem, steps, digits=digits), fmt)


def draw(problem: Problem, folder: pathlib.Path) -> list[Block]:
    """Write graph.svg (and network.svg) for step 1 into `folder`; the figure blocks that show them.

    Without a Graphviz program the DOT source is written instead, and the blocks say
    how to get the pictures.
    """
    model = Model(problem)
    first = model.forward()
    collapse = "neuron" if model.mlp is not None and graph_size(first.loss) > GRAPH_NODE_LIMIT else None
    drawings = [
        (
            "graph",
            draw_dot(first.loss, collapse=collapse, max_nodes=max(GRAPH_NODE_LIMIT, graph_size(first.loss))),
            "The computation graph of step 1 after backward(): data and grad of every value",
        )
    ]
    caption = "The network of step 1 after backward(): weights with their grads, each neuron's z, a and δ"
    if model.mlp is not None:
        drawings.insert(0, ("network", draw_network(model.mlp, root=first.loss), caption))
    else:
        try:  # formulas that form layers of neurons (seed 001) draw as a network too
            drawings.insert(0, ("network", draw_network(first.loss), caption))
        except ValueError:
            pass  # a graph with no neurons has only its computation graph
    figures: list[Block] = []
    for name, drawing, caption in drawings:
        try:
            render_drawing(drawing, folder / f"{name}.svg")
            figures.append(Figure(f"{name}.svg", caption))
        except RendererNotFound as error:
            render_drawing(drawing, folder / f"{name}.dot")
            words = f"{caption}: {name}.dot (Graphviz source; no program to draw it was found: {error})"
            figures.append(Para(T(words, words)))
    return figures


def solve(
    problem: Problem,
    out: str | os.PathLike,
    fmt: str = "md",
    steps: int | None = None,
    digits: int = DIGITS,
    diagrams: bool = True,
    progress: Callable = iter,
) -> list[pathlib.Path]:
    """Write the worked solution and its diagrams into the folder `out`; returns the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    with folder_atomically(out) as work:  # the folder appears complete, or not at all
        figures = draw(problem, work) if diagrams else []
        links = []
        if fmt == "html" and diagrams:
            try:
                lecture(problem, work / LECTURE)
                links.append((LECTURE, LECTURE_LINK))
            except LectureSkipped as why:
                figures.append(Para(T(f"No step-through page: {why}", f"No step-through page: {why}")))
        page = write(blocks(problem, steps, figures, digits, progress), fmt, work, links)
        (work / f"solution.{fmt}").write_text(page, encoding="utf-8")
        names = sorted(p.name for p in work.iterdir())
    return [pathlib.Path(out) / name for name in names]


def lecture(problem: Problem, path: str | os.PathLike, wrt: str | None = None) -> pathlib.Path:
    """Write the step-through page of the problem's first pass (viz.step_through) to `path`.

    wrt: the label of the leaf whose paths to the loss the page highlights; by default
    the first parameter (w11^(1): in a network, the longest chain of the rule).
    A network also gets the layer view (drive, activation, delta), as the documents go.
    """
    model = Model(problem)
    loss = model.forward().loss
    order = topological_order(loss)
    found = sum(v.label == wrt for v in order)
    if wrt is not None and found != 1:
        names = ", ".join(p.label for p in model.parameters[:12])
        names += ", ..." if len(model.parameters) > 12 else ""
        which = "no Value has" if not found else f"{found} Values have"  # x1 of each example, say
        raise ValueError(f"wrt {wrt!r}: {which} that label in {problem.path}; the parameters are {names}")
    if len(order) > lecture_page.MAX_NODES:
        raise LectureSkipped(f"the graph has {len(order)} Values, more than the {lecture_page.MAX_NODES} a "
                             "page can step through; a smaller network shows the same steps")
    wrt = wrt if wrt is not None else (model.parameters[0].label if model.parameters else None)
    try:
        return lecture_page.step_through(loss, path, wrt=wrt, title=problem.title,
                                         layers=model.mlp is not None)
    except RendererNotFound as error:
        raise LectureSkipped(str(error)) from None


def graph_size(root) -> int:
    """How many Values the graph behind `root` has."""
    return len(topological_order(root))
