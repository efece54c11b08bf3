"""A checked `Problem` turned into Values: the network (nn.MLP) or the formula graph, passes and updates.

`Model(problem).forward()` runs the next step's examples (all of them, or online the
next one) through the current parameters, builds the loss (with its L2 penalty, if
any), calls backward() and returns a `Pass` holding the nodes a worked solution
names: each neuron's drive and activation, the outputs, the loss. `step()` updates
the parameters with the file's optimizer (nn.SGD, with momentum, or nn.Adam) and
returns what each parameter's update used, for the solution to write out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from micrograd import Value
from nn import MLP, SGD, Adam, labels, losses
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
    examples: list[int] = field(default_factory=lambda: [0])  # which of the file's examples (0-based)
    data_loss: Value | None = None  # the loss without the penalty (E), when there is a penalty
    penalty: Value | None = None    # the L2 penalty's node, labelled 'penalty'
    step: int = 1                   # the step (from 1) whose forward pass this is


@dataclass
class Update:
    """One parameter's update in one step: the numbers the solution writes out."""

    param: Value
    old: float
    grad: float
    new: float
    state: dict[str, float] = field(default_factory=dict)  # v (momentum); m, v before and after (Adam)


class Model:
    """The problem's parameters as Values, kept across steps."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        if problem.graph is not None:
            g = problem.graph
            self.leaves = {n: Value(v, n) for n, v in {**g.inputs, **g.parameters}.items()}
            self.parameters = [self.leaves[n] for n in g.parameters]
            self.mlp = None
            self.decayed = self.parameters if problem.weight_decay else []
            self._optimizer: SGD | Adam | None = None
            self.steps_taken = 0
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
        x0 = problem.conventions.bias_input or 1.0  # the file gives w_j0; the drive adds b_j = w_j0 x0
        entries = [(layer.weights, [x0 * b for b in layer.biases]) if layer.biases is not None
                   else layer.weights for layer in layers]
        self.mlp = MLP(problem.nin, sizes, activation=acts[:-1], output_activation=acts[-1],
                       bias=has_bias, weights=entries, layout="out_in")
        for l, (layer, built) in enumerate(zip(layers, self.mlp.layers), 1):
            if layer.shared_bias:  # one Value in every neuron's drive: its grad sums their deltas
                shared = built.neurons[0].b
                assert shared is not None  # parse lets shared_bias through only with biases
                shared.label = f"b^({l})"
                for neuron in built.neurons[1:]:
                    neuron.b = shared
        unique = {id(p): p for p in self.mlp.parameters()}  # a shared bias once, not once per neuron
        self.parameters = list(unique.values())
        weights = [w for built in self.mlp.layers for neuron in built.neurons for w in neuron.w]
        kept = weights if not problem.decay_biases else self.parameters
        self.decayed = kept if problem.weight_decay else []
        self._optimizer = None
        self.steps_taken = 0

    def forward(self, step: int | None = None) -> Pass:
        """Step `step`'s examples (default: the next step's) through the current parameters, the loss,
        and backward() from it."""
        step = self.steps_taken + 1 if step is None else step
        for p in self.parameters:
            p.grad = 0.0
        graph = self.problem.graph
        examples = self.problem.examples_of(step)
        result = self._graph_pass(graph) if graph is not None else self._network_pass(self.network, examples)
        result.step = step
        if self.decayed:
            self._add_penalty(result)
        result.loss.backward()
        return result

    def _add_penalty(self, result: Pass) -> None:
        """L = E + penalty, the penalty lambda/2 sum w^2 or lambda sum w^2 as the file states it."""
        problem = self.problem
        coefficient = problem.weight_decay * (0.5 if problem.decay_factor == 1.0 else 1.0)
        squares = [w * w for w in self.decayed]
        total = squares[0]
        for square in squares[1:]:
            total = total + square
        penalty = total * coefficient
        penalty.label = "penalty"
        data_loss = result.loss
        data_loss.label = "E" if data_loss.label == "loss" else data_loss.label
        result.data_loss, result.penalty = data_loss, penalty
        result.loss = data_loss + penalty
        result.loss.label = "loss"

    @property
    def network(self) -> MLP:
        """The network of a network problem; a formula problem (seed 001) has none: a ValueError."""
        if self.mlp is None:
            raise ValueError(f"{self.problem.path} is written as formulas, not as a network: it has no MLP")
        return self.mlp

    def step(self) -> list[Update]:
        """Every parameter moves by the file's optimizer from its current grad; what each update used."""
        lr, spec = self.problem.lr, self.problem.optimizer
        if lr is None:
            raise ValueError(f"{self.problem.path}: a step needs a learning rate: add `lr = ...` to the file")
        if self._optimizer is None:
            adam = spec.name == "adam"
            self._optimizer = (Adam(self.parameters, lr, betas=spec.betas, eps=spec.eps) if adam
                               else SGD(self.parameters, lr, momentum=spec.momentum))
        opt = self._optimizer
        before = [(p.data, p.grad) for p in self.parameters]
        moments = (list(opt.m), list(opt.v)) if isinstance(opt, Adam) else None
        velocity = list(opt.velocity) if isinstance(opt, SGD) and opt.velocity is not None else None
        opt.step()
        self.steps_taken += 1
        updates = []
        for k, (p, (old, grad)) in enumerate(zip(self.parameters, before)):
            state: dict[str, float] = {}
            if isinstance(opt, Adam):
                assert moments is not None
                state = {"m_old": moments[0][k], "v_old": moments[1][k], "m": opt.m[k], "v": opt.v[k],
                         "t": float(opt.steps)}
            elif opt.momentum:
                assert opt.velocity is not None
                state = {"v_old": velocity[k] if velocity is not None else 0.0, "v": opt.velocity[k]}
            updates.append(Update(p, old, grad, p.data, state))
        return updates

    def _graph_pass(self, g: Graph) -> Pass:
        for leaf in self.leaves.values():
            leaf.grad = 0.0
        nodes = formula.build(g.formulas, self.leaves, frozenset(g.parameters))
        inputs = [self.leaves[n] for n in g.inputs]
        out = [nodes[g.output]] if g.output else []
        return Pass(x=[inputs], y_hat=[out], losses=[nodes[g.loss]], loss=nodes[g.loss], nodes=nodes)

    def _network_pass(self, mlp: MLP, examples: list[int]) -> Pass:
        problem = self.problem
        xs: list[list[Value]] = []
        every_drive: list[list[list[Value]]] = []
        every_activation: list[list[list[Value]]] = []
        outputs: list[list[Value]] = []
        each_loss: list[Value] = []
        for n in examples:
            x, t = problem.x[n], problem.target[n]
            inputs = [Value(v, labels.network_input(i)) for i, v in enumerate(x, 1)]
            drives: list[list[Value]] = []
            acts: list[list[Value]] = []
            h = inputs
            for layer in mlp.layers:
                h = layer.forward(h)
                acts.append(h)
                drives.append([a if layer.activation == "linear" else a.inputs[0] for a in h])
            y_hat, loss = example_loss(problem.loss, h, t)
            if len(examples) > 1:
                loss.label = f"loss{n + 1}"
            xs.append(inputs)
            every_drive.append(drives)
            every_activation.append(acts)
            outputs.append(y_hat)
            each_loss.append(loss)
        combine = losses.mean if problem.reduction == "mean" else losses.total
        total = each_loss[0] if len(each_loss) == 1 else combine(each_loss)
        total.label = "loss"
        return Pass(x=xs, loss=total, drives=every_drive, activations=every_activation, y_hat=outputs,
                    losses=each_loss, examples=examples)


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
