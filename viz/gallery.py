"""The README's pictures, drawn from the real output: `python -m viz.gallery notebooks/pictures`.

Each picture is built through the public API, the way `micrograd draw` builds it
(a shipped problem, one forward and backward pass, draw_dot or draw_network), and
written as a 150 dpi PNG, so the README always shows what the package draws today.
"""

from __future__ import annotations

import argparse
import pathlib
import random
import sys
from collections.abc import Callable

import nn
from viz.draw.graph import draw_dot
from viz.draw.network import draw_network
from viz.draw.render import Drawing, render
from viz.homework import problem_file as problems
from viz.homework.run import Model, Pass

FOLDER = "notebooks/pictures"


def _solved(seed: str) -> tuple[Model, Pass]:
    """A shipped problem after one forward and backward pass, as `micrograd draw seed_004` runs it."""
    model = Model(problems.load(problems.shipped(seed)))
    return model, model.forward()


def _spoken(seed: str) -> str:
    return seed.replace("_", " ")  # seed_004 -> seed 004, as the documents say it


def seed_graph(seed: str) -> Drawing:
    """The computation graph of a seed problem's loss, after backward."""
    _, first = _solved(seed)
    return draw_dot(first.loss, title=f"{_spoken(seed)}: the computation graph after backward()")


def seed_network(seed: str) -> Drawing:
    """The network diagram of a seed problem, with z, a and δ after backward."""
    model, first = _solved(seed)
    return draw_network(model.mlp, root=first.loss, title=f"{_spoken(seed)}: the network after backward()")


def demo_neurons() -> Drawing:
    """micrograd's demo MLP (2-16-16-1) on one example, drawn one node per neuron."""
    random.seed(1337)  # the demo's seed
    model = nn.MLP(2, [16, 16, 1])
    loss = nn.sum_squares(model([0.5, -1.5]), 1.0)
    loss.backward()
    return draw_dot(loss, collapse="neuron",
                    title="micrograd's demo MLP 2-16-16-1 on one example: one node per neuron")


# file name -> (drawing, what it shows: the README's alt text)
PICTURES: dict[str, tuple[Callable[[], Drawing], str]] = {
    "seed_004_graph.png": (lambda: seed_graph("seed_004"), "seed 004's computation graph"),
    "seed_004_network.png": (lambda: seed_network("seed_004"), "seed 004's network diagram"),
    "seed_002_network.png": (lambda: seed_network("seed_002"), "seed 002's 4-4-3-3 network diagram"),
    "demo_mlp_neurons.png": (demo_neurons, "micrograd's demo MLP, one node per neuron"),
}


def write(folder: str | pathlib.Path = FOLDER) -> list[pathlib.Path]:
    """Draw every picture into `folder` as PNG (150 dpi); the files written."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [render(draw(), folder / name) for name, (draw, _) in PICTURES.items()]


def markdown(folder: str = FOLDER) -> str:
    """The README's image links, one a line: ![alt](notebooks/pictures/name.png)."""
    return "".join(f"![{alt}]({folder}/{name})\n" for name, (_, alt) in PICTURES.items())


def main(argv: list[str] | None = None) -> int:
    """`python -m viz.gallery [FOLDER]`: regenerate the README's pictures."""
    parser = argparse.ArgumentParser(prog="python -m viz.gallery", description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=FOLDER, help=f"where to write them (default {FOLDER})")
    parser.add_argument("--markdown", action="store_true", help="print the README's image links instead")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(args.folder), end="")
        return 0
    for path in write(args.folder):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
