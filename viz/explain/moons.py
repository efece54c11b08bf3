"""micrograd's two-moons demo as a lecture page: the MLP 2-16-16-1 trained in batch mode, step by step.

The data is micrograd's (scikit-learn's make_moons(100, noise=0.1) after
np.random.seed(1337), made here with numpy alone), the model micrograd's
MLP(2, [16, 16, 1]) drawn after random.seed(1337), the loss its hinge + L2 and
the update its SGD with learning rate 1 - 0.9 k/100. Each step the page shows the
network (one box per neuron), every weight and grad, the dead ReLUs, the loss and
the decision boundary, an image computed here on a grid.

>>> import os, tempfile
>>> page = moons(os.path.join(tempfile.mkdtemp(), "moons.html"), steps=2)
"""

from __future__ import annotations

import os
import pathlib
import random

import numpy as np

from micrograd import Value, topological_order
from micrograd.batch import Batch, columns
from micrograd.files import write_atomically
from micrograd.nn import MLP
from nn import total
from viz.explain.lecture import page as lecture_page
from viz.explain.training import Lines
from viz.notation.names import typeset
from viz.notation.neurons import network_role, role
from viz.notation.numbers import pretty

STEPS = 30       # a few dozen: the boundary has bent round both moons by then
MAX_STEPS = 100  # the demo's learning rate 1 - 0.9 k/100 is meant for k < 100
ALPHA = 1e-4     # the demo's L2 strength
GRID = 40        # the decision boundary's image: GRID x GRID cells
DIGITS = 4       # 337 weights a step: four digits keep the page small and the numbers readable


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles with noise: scikit-learn's make_moons, drawn as it draws them."""
    rng = np.random.RandomState(seed)
    outer, inner = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, np.pi, outer), np.linspace(0, np.pi, inner)
    X = np.vstack([np.append(np.cos(t_out), 1 - np.cos(t_in)),
                   np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5)]).T
    y = np.hstack([np.zeros(outer, dtype=int), np.ones(inner, dtype=int)])
    shuffled = np.arange(n)
    rng.shuffle(shuffled)
    X, y = X[shuffled], y[shuffled]
    return X + rng.normal(scale=noise, size=X.shape), y


def demo_model() -> MLP:
    """micrograd's demo MLP(2, [16, 16, 1]) after random.seed(1337); Python's own random state is kept."""
    kept = random.getstate()
    try:
        random.seed(1337)
        return MLP(2, [16, 16, 1])
    finally:
        random.setstate(kept)


def demo_loss(model: MLP, inputs: list[Batch], y: np.ndarray) -> tuple[Value, Batch, Value, Value]:
    """The demo's loss over the whole batch: mean hinge max(0, 1 - y·score) plus ALPHA·Σ p²."""
    scores = model(inputs)
    data_loss = (1 + -y * scores).relu().sum() * (1.0 / len(y))
    reg_loss = ALPHA * total([p * p for p in model.parameters()])
    return data_loss + reg_loss, scores, data_loss, reg_loss


def moons(path: str | os.PathLike, steps: int = STEPS) -> pathlib.Path:
    """Write the two-moons lecture page: `steps` training steps of micrograd's demo, in batch mode."""
    path = pathlib.Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"the two-moons page is HTML: give a path ending in .html, got {str(path)!r}")
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS} (the demo's learning rate "
                         f"1 - 0.9k/100 is meant for fewer than 100 steps), got {steps!r}")
    X, labels = make_moons()
    y = labels * 2 - 1  # the demo's classes -1 and +1
    model = demo_model()
    params = model.parameters()
    inputs = columns(X)
    box = (X[:, 0].min() - 1, X[:, 0].max() + 1, X[:, 1].min() - 1, X[:, 1].max() + 1)
    grid = _grid(box)
    table = Lines()
    network = _network(model)
    records = []
    for k in range(steps):
        loss, scores, data_loss, reg_loss = demo_loss(model, inputs, y)
        model.zero_grad()
        loss.backward()
        lr = 1.0 - 0.9 * k / 100
        records.append(_record(model, loss, scores, data_loss, reg_loss, y, lr, grid, table))
        for p in params:
            p.data -= lr * p.grad
    network["given"] = list(records[0]["layers"]["values"])  # known from the start: no step computes them
    data = {
        "title": f"micrograd's two-moons demo: MLP 2-16-16-1, hinge loss + L2, {steps} steps of SGD "
                 "in batch mode",
        "solution": None, "graph": False, "nodes": [], "path": None, "lr": None,
        "layers": network,
        "weights": [_weight(k, p, len(y), table) for k, p in enumerate(params)],
        "lines": table.table,
        "train": records,
        "boundary": {"size": GRID, "box": [round(float(v), 4) for v in box],
                     "points": [[round(float(a), 3), round(float(b), 3), int(c)] for (a, b), c in zip(X, y)]},
    }
    empty = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"></svg>'  # no graph: batch arrays
    write_atomically(path, lecture_page(data, empty))
    return path


def _weight(k: int, p: Value, n: int, table: Lines) -> dict:
    """A weight's name and its lines, kept once for every step (the steps hold only the numbers)."""
    lines = delta_lines(p, n)
    return {"k": k, "name": typeset(p.label), "derivation": table.ids("\n".join(lines[:-2])),
            "update": table.ids("\n".join(lines[-2:]))}


def _grid(box: tuple) -> list[Batch]:
    """The centres of the boundary image's cells, top row first, as the model's two Batch inputs."""
    x0, x1, y0, y1 = box
    xs = x0 + (np.arange(GRID) + 0.5) * (x1 - x0) / GRID
    ys = y1 - (np.arange(GRID) + 0.5) * (y1 - y0) / GRID
    gx, gy = np.meshgrid(xs, ys)
    return columns(np.column_stack([gx.ravel(), gy.ravel()]))


def _network(model: MLP) -> dict:
    """The collapsed network view: a box per neuron, a link per weight (k: its index in parameters())."""
    index = {id(p): k for k, p in enumerate(model.parameters())}
    columns_ = [{"title": "inputs", "cells": [{"id": f"0.{i}", "name": f"x{i}", "fields": [], "compact": True}
                                                    for i in (1, 2)]}]
    links = []
    for layer, part in enumerate(model.layers, 1):
        cells = []
        for j, neuron in enumerate(part.neurons, 1):
            key = "on" if layer < len(model.layers) else "score"
            symbol = "ReLU on" if key == "on" else "score > 0"
            cells.append({"id": f"{layer}.{j}", "name": f"{j}", "fields": [{"key": key, "symbol": symbol}],
                          "compact": True})
            for i, w in enumerate(neuron.w, 1):
                links.append({"from": f"{layer - 1}.{i}", "to": f"{layer}.{j}", "weight": typeset(w.label),
                              "k": index[id(w)]})
        columns_.append({"title": f"layer {layer}", "cells": cells})
    loss = {"id": "loss", "name": "loss", "fields": [{"key": "L", "symbol": "L"}]}
    columns_.append({"title": "loss", "cells": [loss]})
    links.append({"from": f"{len(model.layers)}.1", "to": "loss"})
    return {"columns": columns_, "given": [], "links": links}


def _record(model: MLP, loss: Value, scores: Batch, data_loss: Value, reg_loss: Value, y: np.ndarray,
            lr: float, grid: list[Batch], table: Lines) -> dict:
    """One training step as the page shows it; read after backward(), before the update."""
    params = model.parameters()
    n = len(y)
    drives, activations = _nodes(loss)
    values: dict[str, str] = {"loss.L": pretty(loss.data, DIGITS)}
    marks = {}
    last = len(model.layers)
    for layer, j in activations:
        on = int(np.count_nonzero(drives[layer, j].data > 0))
        values[f"{layer}.{j}.on"] = f"{on}/{n}"
        if on == 0:
            marks[f"{layer}.{j}"] = "dead"
    values[f"{last}.1.score"] = f"{int(np.count_nonzero(scores.data > 0))}/{n}"
    accuracy = float(np.mean((y > 0) == (scores.data > 0)))
    weights = {}
    for k, p in enumerate(params):  # each weight's lines are kept once (see moons), its numbers every step
        weights[k] = {"values": _delta_numbers(p, drives, n, lr)}
    dead = sorted(marks, key=lambda c: tuple(map(int, c.split("."))))
    steps = [
        {"kind": "loss", "title": "Forward pass", "show": ["loss.L"], "lines": [
            f"all {n} examples through the network at once (batch mode)",
            f"data loss = mean over n of max(0, 1 − yₙ·scoreₙ) = {pretty(data_loss.data, DIGITS)}",
            f"L2 = α·Σ p² = 10⁻⁴ · Σ p² = {pretty(reg_loss.data, DIGITS)}",
            f"L = {pretty(data_loss.data, DIGITS)} + {pretty(reg_loss.data, DIGITS)} "
            f"= {pretty(loss.data, DIGITS)}",
            f"accuracy: {round(100 * accuracy)}% of the {n} points on their side"]},
        {"kind": "delta", "title": "Backward pass and update", "show": [], "lines": [
            f"backward(): each weight's grad adds up its {n} examples' δ·input, plus 2α·w",
            f"dead ReLUs (off for every example, so no gradient through them): {len(dead)}" + _listed(dead),
            f"update: p ← p − η·∂L/∂p for all {len(params)} parameters, "
            f"η = 1 − 0.9·k/100 = {pretty(lr, DIGITS)}",
            "click a link, or press W, for one weight's numbers"]},
    ]
    inside = model(grid)
    return {
        "loss": loss.data, "shown": pretty(loss.data, DIGITS), "accuracy": f"{round(100 * accuracy)}%",
        "data": [pretty(p.data, DIGITS) for p in params], "grads": [pretty(p.grad, DIGITS) for p in params],
        "locals": [], "steps": [], "end": [], "path": None,
        "layers": {"values": values, "steps": steps},
        "size": {k: [float(f"{p.data:.2g}"), float(f"{p.grad:.2g}")] for k, p in enumerate(params)},
        "weights": weights, "marks": marks,
        "boundary": "".join("1" if s > 0 else "0" for s in inside.data),
    }


def _nodes(loss: Value) -> tuple[dict, dict]:
    """The batch graph's drives z_j^(l) and activations a_j^(l), by (layer, j), with their arrays."""
    drives, activations = {}, {}
    for v in topological_order(loss):
        r = role(v.label)
        if r is not None and r.kind == "z":
            drives[r.layer, r.j] = v
        elif r is not None and r.kind == "a":
            activations[r.layer, r.j] = v
    return drives, activations


def delta_lines(p: Value, n: int) -> list[str]:
    """dL/dp in delta form, summed over the batch (Σ_n δ_j(n)·a_i(n) + 2α·p), then its update.

    The page fills in each step's numbers: {0}, {1}, ... from _delta_numbers, {w} and
    {g} the weight and its grad, {(w)} and {(g)} the same in parentheses when negative.
    """
    r = network_role(p)
    name = typeset(p.label)
    source = ("" if r.kind == "b" else typeset(f"x{r.i}") if r.layer == 1
              else typeset(f"a{r.i}^({r.layer - 1})"))
    d = typeset(f"delta{r.j}^({r.layer})")
    term = f"{d}(n)·{source}(n)" if source else f"{d}(n)"
    return [
        f"∂L/∂{name} = Σₙ {term} + 2α·{name}    (the sum over the {n} examples; α = 10⁻⁴)",
        "  = {0} + 2·10⁻⁴·{(w)}",
        "  = {0} + {(1)} = {g}",
        f"{d}(n) = ∂L/∂{typeset(f'z{r.j}^({r.layer})')}(n) is 0 for {{2}} of the {n} examples "
        "(ReLU off, or the hinge already met)",
        f"update: {name} ← {name} − η·∂L/∂{name}",
        "= {w} − {3}·{(g)} = {4}",
    ]


def _delta_numbers(p: Value, drives: dict, n: int, lr: float) -> list[str]:
    """This step's numbers for delta_lines: Σ_n δ_j(n)·a_i(n), 2α·p, how many δ_j(n) are 0, η, the new p."""
    r = network_role(p)
    z = drives[r.layer, r.j]
    delta = np.asarray(z.grad, dtype=float) * np.ones(n)  # dL/dz_j(n) for each example n, from backward()
    # the engine's local derivative dz_j/dp for every example: the input a_i (x_i), or 1 for the bias
    local = z.local_grads[next(at for at, u in enumerate(z.inputs) if u is p)]
    a = np.asarray(local, dtype=float).ravel() * np.ones(n)
    return [pretty(float(delta @ a), DIGITS), pretty(2 * ALPHA * p.data, DIGITS),
            str(int(np.count_nonzero(delta == 0))), pretty(lr, DIGITS), pretty(p.data - lr * p.grad, DIGITS)]


def _listed(cells: list[str]) -> str:
    """' — neuron 8 of layer 2, ...' for the first few of these cells, '' for none."""
    names = [f"neuron {j} of layer {layer}" for layer, j in (c.split(".") for c in cells[:6])]
    return f" — {', '.join(names)}{' ...' if len(cells) > 6 else ''}" if cells else ""


def _signed(text: str) -> str:
    return f"({text})" if text.startswith(("-", "−")) else text
