"""A checked `Problem` turned into Values: the network (nn.MLP) or the formula graph, passes and updates.

`Model(problem).forward()` runs every example through the current parameters, builds
the loss, calls backward() and returns a `Pass` holding the nodes a worked solution
names: each neuron's drive and activation, the outputs, the loss. `step()` is the
plain SGD update p <- p - lr * dL/dp that the documents write out by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from micrograd import Value
from nn import MLP, labels, losses
from viz.homework import formula
from viz.homework.problem import Graph, Problem


@dataclass
class Pass:
    """One forward and backward pass over every example, after backward()."""

    x: list[list[Value]]                      # [example][input]
    loss: Value                               # sum or mean of `losses`, labelled 'loss'
    drives: list[list[list[Value]]] = field(default_factory=list)       # [example][layer][neuron]
    activations: list[list[list[Value]]] = field(default_factory=list)  # the drive again for 'linear'
    y_hat: list[list[Value]] = field(default_factory=list)  # [example][output]; softmax(z) for cross-entropy
    losses: list[Value] = field(default_factory=list)       # one per example
    nodes: dict[str, Value] = field(default_factory=dict)   # the formulas of a graph problem


class Model:
    """The problem's parameters as Values, kept across steps."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        if problem.graph is not None:
            g = problem.graph
            self.leaves = {n: Value(v, n) for n, v in {**g.inputs, **g.parameters}.items()}
            self.parameters = [self.leaves[n] for n in g.parameters]
            self.mlp = None
            return
        layers = problem.layers
        sizes = [len(layer.weights) for layer in layers]
        acts = [layer.activation for layer in layers]
        has_bias = layers[0].biases is not None
        if any((layer.biases is not None) != has_bias for layer in layers):
            # nn.MLP takes one bias switch for the whole net; mixed nets are not in any document
            raise ValueError(
                f"{problem.path}: every layer must have biases, or none: set `bias` once in [network]"
            )
        entries = [(layer.weights, layer.biases) if has_bias else layer.weights for layer in layers]
        self.mlp = MLP(problem.nin, sizes, activation=acts[:-1], output_activation=acts[-1],
                       bias=has_bias, weights=entries, layout="out_in")
        self.parameters = self.mlp.parameters()

    def forward(self) -> Pass:
        """Every example through the current parameters, the loss, and backward() from it."""
        for p in self.parameters:
            p.grad = 0.0
        graph = self.problem.graph
        result = self._graph_pass(graph) if graph is not None else self._network_pass(self.network)
        result.loss.backward()
        return result

    @property
    def network(self) -> MLP:
        """The network of a network problem; a formula problem (seed 001) has none: a ValueError."""
        if self.mlp is None:
            raise ValueError(f"{self.problem.path} is written as formulas, not as a network: it has no MLP")
        return self.mlp

    def step(self) -> None:
        """SGD: every parameter moves against its gradient, p <- p - lr * dL/dp."""
        lr = self.problem.lr
        if lr is None:
            raise ValueError(f"{self.problem.path}: a step needs a learning rate: add `lr = ...` to the file")
        for p in self.parameters:
            p.data -= lr * p.grad

    def _graph_pass(self, g: Graph) -> Pass:
        for leaf in self.leaves.values():
            leaf.grad = 0.0
        nodes = formula.build(g.formulas, self.leaves, frozenset(g.parameters))
        inputs = [self.leaves[n] for n in g.inputs]
        out = [nodes[g.output]] if g.output else []
        return Pass(x=[inputs], y_hat=[out], losses=[nodes[g.loss]], loss=nodes[g.loss], nodes=nodes)

    def _network_pass(self, mlp: MLP) -> Pass:
        problem = self.problem
        xs: list[list[Value]] = []
        every_drive: list[list[list[Value]]] = []
        every_activation: list[list[list[Value]]] = []
        outputs: list[list[Value]] = []
        each_loss: list[Value] = []
        for n, (x, t) in enumerate(zip(problem.x, problem.target), 1):
            inputs = [Value(v, labels.network_input(i)) for i, v in enumerate(x, 1)]
            drives: list[list[Value]] = []
            acts: list[list[Value]] = []
            h = inputs
            for layer in mlp.layers:
                h = layer.forward(h)
                acts.append(h)
                drives.append([a if layer.activation == "linear" else a.inputs[0] for a in h])
            y_hat, loss = example_loss(problem.loss, h, t)
            if len(problem.x) > 1:
                loss.label = f"loss{n}"
            xs.append(inputs)
            every_drive.append(drives)
            every_activation.append(acts)
            outputs.append(y_hat)
            each_loss.append(loss)
        combine = losses.mean if problem.reduction == "mean" else losses.total
        total = each_loss[0] if len(each_loss) == 1 else combine(each_loss)
        total.label = "loss"
        return Pass(x=xs, loss=total, drives=every_drive, activations=every_activation, y_hat=outputs,
                    losses=each_loss)


def example_loss(kind: str, outputs: list[Value], target: list[float]) -> tuple[list[Value], Value]:
    """(y_hat, loss) for one example, with nn's losses; targets are leaves labelled t1, t2, ..."""
    t = [Value(v, f"t{k}") for k, v in enumerate(target, 1)]
    y_hat = outputs
    if kind == "cross-entropy":
        loss = losses.cross_entropy(outputs, target)
        y_hat = losses.softmax(outputs)  # shown beside the loss; its gradient comes from the logits
        for k, p in enumerate(y_hat, 1):
            p.label = f"y_hat{k}" if len(y_hat) > 1 else "y_hat"
    elif kind == "binary-cross-entropy":
        loss = losses.total([losses.binary_cross_entropy(y, tk) for y, tk in zip(outputs, target)])
    else:
        squares = {
            "half-squared-error": losses.half_sum_squares,
            "squared-error": losses.sum_squares,
            "mean-squared-error": losses.mean_squared_error,
        }[kind]
        loss = squares(outputs, t)
    loss.label = "loss"
    return y_hat, loss
