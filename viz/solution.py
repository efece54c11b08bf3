"""The worked solution of a network problem: forward, loss, deltas, gradients, update.

Every number is read off the engine's graph after backward(): a drive is its `dot`
node, f'(z) is the activation node's stored local derivative, a delta is the drive's
grad. Each delta and gradient is also recomputed from the factors it shows (the
delta rule) and checked against the engine, so the page cannot disagree with the graph.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from nn import labels
from viz.document import Block, Heading, Math, Para, T, join
from viz.model import Model, Pass
from viz.notation import DERIVATIVES, DIGITS, TIMES, chain, column, fac, matrix, num, partial, product, sym
from viz.problem import LOSSES, Problem

L = T("L", "L")


def network_solution(
    problem: Problem, steps: int, figures: list[Block], digits: int = DIGITS, progress: Callable = iter
) -> list[Block]:
    """The whole worked solution of a network problem, `steps` SGD steps (0 or no lr: no update)."""
    n, f = (lambda x: num(x, digits)), (lambda x: fac(x, digits))
    model = Model(problem)
    blocks: list[Block] = [Heading(1, problem.title)]
    blocks += _given(problem, n)
    blocks += figures
    current = model.forward()
    for k in progress(range(1, max(steps, 1) + 1)):
        blocks.append(Heading(2, f"Step {k}"))
        blocks += _forward(problem, model, current, n, f)
        blocks += _backward(problem, model, current, n, f)
        if problem.lr is None or steps == 0:
            break
        blocks += _update(problem, model, n, f)
        model.step()
        current = model.forward()
        blocks.append(Heading(3, f"Loss after step {k}"))
        if len(problem.x) == 1:
            ys = current.y_hat[0]
            blocks += [Math(chain(_output(j, len(ys)), n(y.data))) for j, y in enumerate(ys, 1)]
        blocks.append(Math(chain(L, n(current.loss.data))))
    return blocks


def _given(problem: Problem, n) -> list[Block]:
    out: list[Block] = []
    if problem.source:
        out.append(Para(T(f"Source: `{problem.source}`.", f"Source: {problem.source}.")))
    sizes = [problem.nin] + [len(layer.weights) for layer in problem.layers]
    acts = ", ".join(f"layer {k}: {layer.activation}" for k, layer in enumerate(problem.layers, 1))
    biases = "with" if problem.layers[0].biases else "no"
    words = f"A {'-'.join(map(str, sizes))} network ({acts}), {biases} biases."
    out.append(Para(T(words, words)))
    if problem.layout == "in_out":
        words = ("The weights as given, for $W^T x$: one column per neuron, one row per input, and row 0 "
                 "holds the biases (the bias is the weight of a constant input 1). The entry in row $i$, "
                 "column $j$ is $w_{ji}^{(l)}$ below, and row 0 holds $b_j^{(l)}$.")
        plain = words.replace("$W^T x$", "Wᵀx").replace("$w_{ji}^{(l)}$", "wji^(l)")
        plain = plain.replace("$b_j^{(l)}$", "bj^(l)")
        out.append(Para(T(words, plain.replace("$", ""))))
    for k, layer in enumerate(problem.layers, 1):
        if problem.layout == "in_out":
            rows = [list(r) for r in zip(*layer.weights)]
            rows = [layer.biases, *rows] if layer.biases is not None else rows
            out.append(Math(T(f"W^{{({k})}}", f"W^({k})") + " = " + matrix(rows)))
            continue
        eq = T(f"W^{{({k})}}", f"W^({k})") + " = " + matrix(layer.weights)
        if layer.biases is not None:
            eq = eq + T(r",\quad ", ",  ") + T(f"b^{{({k})}}", f"b^({k})") + " = " + column(layer.biases)
        out.append(Math(eq))
    for e, (x, t) in enumerate(zip(problem.x, problem.target), 1):
        tag = T(f"^{{[{e}]}}", f"[{e}]") if len(problem.x) > 1 else T("", "")
        out.append(
            Math(T("x", "x") + tag + " = " + column(x) + T(r",\quad t", ",  t") + tag + " = " + column(t))
        )
    words = f"Loss: {problem.loss} ({LOSSES[problem.loss]})"
    if len(problem.x) > 1:
        words += f", the {problem.reduction} over the {len(problem.x)} examples"
    words += f"; learning rate {n(problem.lr).plain}." if problem.lr else "."
    out.append(Para(T(words, words)))
    return out


def _forward(problem: Problem, model: Model, p: Pass, n, f) -> list[Block]:
    out: list[Block] = [Heading(3, "Forward pass")]
    last = len(model.mlp.layers)
    for e in range(len(p.x)):
        if len(p.x) > 1:
            out.append(Heading(4, f"Example {e + 1}: x = {column(problem.x[e]).plain}"))
        for l, layer in enumerate(model.mlp.layers, 1):
            out.append(Heading(4, f"Layer {l}" + (" (output)" if l == last else "")))
            out.append(Para(T("Drive:", "Drive:")))
            for z in p.drives[e][l - 1]:
                out.append(Math(_drive(z, n, f)))
            act = layer.activation
            if act == "linear":
                out.append(
                    Para(
                        T(
                            "Linear activation: the output is the drive.",
                            "Linear activation: the output is the drive.",
                        )
                    )
                )
            else:
                out.append(Para(T("Activation:", "Activation:")))
            for j, (z, a) in enumerate(zip(p.drives[e][l - 1], p.activations[e][l - 1]), 1):
                head = [_output(j, len(p.activations[e][l - 1]))] if l == last else []
                if act == "linear":
                    if l == last:
                        out.append(Math(chain(*head, sym(z.label), n(a.data))))
                    continue
                out.append(
                    Math(chain(*head, sym(a.label), _apply(act, sym(z.label), z.data, n, f), n(a.data)))
                )
        out += _loss(problem, p, e, n, f)
    if len(p.x) > 1:
        mean = problem.reduction == "mean"
        combine = T(r"\sum_n L^{[n]}", "Σ_n L[n]")
        if mean:
            combine = T(r"\frac{1}{N}", "(1/N) ") + combine
        numbers = join([n(loss.data) for loss in p.losses], " + ")
        if mean:
            numbers = T(rf"\frac{{1}}{{{len(p.losses)}}}", f"1/{len(p.losses)} ") + "(" + numbers + ")"
        out.append(Heading(3, "Loss over the examples"))
        out.append(Math(chain(L, combine, numbers, n(p.loss.data))))
    return out


def _drive(z, n, f) -> T:
    """z_j = w_j1 x_1 + ... + b_j = numbers = value, from the dot node's inputs."""
    ins = z.inputs
    pairs = [(ins[k], ins[k + 1]) for k in range(0, len(ins) - 1 if z.op == "w·x+b" else len(ins), 2)]
    bias = ins[-1] if z.op == "w·x+b" else None
    symbols = [sym(w.label) + " " + sym(x.label) for w, x in pairs] + ([sym(bias.label)] if bias else [])
    numbers = [f(w.data) + TIMES + f(x.data) for w, x in pairs]
    numbers += [f(bias.data)] if bias else []
    return chain(sym(z.label), join(symbols, " + "), join(numbers, " + "), n(z.data))


def _apply(act: str, z: T, value: float, n, f) -> T:
    """f(z) with the drive's number in it: σ(0), tanh(0.3), max(0, 1.5), 5^2."""
    if act == "square":
        return T(f"{f(value).latex}^2", f"{f(value).plain}²")
    if act == "relu":
        return T(rf"\max(0, {n(value).latex})", f"max(0, {n(value).plain})")
    name = {"sigmoid": T(r"\sigma", "σ"), "tanh": T(r"\tanh", "tanh")}[act]
    return name + "(" + n(value) + ")"


def _loss(problem: Problem, p: Pass, e: int, n, f) -> list[Block]:
    y_hat, loss = p.y_hat[e], p.losses[e]
    t = problem.target[e]
    tag = T(f"^{{[{e + 1}]}}", f"[{e + 1}]") if len(p.x) > 1 else T("", "")
    out: list[Block] = [Heading(3 if len(p.x) == 1 else 4, "Loss")]
    ys = [_output(k, len(y_hat)) for k in range(1, len(y_hat) + 1)]
    ts = [sym(f"t{k}") for k in range(1, len(t) + 1)]
    if problem.loss == "cross-entropy":
        for y in y_hat:
            out.append(
                Math(
                    chain(
                        sym(y.label),
                        T(r"\mathrm{softmax}(z^{(L)})", "softmax(z^(L))") + f"_{y.label[5:] or 1}",
                        n(y.data),
                    )
                )
            )
        terms = [f(tk) + TIMES + T(r"\log ", "log ") + f(y.data) for tk, y in zip(t, y_hat) if tk]
        out.append(
            Math(
                chain(
                    L + tag,
                    T(r"-\sum_k t_k \log \hat{y}_k", "-Σ_k t_k log ŷ_k"),
                    "-(" + join(terms, " + ") + ")",
                    n(loss.data),
                )
            )
        )
        return out
    if problem.loss == "binary-cross-entropy":
        out.append(
            Math(
                chain(
                    L + tag,
                    T(
                        r"-\sum_k [t_k \log \hat{y}_k + (1 - t_k)\log(1 - \hat{y}_k)]",
                        "-Σ_k [t_k log ŷ_k + (1 - t_k) log(1 - ŷ_k)]",
                    ),
                    n(loss.data),
                )
            )
        )
        return out
    scale = {
        "half-squared-error": T(r"\frac{1}{2}", "1/2 "),
        "squared-error": T("", ""),
        "mean-squared-error": T(f"\\frac{{1}}{{{len(t)}}}", f"1/{len(t)} "),
    }[problem.loss]
    squares = [T("(", "(") + a + " - " + b + T(")^2", ")²") for a, b in zip(ts, ys)]
    values = [T("(", "(") + n(tk) + " - " + f(y.data) + T(")^2", ")²") for tk, y in zip(t, y_hat)]
    wrap = (lambda x: x) if len(t) == 1 else (lambda x: T(r"\left[", "[") + x + T(r"\right]", "]"))
    out.append(
        Math(
            chain(
                L + tag, scale + wrap(join(squares, " + ")), scale + wrap(join(values, " + ")), n(loss.data)
            )
        )
    )
    return out


def _backward(problem: Problem, model: Model, p: Pass, n, f) -> list[Block]:
    out: list[Block] = [Heading(3, "Backpropagation")]
    acts = list(dict.fromkeys(layer.activation for layer in model.mlp.layers))
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
    layers = model.mlp.layers
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
                out.append(Math(_delta(problem, layers, p, e, l, j, z, a, n, f)))
    out.append(Heading(4, "Gradients"))
    for l in range(len(layers), 0, -1):
        for j, neuron in enumerate(layers[l - 1].neurons, 1):
            for i, w in enumerate(neuron.w, 1):
                out.append(Math(_gradient(p, l, j, i, w, n, f)))
            if neuron.b is not None:
                out.append(Math(_gradient(p, l, j, None, neuron.b, n, f)))
    return out


def _delta(problem, layers, p: Pass, e: int, l: int, j: int, z, a, n, f) -> T:
    delta = sym(f"delta{j}^({l})")
    slope = a.local_grads[0] if a is not z else 1.0
    slope_t = [] if a is z else [f(slope)]
    if l == len(layers):
        if problem.loss == "cross-entropy":
            y, t = p.y_hat[e][j - 1].data, problem.target[e][j - 1]
            shown = y - t
            formula = _output(j, len(p.y_hat[e])) + " - " + sym(f"t{j}")
            eq = chain(delta, formula, n(y) + " - " + f(t), n(shown))
        else:
            dy = a.grad
            shown = dy * slope
            prime = [_slope(layers[l - 1].activation, z)] if a is not z else []
            dl, dl_number = partial(L, sym(a.label)), f(dy)
            if problem.loss == "half-squared-error" and len(p.x) == 1:  # the documents' -(t - y)
                y, t = p.y_hat[e][j - 1], problem.target[e][j - 1]
                dl = T("-(", "-(") + sym(f"t{j}") + " - " + _output(j, len(p.y_hat[e])) + ")"
                dl_number = T("-(", "-(") + n(t) + " - " + f(y.data) + ")"
            eq = chain(delta, product([dl] + prime), product([dl_number] + slope_t), n(shown))
    else:
        above = layers[l].neurons
        terms = [(k, nk.w[j - 1]) for k, nk in enumerate(above, 1)]
        deltas = [p.drives[e][l][k - 1].grad for k, _ in terms]
        shown = sum(d * w.data for d, (_, w) in zip(deltas, terms)) * slope
        symbols = join([sym(f"delta{k}^({l + 1})") + " " + sym(w.label) for k, w in terms], " + ")
        numbers = join([f(d) + TIMES + f(w.data) for d, (_, w) in zip(deltas, terms)], " + ")
        prime = [_slope(layers[l - 1].activation, z)] if a is not z else []
        eq = chain(
            delta,
            product([T("(", "(") + symbols + ")"] + prime),
            product([T("(", "(") + numbers + ")"] + slope_t),
            n(shown),
        )
    _agree(shown, z.grad, f"delta {j} of layer {l}")
    return eq


def _gradient(p: Pass, l: int, j: int, i: int | None, param, n, f) -> T:
    """dL/dw_ji = sum over examples of delta_j * a_i (dL/db_j: of delta_j), checked against param.grad."""
    deltas = [p.drives[e][l - 1][j - 1].grad for e in range(len(p.x))]
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
    shown = sum(d * x for d, x in zip(deltas, inputs))
    _agree(shown, param.grad, f"dL/d{param.label}")
    parts = [partial(L, sym(param.label)), formula]
    if i is not None or len(deltas) > 1:
        parts.append(numbers)
    return chain(*parts, n(shown))


def _update(problem: Problem, model: Model, n, f) -> list[Block]:
    lr = problem.lr
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
    for layer in reversed(model.mlp.layers):
        for param in layer.parameters():
            new = param.data - lr * param.grad
            out.append(
                Math(chain(sym(param.label), n(param.data) + " - " + n(lr) + TIMES + f(param.grad), n(new)))
            )
    return out


def _output(j: int, count: int) -> T:
    """The documents' name for output j: y_hat, or y_hat_j when there are several."""
    return sym(f"y_hat{j}" if count > 1 else "y_hat")


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
