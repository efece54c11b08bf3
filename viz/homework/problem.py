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
OPTIMIZERS = ("sgd", "adam")
MODES = {
    "batch": "every step: all examples, one update from the sum (or mean) of their losses",
    "online": "every step: the next example only, in order, one update from its loss",
}
DECAY_FORMS = {  # the penalty added to the loss -> its gradient
    "1/2 lambda sum w^2": "gradient lambda w (torch.optim's weight_decay = lambda)",
    "lambda sum w^2": "gradient 2 lambda w",
}
DELTA_SIGNS = ("dL/dz", "-dL/dz")
ERROR_SIGNS = ("y - t", "t - y")
UPDATE_FORMS = {
    "subtract": "w <- w - eta * dL/dw",
    "delta": "Delta w = -eta * dL/dw, then w <- w + Delta w",
}


class ProblemError(ValueError):
    """A problem file that cannot be used; the message says where and what was expected."""


@dataclass
class Layer:
    """One dense layer: weights[j][i] into neuron j from input i, biases[j] (None: no bias)."""

    activation: str
    weights: list[list[float]]
    biases: list[float] | None
    shared_bias: bool = False  # one bias for all the layer's neurons (biases then all equal)


@dataclass
class Optimizer:
    """The update rule: plain SGD, SGD with momentum, or Adam, as torch.optim computes them."""

    name: str = "sgd"
    momentum: float = 0.0                       # sgd: v <- momentum * v + g, w <- w - lr * v
    betas: tuple[float, float] = (0.9, 0.999)   # adam: the decay rates of m and v
    eps: float = 1e-8                           # adam: added to sqrt(v_hat)


@dataclass
class Conventions:
    """How the sheet writes its numbers; the solution writes them the same way (the maths is unchanged)."""

    delta: str = "dL/dz"        # or "-dL/dz": then delta = (t - y) f'(z) and dL/dw = -delta a
    error: str | None = None    # "t - y" or "y - t": the output error is shown under that name, e
    bias_input: float | None = None  # 1 or -1: each bias is the weight w_j0 of a constant input x_0
    update: str = "subtract"    # or "delta": Delta w = -eta g is shown, then w + Delta w


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
    optimizer: Optimizer = field(default_factory=Optimizer)
    weight_decay: float = 0.0     # lambda of the L2 penalty added to the loss
    decay_form: str = "1/2 lambda sum w^2"  # one of DECAY_FORMS
    decay_biases: bool = False    # whether the penalty also takes the biases (torch's weight_decay does)
    mode: str = "batch"           # one of MODES
    conventions: Conventions = field(default_factory=Conventions)
    differs: list[str] = field(default_factory=list)  # where the source document's numbers differ, and why

    @property
    def decay_factor(self) -> float:
        """c in the penalty's gradient c * lambda * w: 1 for 1/2 lambda sum w^2, 2 for lambda sum w^2."""
        return 1.0 if self.decay_form == "1/2 lambda sum w^2" else 2.0

    def examples_of(self, step: int) -> list[int]:
        """The (0-based) examples step `step` (from 1) uses: all of them, or online the next one in order."""
        count = len(self.x) if self.graph is None else 1
        return [(step - 1) % count] if self.mode == "online" else list(range(count))

    @property
    def nin(self) -> int:
        """How many inputs the network takes."""
        return len(self.layers[0].weights[0]) if self.layers else 0
