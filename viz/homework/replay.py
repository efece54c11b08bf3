"""Re-running a problem's passes by hand, with some values replaced by a student's own numbers.

`replay(problem, overrides, tracked)` walks the same graph the engine built (same
nodes, same ops, same order), recomputing every data, local derivative, grad and
update the way a student does on paper: forward with the engine's own op table
(`micrograd.engine.OPS`), then backward with each local derivative taken from the
values at hand (sigma' = a(1 - a) with *their* a), then the problem's update. A value
the student wrote down replaces the computed one from then on, which is how their
rounding travels forward. It also records, for every value, which of the `tracked`
values (the ones the student answered) it was actually computed from: a local
derivative reads only what its formula reads (d(a*b)/da reads b; d(a+b)/da nothing).

Keys are (pass, kind, label, example). kind is 'data', 'local' (label 'a1^(1)/z1^(1)':
d out / d input along one edge), 'grad' (dL/d label), 'change' (the amount an update
adds to a parameter) or 'new' (a parameter after the update of that pass). example is
0 in a problem of one example and for what the examples share (parameters, the total
loss); in a problem of several it is k = 1, 2, ... for the nodes of example k, whose
'grad' is then d loss_k / d label (also for the parameters: that example's share).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from micrograd import Value, topological_order
from micrograd.engine import OPS
from viz.homework.problem import Problem
from viz.homework.run import Model
from viz.notation.ops import DOT_OPS, exponent, partner

Key = tuple[int, str, str, int]
Sources = frozenset[Key]
_NONE: Sources = frozenset()

# The op table's locals written in the op's output (s * (1 - s), 1 - tanh(x)**2): on paper a
# student reads them off the output they wrote, so where they wrote one, theirs is used.
_FROM_OUTPUT = {"sigmoid": lambda s: s * (1.0 - s), "tanh": lambda t: 1.0 - t * t}


@dataclass
class Flat:
    """One pass's graph as the replay walks it: nodes in topological order and how they connect."""

    order: list[Value]
    inputs: list[list[int]]       # positions in `order` of each node's inputs
    example: list[int]            # each node's example (0: shared, or the problem has one)
    loss: int                     # the total loss
    losses: list[int]             # each example's loss, when there are several
    parameters: dict[str, int]    # label -> position

    def key(self, n: int, kind: str, k: int) -> Key:
        """The key of node k's `kind` in pass n."""
        return (n, kind, self.order[k].label, self.example[k])


def graph_of(problem: Problem, step: int = 1) -> Flat:
    """The graph of one pass (the first unless `step` says), flattened for the replay."""
    model = Model(problem)
    first = model.forward(step)
    several = len(first.losses) > 1
    roots = [first.loss] + [y for ys in first.y_hat for y in ys if y is not first.loss]
    order: list[Value] = []
    at: dict[int, int] = {}
    for root in roots:  # softmax outputs (cross-entropy) hang off the logits, beside the loss
        for v in topological_order(root):
            if id(v) not in at:
                at[id(v)] = len(order)
                order.append(v)
    shared = {id(p) for p in model.parameters}
    example = [0] * len(order)
    if several:
        for k, loss in enumerate(first.losses, 1):
            for v in topological_order(loss):
                if id(v) not in shared and example[at[id(v)]] == 0:
                    example[at[id(v)]] = k
        for ys in first.y_hat:  # softmax outputs: in the example of the logits they are made from
            for y in ys:
                example[at[id(y)]] = max(example[at[id(u)]] for u in y.inputs)
    return Flat(order=order, inputs=[[at[id(u)] for u in v.inputs] for v in order], example=example,
                loss=at[id(first.loss)], losses=[at[id(v)] for v in first.losses] if several else [],
                parameters={p.label: at[id(p)] for p in model.parameters})


def passes(problem: Problem) -> int:
    """How many forward passes a problem has: one per step, and one more for the loss after the last."""
    return problem.steps + 1 if problem.lr is not None else 1


def apply(op: str, x: list[float]) -> tuple[float, list[float]]:
    """(value, d value / d each input) of one node from its inputs' values, by the engine's op table.

    A node's op names its table entry, except a number exponent: the node reads '**2',
    the table's entry is '**k' with k as a second argument. A neuron's drive (w·x+b) is
    b + w1 x1 + w2 x2 + ..., summed in that order with the table's '*' and '+'.
    """
    if op in DOT_OPS:
        bias = op == "w·x+b"
        pairs = x[:-1] if bias else x
        total = x[-1] if bias else 0.0
        locals_: list[float] = []
        for w, xi in zip(pairs[0::2], pairs[1::2]):
            product, d_w, d_x = OPS["*"].fn(w, xi)
            total = OPS["+"].fn(total, product)[0]
            locals_ += [d_w, d_x]
        return total, locals_ + [1.0] * bias
    k = exponent(op)
    entry = OPS.get("**k" if k is not None else op)
    if entry is None:
        known = " ".join(["**2", *(name for name in OPS if name != "**k"), *DOT_OPS])
        raise ValueError(f"cannot replay the op {op!r}: the ops a problem can use are {known}")
    value, *locals_ = entry.fn(*x, float(k)) if k is not None else entry.fn(*x)
    return value, locals_[:len(x)]


def reads(op: str, p: int, n: int) -> tuple[tuple[int, ...], bool]:
    """Which inputs (and whether the output) the local derivative d out / d input p is written in."""
    if op in ("+", "-", "neg") or (op == "w·x+b" and p == n - 1):
        return (), False
    if op in ("*", *DOT_OPS):
        return (partner(op, p, n),), False
    if op in _FROM_OUTPUT:
        return (), True
    return tuple(range(n)), False


def replay(problem: Problem, overrides: Mapping[Key, float], tracked: set[Key], upto: int | None = None
           ) -> tuple[dict[Key, float], dict[Key, Sources]]:
    """Every value of passes 1 to `upto` (computed, before its own override) and the tracked values it used.

    The dict keeps the order of the computation: a value comes after everything it was made from.
    """
    run = _Replay(problem, overrides, tracked)
    last = passes(problem) if upto is None else min(upto, passes(problem))
    for n in range(1, last + 1):
        run.forward(n)
        run.backward(n)
        if problem.lr is None:
            break
        run.update(n)
    return run.values, run.sources


class _Replay:
    """The state of a replay between its passes: the parameters as the student carries them on."""

    def __init__(self, problem: Problem, overrides: Mapping[Key, float], tracked: set[Key]) -> None:
        self.problem = problem
        self.flat = flat = graph_of(problem)
        self.overrides, self.tracked = overrides, tracked
        self.values: dict[Key, float] = {}
        self.sources: dict[Key, Sources] = {}
        self.stepper = Model(problem)  # the problem's own update rule, fed the student's numbers
        self.current = {label: (flat.order[k].data, _NONE) for label, k in flat.parameters.items()}
        self.reach = [sorted(_reach(flat, root)) for root in flat.losses]
        size = len(flat.order)
        self.data, self.data_used = [0.0] * size, [_NONE] * size
        self.grad, self.grad_used = [0.0] * size, [_NONE] * size
        self.local: list[list[float]] = [[] for _ in flat.order]
        self.local_used: list[list[Sources]] = [[] for _ in flat.order]

    def keep(self, key: Key, value: float, used: Sources) -> tuple[float, Sources]:
        """Record the computed value; hand on the student's (if any) and what it now carries."""
        self.values[key], self.sources[key] = value, used
        if key in self.tracked:
            used = used | {key}
        return self.overrides.get(key, value), used

    def forward(self, n: int) -> None:
        """Every node's data and local derivatives, from the inputs and parameters as the student has them."""
        if n > 1 and self.problem.mode == "online":  # the same network on the next example: its x and t
            self.flat = graph_of(self.problem, n)
        flat, data, data_used = self.flat, self.data, self.data_used
        for k, v in enumerate(flat.order):
            ins = flat.inputs[k]
            if v.label in self.current and k == flat.parameters[v.label]:
                value, used = self.current[v.label]
            elif not v.op:
                value, used = v.data, _NONE
            else:
                value, self.local[k] = apply(v.op, [data[u] for u in ins])
                used = frozenset().union(*(data_used[u] for u in ins))
            if v.label:
                written, used = self.keep(flat.key(n, "data", k), value, used)
                if written != value and v.op in _FROM_OUTPUT:
                    self.local[k] = [_FROM_OUTPUT[v.op](written)]
                value = written
            data[k], data_used[k] = value, used
            self.local_used[k] = _local_sources(flat, k, data_used)
            if not v.label:
                continue
            for p, u in enumerate(ins):  # a local derivative the student wrote down (sigma'(z))
                if flat.order[u].label:
                    key = (n, "local", f"{v.label}/{flat.order[u].label}", flat.example[k])
                    self.local[k][p], self.local_used[k][p] = self.keep(key, self.local[k][p],
                                                                        self.local_used[k][p])
            for u, (value, used) in self._through_unnamed(k).items():  # ds3/dh1 of s3 = h1*w5 + h2*w6
                self.keep((n, "local", f"{v.label}/{flat.order[u].label}", flat.example[k]), value, used)

    def _through_unnamed(self, k: int) -> dict[int, tuple[float, Sources]]:
        """d node k / d each named node it is made from through unnamed ones only (not its own inputs)."""
        flat = self.flat
        found: dict[int, tuple[float, Sources]] = {}
        todo = [(u, self.local[k][p], self.local_used[k][p]) for p, u in enumerate(flat.inputs[k])
                if not flat.order[u].label]
        while todo:
            j, factor, used = todo.pop()
            for p, u in enumerate(flat.inputs[j]):
                step, step_used = factor * self.local[j][p], used | self.local_used[j][p]
                if not flat.order[u].label:
                    todo.append((u, step, step_used))
                elif u not in flat.inputs[k]:
                    value, before = found.get(u, (0.0, _NONE))
                    found[u] = (value + step, before | step_used)
        return found

    def backward(self, n: int) -> None:
        """dL/d every node; with several examples, each example's loss on its own, then their weighted sum."""
        flat = self.flat
        if not flat.losses:
            self.grad, self.grad_used = self._chain(n, flat.loss, range(len(flat.order)), None)
            return
        share, share_used = _shares(flat, self.local, self.local_used)
        grad, grad_used = self.grad, self.grad_used
        for k in flat.parameters.values():
            grad[k], grad_used[k] = 0.0, _NONE
        for e, (root, nodes) in enumerate(zip(flat.losses, self.reach), 1):
            g, u = self._chain(n, root, nodes, e)
            for k in flat.parameters.values():
                grad[k] += share[e - 1] * g[k]
                grad_used[k] = grad_used[k] | u[k] | share_used[e - 1]
        for k in flat.parameters.values():
            grad[k], grad_used[k] = self.keep(flat.key(n, "grad", k), grad[k], grad_used[k])

    def _chain(self, n: int, root: int, nodes, example: int | None) -> tuple[list[float], list[Sources]]:
        """d root / d each of `nodes`, recorded as `example`'s (None: as each node's own)."""
        flat = self.flat
        grad = [0.0] * len(flat.order)
        used: list[Sources] = [_NONE] * len(flat.order)
        grad[root] = 1.0
        for k in reversed(nodes):
            label = flat.order[k].label
            if label:
                key = (n, "grad", label, flat.example[k] if example is None else example)
                grad[k], used[k] = self.keep(key, grad[k], used[k])
            for p, u in enumerate(flat.inputs[k]):
                grad[u] += self.local[k][p] * grad[k]
                used[u] = used[u] | used[k] | self.local_used[k][p]
        return grad, used

    def update(self, n: int) -> None:
        """Each parameter after the problem's update, and the amount it changed by."""
        flat, data = self.flat, self.data
        for p in self.stepper.parameters:
            p.data, p.grad = data[flat.parameters[p.label]], self.grad[flat.parameters[p.label]]
        self.stepper.step()
        for p in self.stepper.parameters:
            k = flat.parameters[p.label]
            used = self.data_used[k] | self.grad_used[k]
            change, change_used = self.keep((n, "change", p.label, 0), p.data - data[k], used)
            new = p.data if change == p.data - data[k] else data[k] + change
            self.current[p.label] = self.keep((n, "new", p.label, 0), new, change_used)


def _reach(flat: Flat, root: int) -> set[int]:
    """The positions of every node `root` is computed from, itself included."""
    seen, todo = {root}, [root]
    while todo:
        for u in flat.inputs[todo.pop()]:
            if u not in seen:
                seen.add(u)
                todo.append(u)
    return seen


def _local_sources(flat: Flat, k: int, data_used: list[Sources]) -> list[Sources]:
    """For each input of node k, the tracked values its local derivative is computed from."""
    v, ins = flat.order[k], flat.inputs[k]
    if not v.op:
        return []
    out = []
    for p in range(len(ins)):
        which, output = reads(v.op, p, len(ins))
        used = frozenset().union(*(data_used[ins[i]] for i in which))
        out.append(used | data_used[k] if output else used)
    return out


def _shares(flat: Flat, local: list[list[float]], local_used: list[list[Sources]]
            ) -> tuple[list[float], list[Sources]]:
    """d L / d loss_k for each example: the chain rule through the nodes that combine the losses."""
    grad = [0.0] * len(flat.order)
    used: list[Sources] = [_NONE] * len(flat.order)
    grad[flat.loss] = 1.0
    combine = [k for k, v in enumerate(flat.order) if flat.example[k] == 0 and v.op]
    for k in reversed(combine):
        for p, u in enumerate(flat.inputs[k]):
            grad[u] += local[k][p] * grad[k]
            used[u] = used[u] | used[k] | local_used[k][p]
    return [grad[k] for k in flat.losses], [used[k] for k in flat.losses]
