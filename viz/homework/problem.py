"""What a problem is: a homework sheet's network (or formulas), weights, data, loss and learning rate.

viz.homework.problem_file reads and checks a problem file into a `Problem`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ACTIVATIONS = ("tanh", "relu", "sigmoid", "square", "linear")
LOSSES = {  # name -> how the documents write it
    "half-squared-error": "1/2 sum (t - y)^2",
    "squared-error": "sum (t - y)^2",
    "mean-squared-error": "1/n sum (t - y)^2",
    "cross-entropy": "-sum t log softmax(y)",
    "binary-cross-entropy": "-(t log y + (1 - t) log(1 - y))",
}
LAYOUTS = {
    "out_in": "weights[j][i]: row j is neuron j, column i is input i (PyTorch's W x + b); biases apart",
    "in_out": "weights[i][j]: the documents' W^T x: row 0 holds the biases, row i the weights "
    "of input i, column j is neuron j",
}
class ProblemError(ValueError):
    """A problem file that cannot be used; the message says where and what was expected."""


@dataclass
class Layer:
    """One dense layer: weights[j][i] into neuron j from input i, biases[j] (None: no bias)."""

    activation: str
    weights: list[list[float]]
    biases: list[float] | None


@dataclass
class Graph:
    """A network written as named formulas (seed 001)."""

    inputs: dict[str, float]
    parameters: dict[str, float]
    formulas: dict[str, str]
    loss: str
    output: str | None


@dataclass
class Problem:
    """Everything a worked solution needs, checked."""

    path: str
    title: str
    source: str = ""
    layers: list[Layer] = field(default_factory=list)
    graph: Graph | None = None
    x: list[list[float]] = field(default_factory=list)       # one row per example
    target: list[list[float]] = field(default_factory=list)  # one row per example
    loss: str = "half-squared-error"
    lr: float | None = None
    steps: int = 1
    reduction: str = "sum"
    layout: str = "out_in"  # how the file wrote the weights (the solution shows them the same way)

    @property
    def nin(self) -> int:
        """How many inputs the network takes."""
        return len(self.layers[0].weights[0]) if self.layers else 0
