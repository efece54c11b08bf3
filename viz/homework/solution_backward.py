"""The backward half of a network's worked solution: deltas output layer first, every gradient, the update.

Each delta and gradient is computed from the factors the page shows (the delta rule)
and checked against the engine's own grad, so the page cannot disagree with backward().
The sheet's conventions are honoured here: delta = -dL/dz, the error e = t - y, a bias
written as the weight w_j0 of a constant input x_0 = -1 or +1.
"""

from __future__ import annotations

import math

from nn import labels
from viz.homework import solution_update
from viz.homework.problem import Problem
from viz.homework.run import Model, Pass, Update
from viz.notation.document import Block, Heading, Math, Para, T, join
from viz.notation.maths import (
    DERIVATIVES,
    TIMES,
    cancelled,
    chain,
    column,
    fac,
    matrix,
    partial,
    product,
    sym,
)

L = T("L", "L")


def output(j: int, count: int) -> T:
    """ŷ, or ŷ_j when there are several outputs (viz.notation.names.node_names' names)."""
    return sym(f"y_hat{j}" if count > 1 else "y_hat")


def target(j: int, count: int) -> T:
    """t, or t_j when there are several outputs (viz.notation.names.node_names' names)."""
    return sym(f"t{j}" if count > 1 else "t")


def sign(problem: Problem) -> float:
    """+1 when the sheet's delta is dL/dz, -1 when it is -dL/dz."""
    return -1.0 if problem.conventions.delta == "-dL/dz" else 1.0


def bias_label(problem: Problem, label: str) -> str:
    """A bias's label as the sheet writes it: b1^(2), or w10^(2) when it is the weight of a constant input."""
    if problem.conventions.bias_input is None or not label.startswith("b"):
        return label
    j, layer = label[1:].split("^")
    return f"w{j}0^{layer}" if j else f"w0^{layer}"


def constant_input(problem: Problem, l: int) -> T:
    """The constant input a bias multiplies: x_0, the same in every layer (as the sheets write it)."""
    return sym("x0")


def backward(problem: Problem, model: Model, p: Pass, n, f, grads: dict | None = None) -> list[Block]:
    """Backpropagation: f' of each activation, the delta rule, every delta, every gradient.

    grads: filled with each parameter's gradient as the page shows it, keyed by id(parameter).
    """
    grads = {} if grads is None else grads
    s = sign(problem)
    out: list[Block] = [Heading(3, "Backpropagation")]
    acts = list(dict.fromkeys(layer.activation for layer in model.network.layers))
    out.append(
        Para(T("Derivatives of the activation functions:", "Derivatives of the activation functions:"))
    )
    out += [Math(DERIVATIVES[a]) for a in acts]
    minus, plain_minus = ("-", "-") if s < 0 else ("", "")
    out.append(
        Para(
            T(
                "The delta of neuron $j$ in layer $l$ is "
                f"$\\delta_j^{{(l)}} = {minus}\\partial L / \\partial z_j^{{(l)}}$"
                + (" (the sheet's sign)" if s < 0 else "")
                + "; for a hidden layer it comes from the layer above:",
                f"The delta of neuron j in layer l is δj^(l) = {plain_minus}∂L/∂zj^(l)"
                + (" (the sheet's sign)" if s < 0 else "")
                + "; for a hidden layer it comes from the layer above:",
            )
        )
    )
    bias_rule = (T(r"\frac{\partial L}{\partial b_j^{(l)}} = " + minus + r"\delta_j^{(l)}",
                   f"∂L/∂bj^(l) = {plain_minus}δj^(l)") if problem.conventions.bias_input is None else
                 T(r"\frac{\partial L}{\partial w_{j0}^{(l)}} = " + minus + r"\delta_j^{(l)}\, x_0",
                   f"∂L/∂wj0^(l) = {plain_minus}δj^(l) · x0"))
    out.append(
        Math(
            T(
                r"\delta_j^{(l)} = \Big(\sum_k \delta_k^{(l+1)} w_{kj}^{(l+1)}\Big)\, f'(z_j^{(l)}),\qquad "
                r"\frac{\partial L}{\partial w_{ji}^{(l)}} = "
                + minus + r"\delta_j^{(l)}\, a_i^{(l-1)},\qquad ",
                "δj^(l) = (Σ_k δk^(l+1) wkj^(l+1)) · f'(zj^(l)),   "
                f"∂L/∂wji^(l) = {plain_minus}δj^(l) · ai^(l-1),   ",
            )
            + bias_rule
        )
    )
    if problem.weight_decay:
        out.append(Para(_decay_words(problem, n)))
    layers = model.network.layers
    deltas = shown_deltas(problem, layers, p)
    out.append(Heading(4, "Deltas"))
    if len(p.x) > 1 and problem.reduction == "mean":
        count = len(p.x)
        words = f"The loss is the mean over {count} examples: each example's ∂L/∂ŷ carries a 1/{count}."
        out.append(Para(T(words.replace("∂L/∂ŷ", r"$\partial L / \partial \hat{y}$"), words)))
    for e in range(len(p.x)):
        if len(p.x) > 1:
            out.append(Para(T(f"Example {p.examples[e] + 1}:", f"Example {p.examples[e] + 1}:")))
        for l in range(len(layers), 0, -1):
            for j, (z, a) in enumerate(zip(p.drives[e][l - 1], p.activations[e][l - 1]), 1):
                out.append(Math(_delta(problem, layers, p, deltas, e, l, j, z, a, n, f)))
    out.append(Heading(4, "Gradients"))
    for l in range(len(layers), 0, -1):
        out += _matrix_form(problem, model, p, deltas, l, n)
        for j, neuron in enumerate(layers[l - 1].neurons, 1):
            for i, w in enumerate(neuron.w, 1):
                out.append(Math(_gradient(problem, model, p, deltas, grads, l, j, i, w, n, f)))
            shared = problem.layers[l - 1].shared_bias
            if neuron.b is not None and (not shared or j == 1):
                out.append(Math(_gradient(problem, model, p, deltas, grads, l, j, None, neuron.b, n, f)))
    return out


def _decay_words(problem: Problem, n) -> T:
    lam = n(problem.weight_decay)
    what = "every weight and bias" if problem.decay_biases else "every weight (not the biases)"
    if problem.decay_factor == 1.0:
        return T(rf"The penalty $\frac{{\lambda}}{{2}}\sum w^2$ adds $\lambda w = {lam.latex}\, w$ to the "
                 f"gradient of {what}.",
                 f"The penalty λ/2 Σw² adds λw = {lam.plain} w to the gradient of {what}.")
    return T(rf"The penalty $\lambda\sum w^2$ adds $2\lambda w = 2 \cdot {lam.latex}\, w$ to the "
             f"gradient of {what}.",
             f"The penalty λ Σw² adds 2λw = 2 · {lam.plain} w to the gradient of {what}.")


def shown_deltas(problem: Problem, layers, p: Pass) -> dict[tuple[int, int, int], float]:
    """delta_j^(l) = dL/dz of example e, keyed (e, l, j), as the page computes it from the deltas above it.

    A hidden delta whose sum cancels is exactly 0 (viz.notation.maths.cancelled), and so is
    every delta computed from zeros only: the page shows 0 where the engine carries noise.
    (With the sheet's delta = -dL/dz the page shows each of these negated.)
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
        return (p.y_hat[e][j - 1].data - problem.target[p.examples[e]][j - 1]) / _count(problem, p)
    return a.grad * slope


def _count(problem: Problem, p: Pass) -> int:
    """N when the loss is the mean over N examples (each example's dL/dz carries 1/N), else 1."""
    return len(p.x) if len(p.x) > 1 and problem.reduction == "mean" else 1


def error(problem: Problem, j: int, count: int) -> tuple[T, float]:
    """(e_j as the sheet defines it, its sign against t - ŷ): e = t - ŷ -> +1, e = ŷ - t -> -1."""
    e = sym(f"e{j}" if count > 1 else "e")
    return e, (1.0 if problem.conventions.error == "t - y" else -1.0)


def _delta(problem, layers, p: Pass, deltas: dict, e: int, l: int, j: int, z, a, n, f) -> T:
    s = sign(problem)
    delta = sym(f"delta{j}^({l})")
    slope = a.local_grads[0] if a is not z else 1.0
    slope_t = [] if a is z else [f(slope)]
    shown = s * deltas[e, l, j]
    count = len(p.y_hat[e])
    if l == len(layers):
        y_sym, t_sym = output(j, count), target(j, count)
        if problem.loss == "cross-entropy":
            y, t = p.y_hat[e][j - 1].data, problem.target[p.examples[e]][j - 1]
            formula = (y_sym + " - " + t_sym) if s > 0 else (t_sym + " - " + y_sym)
            numbers = (n(y) + " - " + f(t)) if s > 0 else (n(t) + " - " + f(y))
            if (mean := _count(problem, p)) > 1:  # the mean's 1/N
                scale = T(rf"\frac{{1}}{{{mean}}}", f"1/{mean} ")
                formula, numbers = scale + "(" + formula + ")", scale + "(" + numbers + ")"
            eq = chain(delta, formula, numbers, n(shown))
        else:
            dy = a.grad
            prime = [_slope(layers[l - 1].activation, z)] if a is not z else []
            dl, dl_number = partial(L, y_sym), f(dy)
            if s < 0:
                dl, dl_number = T("-", "-") + dl, T("-", "-") + dl_number
            if problem.loss == "half-squared-error" and len(p.x) == 1:  # the documents' -(t - y)
                y_hat, t = p.y_hat[e][j - 1], problem.target[p.examples[e]][j - 1]
                if problem.conventions.error is not None:  # delta from the sheet's error e
                    err, err_sign = error(problem, j, count)
                    factor = s * -err_sign  # dL/dŷ = -(t - ŷ) = -err_sign * e
                    lead = T("", "") if factor > 0 else T("-", "-")
                    value = err_sign * (t - y_hat.data)
                    dl, dl_number = lead + err, lead + f(value)
                elif s > 0:
                    dl = T("-(", "-(") + t_sym + " - " + y_sym + ")"
                    dl_number = T("-(", "-(") + n(t) + " - " + f(y_hat.data) + ")"
                else:
                    dl = T("(", "(") + t_sym + " - " + y_sym + ")"
                    dl_number = T("(", "(") + n(t) + " - " + f(y_hat.data) + ")"
            eq = chain(delta, product([dl] + prime), product([dl_number] + slope_t), n(shown))
    else:
        terms = [(k, nk.w[j - 1]) for k, nk in enumerate(layers[l].neurons, 1)]
        above = [s * deltas[e, l + 1, k] for k, _ in terms]
        symbols = join([sym(f"delta{k}^({l + 1})") + " " + sym(w.label) for k, w in terms], " + ")
        numbers = join([f(d) + TIMES + f(w.data) for d, (_, w) in zip(above, terms)], " + ")
        prime = [_slope(layers[l - 1].activation, z)] if a is not z else []
        eq = chain(
            delta,
            product([T("(", "(") + symbols + ")"] + prime),
            product([T("(", "(") + numbers + ")"] + slope_t),
            n(shown),
        )
    _agree(shown, s * z.grad, f"delta {j} of layer {l}")
    return eq


def _inputs_of(problem: Problem, p: Pass, l: int, e: int) -> list[float]:
    """a^(l-1) of example e: the network's inputs for layer 1."""
    source = p.x[e] if l == 1 else p.activations[e][l - 2]
    return [v.data for v in source]


def _matrix_form(problem: Problem, model: Model, p: Pass, deltas: dict, l: int, n) -> list[Block]:
    """dL/dW^(l) = delta^(l) a^(l-1)^T (summed over the examples, plus the penalty's share), with numbers."""
    s = sign(problem)
    layer = model.network.layers[l - 1]
    nout = len(layer.neurons)
    ds = [[s * deltas[e, l, j] for j in range(1, nout + 1)] for e in range(len(p.x))]
    ins = [_inputs_of(problem, p, l, e) for e in range(len(p.x))]
    W = T(f"W^{{({l})}}", f"W^({l})")
    many = len(p.x) > 1
    in_out = problem.layout == "in_out"
    x0 = problem.conventions.bias_input or 1.0
    has_bias = layer.neurons[0].b is not None and not problem.layers[l - 1].shared_bias
    if in_out and has_bias:  # the documents' W^T x: rows are (bias, inputs), columns the neurons
        ins = [[x0, *a] for a in ins]
    a_base = ("x", "x") if l == 1 else ("a", "a")
    minus = T("-", "-") if s < 0 else T("", "")
    previous = l - 1 if l > 1 else None
    formula = minus + (_vector_symbol((r"\delta", "δ"), l, many, False) + " "
                       + _vector_symbol(a_base, previous, many, True))
    if in_out:
        a = _vector_symbol(a_base, previous, many, False)
        if has_bias:  # the column (1, a): the bias row's input first
            one = n(x0)
            a = T(rf"\begin{{pmatrix}} {one.latex} \\ {a.latex} \end{{pmatrix}}",
                  f"({one.plain}, {a.plain})ᵀ")
        formula = minus + (a + " " + _vector_symbol((r"\delta", "δ"), l, many, True))
    outer = [[[s * d * a for d in dj] for a in ai] if in_out else [[s * d * a for a in ai] for d in dj]
             for dj, ai in zip(ds, ins)]
    shape = (len(outer[0]), len(outer[0][0]))
    total = [[cancelled(sum(o[r][c] for o in outer), [o[r][c] for o in outer]) for c in range(shape[1])]
             for r in range(shape[0])]
    if many:
        formula = T(r"\sum_n ", "Σ_n ") + formula
    products = []
    for dj, ai in zip(ds, ins):
        d_col, a_row = column(dj), _row(ai)
        products.append((column(ai) + TIMES + _row(dj)) if in_out else (d_col + TIMES + a_row))
    numbers = join([minus + q for q in products], " + ")
    parts = [partial(L, W), formula, numbers]
    decayed = {id(w) for w in model.decayed}
    if decayed:
        lam = problem.weight_decay * problem.decay_factor
        entries = [[w.data if id(w) in decayed else 0.0 for w in neuron.w] for neuron in layer.neurons]
        if in_out:
            bias_row = [x0 * _data(nb.b) if id(nb.b) in decayed else 0.0 for nb in layer.neurons] \
                if has_bias else None
            entries = [list(r) for r in zip(*entries)]
            entries = ([bias_row] + entries) if bias_row is not None else entries
        c = n(lam)
        parts[1] = parts[1] + " + " + c + T(r"\, ", " ") + W
        parts[2] = parts[2] + " + " + c + TIMES + matrix(entries)
        total = [[t + lam * w for t, w in zip(tr, wr)] for tr, wr in zip(total, entries)]
    out: list[Block] = [Para(T(f"Layer {l}, in matrix form:", f"Layer {l}, in matrix form:"))]
    out.append(Math(chain(*parts, matrix(total))))
    if layer.neurons[0].b is not None and not (in_out and has_bias):
        out.append(Math(_bias_vector(problem, model, ds, l, n)))
    return out


def _bias_vector(problem: Problem, model: Model, ds: list[list[float]], l: int, n) -> T:
    """dL/db^(l) = delta^(l) summed over the examples (a shared bias: over the neurons too)."""
    s = sign(problem)
    layer = model.network.layers[l - 1]
    x0 = problem.conventions.bias_input or 1.0
    minus = T("-", "-") if s < 0 else T("", "")
    many = len(ds) > 1
    d_sym = _vector_symbol((r"\delta", "δ"), l, many, False)
    sums = [sum(col) for col in zip(*ds)]
    shared = problem.layers[l - 1].shared_bias
    b = layer.neurons[0].b
    decay = problem.weight_decay * problem.decay_factor if any(b is w for w in model.decayed) else 0.0
    if problem.conventions.bias_input is None:
        name = T(f"b^{{({l})}}", f"b^({l})")
        scale, scale_n = T("", ""), T("", "")
    else:
        name = T(rf"w_{{0}}^{{({l})}}", f"w0^({l})")
        scale, scale_n = T(r"\, x_0", " x0"), TIMES + fac(x0)
    if shared:
        formula = minus + T(r"\sum_j ", "Σ_j ") + (T(r"\sum_n ", "Σ_n ") if many else T("", "")) + T(
            rf"\delta_j^{{({l})}}", f"δj^({l})") + scale
        value = s * sum(sums) * x0
        numbers = minus + "(" + join([n(v) for v in sums], " + ") + ")" + scale_n
    else:
        formula = minus + (T(r"\sum_n ", "Σ_n ") if many else T("", "")) + d_sym + scale
        value = None
        numbers = minus + join([column(d) for d in ds], " + ") + scale_n
    if decay:
        formula = formula + " + " + n(decay) + T(r"\, ", " ") + name
        numbers = numbers + " + " + n(decay) + TIMES + (n(x0 * _data(b)) if shared else column(
            [x0 * _data(nb.b) for nb in layer.neurons]))
    if shared:
        assert value is not None
        result = n(value + decay * x0 * _data(b))
        return chain(partial(L, name), formula, numbers, result)
    result_col = column([s * v * x0 + decay * x0 * _data(nb.b) for v, nb in zip(sums, layer.neurons)])
    return chain(partial(L, name), formula, numbers, result_col)


def _data(v) -> float:
    """A bias's number (0 for a neuron without one: it adds nothing)."""
    return 0.0 if v is None else v.data


def _vector_symbol(base: tuple[str, str], layer: int | None, many: bool, transposed: bool) -> T:
    """δ^(l), a^(l-1)ᵀ, x^[n]ᵀ: one superscript group, so LaTeX gets no double ^."""
    sup = (f"({layer})" if layer is not None else "") + ("[n]" if many else "")
    latex_sup = sup + (r"\mathrm{T}" if transposed else "")
    latex = f"{base[0]}^{{{latex_sup}}}" if latex_sup else base[0]
    return T(latex, base[1] + (f"^{sup}" if sup else "") + ("ᵀ" if transposed else ""))


def _row(values: list[float]) -> T:
    t = matrix([values])
    return T(t.latex, "(" + t.plain[2:-2] + ")")


def _gradient(problem: Problem, model: Model, p: Pass, shown_deltas: dict, grads: dict, l: int, j: int,
              i: int | None, param, n, f) -> T:
    """dL/dw_ji = sum over examples of delta_j * a_i (dL/db_j: of delta_j), checked against param.grad."""
    s = sign(problem)
    shared = i is None and problem.layers[l - 1].shared_bias
    nout = len(model.network.layers[l - 1].neurons)
    js = range(1, nout + 1) if shared else [j]
    deltas = [s * shown_deltas[e, l, k] for e in range(len(p.x)) for k in js]
    x0 = problem.conventions.bias_input
    many = len(p.x) > 1
    lead = T("-", "-") if s < 0 else T("", "")
    if i is None:
        inputs = [x0 or 1.0] * len(deltas)
        d = sym(f"delta{j}^({l})") if not shared else T(rf"\delta_j^{{({l})}}", f"δj^({l})")
        formula = d if x0 is None else d + TIMES + constant_input(problem, l)
        if shared:
            formula = T(r"\sum_j ", "Σ_j ") + formula
        if x0 is None:
            numbers = join([f(dd) if k else n(dd) for k, dd in enumerate(deltas)], " + ")
        else:
            numbers = join([(f(dd) if k else n(dd)) + TIMES + f(x0) for k, dd in enumerate(deltas)], " + ")
    else:
        inputs = [_inputs_of(problem, p, l, e)[i - 1] for e in range(len(p.x))]
        previous = sym(labels.network_input(i)) if l == 1 else sym(labels.activation(l - 1, i))
        formula = sym(f"delta{j}^({l})") + TIMES + previous
        numbers = join(
            [(f(dd) if k else n(dd)) + TIMES + f(x) for k, (dd, x) in enumerate(zip(deltas, inputs))], " + "
        )
    if many:
        formula = T(r"\sum_n ", "Σ_n ") + formula
    if s < 0:
        formula = lead + formula if not (many or shared) else lead + "(" + formula + ")"
        numbers = lead + "(" + numbers + ")"
    terms = [s * dd * x for dd, x in zip(deltas, inputs)]
    shown = cancelled(sum(terms), terms)
    label = bias_label(problem, param.label)
    value = param.data * (x0 or 1.0) if i is None else param.data
    if any(param is w for w in model.decayed):
        lam = problem.weight_decay * problem.decay_factor
        formula = formula + " + " + n(lam) + TIMES + sym(label)
        numbers = numbers + " + " + n(lam) + TIMES + f(value)
        shown = shown + lam * value
    engine = param.grad * (x0 or 1.0) if i is None else param.grad
    _agree(shown, engine, f"dL/d{label}")
    grads[id(param)] = shown * (x0 or 1.0) if i is None else shown  # kept in the engine's terms
    parts = [partial(L, sym(label)), formula]
    if i is not None or len(deltas) > 1 or x0 is not None or s < 0 or model.decayed:
        parts.append(numbers)
    return chain(*parts, n(shown))


def update(problem: Problem, model: Model, updates: list[Update], n, f,
           grads: dict | None = None) -> list[Block]:
    """Every parameter's update by the file's optimizer, output layer first, as the documents list them.

    grads: the gradients as backward() showed them (0 where the engine's is rounding noise).
    """
    if problem.lr is None:
        raise ValueError(f"{problem.path}: an update needs a learning rate: add `lr = ...` to the file")
    x0 = problem.conventions.bias_input or 1.0
    order = {id(p): k for k, p in enumerate(q for layer in reversed(model.network.layers)
                                            for q in layer.parameters())}
    ordered = sorted(updates, key=lambda u: order[id(u.param)])

    def shown(u: Update) -> tuple[str, float]:
        is_bias = u.param.label.startswith("b")
        return bias_label(problem, u.param.label), (x0 if is_bias else 1.0)

    out: list[Block] = [Heading(3, "Update"), solution_update.rule(problem, n)]
    out += [Math(t) for t in solution_update.lines(problem, ordered, shown, n, f, grads)]
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
