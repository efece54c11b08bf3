"""The backward half of a network's worked solution: deltas output layer first, every gradient, the update.

Each delta and gradient is computed from the factors the page shows (the delta rule)
and checked against the engine's own grad, so the page cannot disagree with backward().
"""

from __future__ import annotations

import math

from nn import labels
from viz.homework.problem import Problem
from viz.homework.run import Model, Pass
from viz.notation.document import Block, Heading, Math, Para, T, join
from viz.notation.maths import DERIVATIVES, TIMES, cancelled, chain, partial, product, sym

L = T("L", "L")


def output(j: int, count: int) -> T:
    """ŷ, or ŷ_j when there are several outputs (viz.notation.names.node_names' names)."""
    return sym(f"y_hat{j}" if count > 1 else "y_hat")


def target(j: int, count: int) -> T:
    """t, or t_j when there are several outputs (viz.notation.names.node_names' names)."""
    return sym(f"t{j}" if count > 1 else "t")


def backward(problem: Problem, model: Model, p: Pass, n, f, grads: dict | None = None) -> list[Block]:
    """Backpropagation: f' of each activation, the delta rule, every delta, every gradient.

    grads: filled with each parameter's gradient as the page shows it, keyed by id(parameter).
    """
    grads = {} if grads is None else grads
    out: list[Block] = [Heading(3, "Backpropagation")]
    acts = list(dict.fromkeys(layer.activation for layer in model.network.layers))
    out.append(
        Para(T("Derivatives of the activation functions:", "Derivatives of the activation functions:"))
    )
    out += [Math(DERIVATIVES[a]) for a in acts]
    out.append(
        Para(
            T(
                "The delta of neuron $j$ in layer $l$ is "
                "$\\delta_j^{(l)} = \\partial L / \\partial z_j^{(l)}$; "
                "for a hidden layer it comes from the layer above:",
                "The delta of neuron j in layer l is δj^(l) = ∂L/∂zj^(l); for a hidden layer it comes "
                "from the layer above:",
            )
        )
    )
    out.append(
        Math(
            T(
                r"\delta_j^{(l)} = \Big(\sum_k \delta_k^{(l+1)} w_{kj}^{(l+1)}\Big)\, f'(z_j^{(l)}),\qquad "
                r"\frac{\partial L}{\partial w_{ji}^{(l)}} = \delta_j^{(l)}\, a_i^{(l-1)},\qquad "
                r"\frac{\partial L}{\partial b_j^{(l)}} = \delta_j^{(l)}",
                "δj^(l) = (Σ_k δk^(l+1) wkj^(l+1)) · f'(zj^(l)),   ∂L/∂wji^(l) = δj^(l) · ai^(l-1),   "
                "∂L/∂bj^(l) = δj^(l)",
            )
        )
    )
    layers = model.network.layers
    deltas = shown_deltas(problem, layers, p)
    out.append(Heading(4, "Deltas"))
    if len(p.x) > 1 and problem.reduction == "mean":
        count = len(p.x)
        words = f"The loss is the mean over {count} examples: each example's ∂L/∂ŷ carries a 1/{count}."
        out.append(Para(T(words.replace("∂L/∂ŷ", r"$\partial L / \partial \hat{y}$"), words)))
    for e in range(len(p.x)):
        if len(p.x) > 1:
            out.append(Para(T(f"Example {e + 1}:", f"Example {e + 1}:")))
        for l in range(len(layers), 0, -1):
            for j, (z, a) in enumerate(zip(p.drives[e][l - 1], p.activations[e][l - 1]), 1):
                out.append(Math(_delta(problem, layers, p, deltas, e, l, j, z, a, n, f)))
    out.append(Heading(4, "Gradients"))
    for l in range(len(layers), 0, -1):
        for j, neuron in enumerate(layers[l - 1].neurons, 1):
            for i, w in enumerate(neuron.w, 1):
                out.append(Math(_gradient(p, deltas, grads, l, j, i, w, n, f)))
            if neuron.b is not None:
                out.append(Math(_gradient(p, deltas, grads, l, j, None, neuron.b, n, f)))
    return out


def shown_deltas(problem: Problem, layers, p: Pass) -> dict[tuple[int, int, int], float]:
    """delta_j^(l) of example e, keyed (e, l, j), as the page computes it from the deltas above it.

    A hidden delta whose sum cancels is exactly 0 (viz.notation.maths.cancelled), and so is
    every delta computed from zeros only: the page shows 0 where the engine carries noise.
    """
    deltas: dict[tuple[int, int, int], float] = {}
    for e in range(len(p.x)):
        for l in range(len(layers), 0, -1):
            for j, (z, a) in enumerate(zip(p.drives[e][l - 1], p.activations[e][l - 1]), 1):
                slope = a.local_grads[0] if a is not z else 1.0
                if l == len(layers):
                    deltas[e, l, j] = _output_delta(problem, p, e, j, a, slope)
                    continue
                terms = [deltas[e, l + 1, k] * nk.w[j - 1].data for k, nk in enumerate(layers[l].neurons, 1)]
                deltas[e, l, j] = cancelled(sum(terms), terms) * slope
    return deltas


def _output_delta(problem: Problem, p: Pass, e: int, j: int, a, slope: float) -> float:
    if problem.loss == "cross-entropy":
        return (p.y_hat[e][j - 1].data - problem.target[e][j - 1]) / _count(problem, p)
    return a.grad * slope


def _count(problem: Problem, p: Pass) -> int:
    """N when the loss is the mean over N examples (each example's dL/dz carries 1/N), else 1."""
    return len(p.x) if len(p.x) > 1 and problem.reduction == "mean" else 1


def _delta(problem, layers, p: Pass, deltas: dict, e: int, l: int, j: int, z, a, n, f) -> T:
    delta = sym(f"delta{j}^({l})")
    slope = a.local_grads[0] if a is not z else 1.0
    slope_t = [] if a is z else [f(slope)]
    shown = deltas[e, l, j]
    if l == len(layers):
        if problem.loss == "cross-entropy":
            y, t = p.y_hat[e][j - 1].data, problem.target[e][j - 1]
            formula = output(j, len(p.y_hat[e])) + " - " + target(j, len(p.y_hat[e]))
            numbers = n(y) + " - " + f(t)
            if (count := _count(problem, p)) > 1:  # the mean's 1/N
                mean = T(rf"\frac{{1}}{{{count}}}", f"1/{count} ")
                formula, numbers = mean + "(" + formula + ")", mean + "(" + numbers + ")"
            eq = chain(delta, formula, numbers, n(shown))
        else:
            dy = a.grad
            prime = [_slope(layers[l - 1].activation, z)] if a is not z else []
            dl, dl_number = partial(L, output(j, len(p.y_hat[e]))), f(dy)
            if problem.loss == "half-squared-error" and len(p.x) == 1:  # the documents' -(t - y)
                y_hat, t = p.y_hat[e][j - 1], problem.target[e][j - 1]
                dl = T("-(", "-(") + target(j, len(p.y_hat[e])) + " - " + output(j, len(p.y_hat[e])) + ")"
                dl_number = T("-(", "-(") + n(t) + " - " + f(y_hat.data) + ")"
            eq = chain(delta, product([dl] + prime), product([dl_number] + slope_t), n(shown))
    else:
        terms = [(k, nk.w[j - 1]) for k, nk in enumerate(layers[l].neurons, 1)]
        above = [deltas[e, l + 1, k] for k, _ in terms]
        symbols = join([sym(f"delta{k}^({l + 1})") + " " + sym(w.label) for k, w in terms], " + ")
        numbers = join([f(d) + TIMES + f(w.data) for d, (_, w) in zip(above, terms)], " + ")
        prime = [_slope(layers[l - 1].activation, z)] if a is not z else []
        eq = chain(
            delta,
            product([T("(", "(") + symbols + ")"] + prime),
            product([T("(", "(") + numbers + ")"] + slope_t),
            n(shown),
        )
    _agree(shown, z.grad, f"delta {j} of layer {l}")
    return eq


def _gradient(p: Pass, shown_deltas: dict, grads: dict, l: int, j: int, i: int | None, param, n, f) -> T:
    """dL/dw_ji = sum over examples of delta_j * a_i (dL/db_j: of delta_j), checked against param.grad."""
    deltas = [shown_deltas[e, l, j] for e in range(len(p.x))]
    if i is None:
        inputs = [1.0] * len(deltas)
        formula = sym(f"delta{j}^({l})")
        numbers = join([f(d) if k else n(d) for k, d in enumerate(deltas)], " + ")
    else:
        source = (lambda e: p.x[e][i - 1]) if l == 1 else (lambda e: p.activations[e][l - 2][i - 1])
        inputs = [source(e).data for e in range(len(deltas))]
        previous = sym(labels.network_input(i)) if l == 1 else sym(labels.activation(l - 1, i))
        formula = sym(f"delta{j}^({l})") + TIMES + previous
        numbers = join(
            [(f(d) if k else n(d)) + TIMES + f(x) for k, (d, x) in enumerate(zip(deltas, inputs))], " + "
        )
    if len(deltas) > 1:
        formula = T(r"\sum_n ", "Σ_n ") + formula
    terms = [d * x for d, x in zip(deltas, inputs)]
    shown = cancelled(sum(terms), terms)
    _agree(shown, param.grad, f"dL/d{param.label}")
    grads[id(param)] = shown
    parts = [partial(L, sym(param.label)), formula]
    if i is not None or len(deltas) > 1:
        parts.append(numbers)
    return chain(*parts, n(shown))


def update(problem: Problem, model: Model, n, f, grads: dict | None = None) -> list[Block]:
    """Every parameter's gradient-descent update, output layer first, as the documents list them.

    grads: the gradients as backward() showed them (0 where the engine's is rounding noise).
    """
    lr, grads = problem.lr, grads or {}
    if lr is None:
        raise ValueError(f"{problem.path}: an update needs a learning rate: add `lr = ...` to the file")
    out: list[Block] = [
        Heading(3, "Update"),
        Para(
            T(
                rf"Gradient descent with learning rate $\eta = {n(lr).latex}$: "
                r"$\theta \leftarrow \theta - \eta\, "
                r"\partial L / \partial \theta$.",
                f"Gradient descent with learning rate η = {n(lr).plain}: θ ← θ - η ∂L/∂θ.",
            )
        ),
    ]
    for layer in reversed(model.network.layers):
        for param in layer.parameters():
            grad = grads.get(id(param), param.grad)
            new = param.data - lr * param.grad  # the engine's step, as model.step() takes it
            out.append(Math(chain(sym(param.label), n(param.data) + " - " + n(lr) + TIMES + f(grad), n(new))))
    return out



def _slope(activation: str, z) -> T:
    """f'(z_j^(l)) with the activation's own name: σ'(z), tanh'(z), ReLU'(z)."""
    name = {"tanh": T(r"\tanh", "tanh"), "relu": T(r"\mathrm{ReLU}", "ReLU")}.get(
        activation, T(r"\sigma", "σ")
    )
    return name + "'(" + sym(z.label) + ")"


def _agree(shown: float, engine: float, what: str) -> None:
    """The delta rule and the engine's chain rule must give the same number."""
    if not math.isclose(shown, engine, rel_tol=1e-9, abs_tol=1e-12):
        raise RuntimeError(f"{what}: the delta rule gives {shown!r} but backward() gave {engine!r}")
