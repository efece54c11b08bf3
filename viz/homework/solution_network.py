"""The worked solution of a network problem: the given values, the forward pass, the loss.

Every number is read off the engine's graph after backward(): a drive is its `dot`
node, an activation its op's output. The backward pass, the gradients and the
update are written by viz/homework/solution_backward.py.
"""

from __future__ import annotations

from collections.abc import Callable

from viz.homework import solution_update
from viz.homework.problem import Problem
from viz.homework.run import Model, Pass
from viz.homework.solution_backward import backward, bias_label, constant_input, error, output, target, update
from viz.notation.document import Block, Heading, Math, Para, T, join
from viz.notation.maths import DIGITS, TIMES, chain, column, fac, matrix, num, sym

L = T("L", "L")
LOSS_FORMULAS = {  # each loss as the documents write it
    "half-squared-error": T(r"L = \frac{1}{2}\sum_k (t_k - \hat{y}_k)^2", "L = 1/2 Σ_k (t_k - ŷ_k)²"),
    "squared-error": T(r"L = \sum_k (t_k - \hat{y}_k)^2", "L = Σ_k (t_k - ŷ_k)²"),
    "mean-squared-error": T(r"L = \frac{1}{n}\sum_k (t_k - \hat{y}_k)^2", "L = 1/n Σ_k (t_k - ŷ_k)²"),
    "cross-entropy": T(r"L = -\sum_k t_k \log \mathrm{softmax}(z)_k", "L = -Σ_k t_k log softmax(z)_k"),
    "binary-cross-entropy": T(r"L = -(t \log \hat{y} + (1 - t) \log(1 - \hat{y}))",
                              "L = -(t log ŷ + (1 - t) log(1 - ŷ))"),
}


def network_solution(
    problem: Problem, steps: int, figures: list[Block], digits: int = DIGITS, progress: Callable = iter
) -> list[Block]:
    """The whole worked solution of a network problem, `steps` SGD steps (0 or no lr: no update)."""
    n, f = (lambda x: num(x, digits)), (lambda x: fac(x, digits))
    model = Model(problem)
    blocks: list[Block] = [Heading(1, problem.title)]
    blocks += _given(problem, n)
    blocks += figures
    online = problem.mode == "online" and len(problem.x) > 1
    rows = []
    current = model.forward()
    for k in progress(range(1, max(steps, 1) + 1)):
        which = ", ".join(str(e + 1) for e in current.examples)
        blocks.append(Heading(2, f"Step {k}" + (f": example {which}" if online else "")))
        blocks += _forward(problem, model, current, n, f)
        grads: dict[int, float] = {}
        blocks += backward(problem, model, current, n, f, grads)
        outputs = [[y.data for y in ys] for ys in current.y_hat]
        if problem.lr is None or steps == 0:
            break
        blocks += update(problem, model, model.step(), n, f, grads)
        after = model.forward(step=k)  # the same example(s) with the new parameters
        blocks.append(Heading(3, f"Loss after step {k}"))
        if len(after.x) == 1:
            ys = after.y_hat[0]
            blocks += [Math(chain(output(j, len(ys)), n(y.data))) for j, y in enumerate(ys, 1)]
        blocks.append(Math(chain(L, n(after.loss.data))))
        rows.append((str(k), which if online else "", outputs, current.loss.data, after.loss.data))
        current = after if not online else model.forward()
    if steps > 1 or online:
        blocks += solution_update.summary(rows, n)
    blocks += solution_update.differs(problem)
    return blocks


def _given(problem: Problem, n) -> list[Block]:
    out: list[Block] = []
    if problem.source:
        out.append(Para(T(f"Source: `{problem.source}`.", f"Source: {problem.source}.")))
    sizes = [problem.nin] + [len(layer.weights) for layer in problem.layers]
    acts = ", ".join(f"layer {k}: {layer.activation}" for k, layer in enumerate(problem.layers, 1))
    biases = "with" if problem.layers[0].biases else "no"
    shared = [str(k) for k, layer in enumerate(problem.layers, 1) if layer.shared_bias]
    if shared:
        biases += f" biases (layer {', '.join(shared)}: one bias shared by all its neurons), and other"
    words = f"A {'-'.join(map(str, sizes))} network ({acts}), {biases} biases."
    out.append(Para(T(words, words)))
    out += _conventions(problem)
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
            b = sym(bias_label(problem, f"b^({k})"))
            if problem.conventions.bias_input is not None and not layer.shared_bias:
                b = T(rf"w_{{0}}^{{({k})}}", f"w0^({k})")  # the column of w_j0, as in dL/dw_0 below
            values = n(layer.biases[0]) if layer.shared_bias else column(layer.biases)
            eq = eq + T(r",\quad ", ",  ") + b + " = " + values
        out.append(Math(eq))
    for e, (x, t) in enumerate(zip(problem.x, problem.target), 1):
        tag = T(f"^{{[{e}]}}", f"[{e}]") if len(problem.x) > 1 else T("", "")
        out.append(
            Math(T("x", "x") + tag + " = " + column(x) + T(r",\quad t", ",  t") + tag + " = " + column(t))
        )
    formula = LOSS_FORMULAS[problem.loss]
    loss = T(f"Loss: {problem.loss}, ${formula.latex}$", f"Loss: {problem.loss}, {formula.plain}")
    if len(problem.x) > 1:
        if problem.mode == "online":
            loss = loss + ", of one example at a time"
        else:
            loss = loss + f", the {problem.reduction} over the {len(problem.x)} examples"
    if problem.weight_decay:
        lam = n(problem.weight_decay)
        what = "weights and biases" if problem.decay_biases else "weights"
        if problem.decay_factor == 1.0:
            loss = loss + T(rf", plus the L2 penalty $\frac{{\lambda}}{{2}}\sum w^2$ over the {what}, "
                            rf"$\lambda = {lam.latex}$", f", plus the L2 penalty λ/2 Σw² over the {what}, "
                            f"λ = {lam.plain}")
        else:
            loss = loss + T(rf", plus the L2 penalty $\lambda\sum w^2$ over the {what}, "
                            rf"$\lambda = {lam.latex}$",
                            f", plus the L2 penalty λ Σw² over the {what}, λ = {lam.plain}")
    if problem.lr:
        lr = n(problem.lr)
        loss = loss + T(rf"; learning rate $\eta = {lr.latex}$", f"; learning rate η = {lr.plain}")
    out.append(Para(loss + "."))
    if problem.mode == "online" and len(problem.x) > 1:
        words = ("Online learning: each step takes one example, in order (step 1 example 1, step 2 "
                 f"example 2, ...), and updates from its loss alone; {problem.steps} step(s) in all.")
        out.append(Para(T(words, words)))
    return out


def _conventions(problem: Problem) -> list[Block]:
    """The sheet's ways of writing that the solution follows, said once."""
    c, out = problem.conventions, list[Block]()
    if c.bias_input is not None:
        x0 = "-1" if c.bias_input < 0 else "1"
        out.append(Para(T(f"Each bias is written as the weight $w_{{j0}}$ of a constant input $x_0 = {x0}$ "
                          rf"(in every layer): the drive is $z_j = \sum_i w_{{ji}} a_i + w_{{j0}} x_0$.",
                          f"Each bias is written as the weight wj0 of a constant input x0 = {x0} (in every "
                          f"layer): the drive is zj = Σ_i wji ai + wj0 x0.")))
    if c.delta == "-dL/dz":
        out.append(Para(T(r"As the sheet does, $\delta = -\partial L / \partial z$: for the output, "
                          r"$\delta = (t - \hat{y})\, f'(z)$ with the squared error, and "
                          r"$\partial L / \partial w = -\delta\, a$.",
                          "As the sheet does, δ = -∂L/∂z: for the output, δ = (t - ŷ) f'(z) with the squared "
                          "error, and ∂L/∂w = -δ a.")))
    if c.error is not None:
        e = r"t - \hat{y}" if c.error == "t - y" else r"\hat{y} - t"
        out.append(Para(T(f"The error is $e = {e}$, as the sheet defines it.",
                          f"The error is e = {c.error.replace('y', 'ŷ')}, as the sheet defines it.")))
    return out


def _forward(problem: Problem, model: Model, p: Pass, n, f) -> list[Block]:
    out: list[Block] = [Heading(3, "Forward pass")]
    last = len(model.network.layers)
    for e in range(len(p.x)):
        if len(p.x) > 1:
            k = p.examples[e]
            out.append(Heading(4, f"Example {k + 1}: x = {column(problem.x[k]).plain}"))
        for l, layer in enumerate(model.network.layers, 1):
            out.append(Heading(4, f"Layer {l}" + (" (output)" if l == last else "")))
            out.append(Para(T("Drive:", "Drive:")))
            for z in p.drives[e][l - 1]:
                out.append(Math(_drive(problem, l, z, n, f)))
            act = layer.activation
            if act == "linear":
                words = "Linear activation: the output is the drive."
                out.append(Para(T(words, words)))
            else:
                out.append(Para(T("Activation:", "Activation:")))
            for j, (z, a) in enumerate(zip(p.drives[e][l - 1], p.activations[e][l - 1]), 1):
                # with softmax, ŷ is the softmax of the last drives (the loss section), not the drives
                named = l == last and problem.loss != "cross-entropy"
                head = [output(j, len(p.activations[e][l - 1]))] if named else []
                if act == "linear":
                    if named:
                        out.append(Math(chain(*head, sym(z.label), n(a.data))))
                    continue
                out.append(
                    Math(chain(*head, sym(a.label), _apply(act, sym(z.label), z.data, n, f), n(a.data)))
                )
        out += _loss(problem, p, e, n, f)
    if len(p.x) > 1:
        mean = problem.reduction == "mean"
        combine = T(r"\sum_n L^{[n]}", "Σ_n L[n]")
        total = T("E", "E") if p.penalty is not None else L
        if mean:
            combine = T(r"\frac{1}{N}", "(1/N) ") + combine
        numbers = join([n(loss.data) for loss in p.losses], " + ")
        if mean:
            numbers = T(rf"\frac{{1}}{{{len(p.losses)}}}", f"1/{len(p.losses)} ") + "(" + numbers + ")"
        out.append(Heading(3, "Loss over the examples"))
        loss = p.data_loss if p.data_loss is not None else p.loss
        out.append(Math(chain(total, combine, numbers, n(loss.data))))
    if p.penalty is not None:
        out += _penalty(problem, model, p, n, f)
    return out


def _penalty(problem: Problem, model: Model, p: Pass, n, f) -> list[Block]:
    """L = E + the L2 penalty, with the sum of squares written out (the first terms, when there are many)."""
    assert p.penalty is not None and p.data_loss is not None
    x0 = problem.conventions.bias_input or 1.0
    params = model.decayed
    sq = sum(w.data ** 2 for w in params)

    def shown(w) -> T:
        label = bias_label(problem, w.label)
        return sym(label)

    def value(w) -> float:
        return w.data * x0 if w.label.startswith("b") else w.data

    if len(params) <= 8:
        names = join([T("(", "") + shown(w) + T(")^2", "²") for w in params], " + ")  # w^(1) has a ^ already
        numbers = join([T(f"{f(value(w)).latex}^2", f"{f(value(w)).plain}²") for w in params], " + ")
        parts = [T(r"\sum w^2", "Σw²"), names, numbers, n(sq)]
    else:
        many = f"the {len(params)} squares"
        parts = [T(r"\sum w^2", "Σw²"), T(rf"\text{{({many})}}", f"({many})"), n(sq)]
    lam = n(problem.weight_decay)
    if problem.decay_factor == 1.0:
        form, numbers = T(r"E + \frac{\lambda}{2}\sum w^2", "E + λ/2 Σw²"), (
            n(p.data_loss.data) + " + " + T(r"\frac{1}{2}", "1/2 · ") + lam + TIMES + n(sq))
    else:
        form = T(r"E + \lambda\sum w^2", "E + λ Σw²")
        numbers = n(p.data_loss.data) + " + " + lam + TIMES + n(sq)
    heading = Heading(3 if len(p.x) == 1 else 4, "Penalty")
    return [heading, Math(chain(*parts)), Math(chain(L, form, numbers, n(p.loss.data)))]


def _drive(problem: Problem, l: int, z, n, f) -> T:
    """z_j = w_j1 x_1 + ... + b_j = numbers = value, from the dot node's inputs (b_j as w_j0 x_0 if the sheet
    writes it so)."""
    ins = z.inputs
    pairs = [(ins[k], ins[k + 1]) for k in range(0, len(ins) - 1 if z.op == "w·x+b" else len(ins), 2)]
    bias = ins[-1] if z.op == "w·x+b" else None
    symbols = [sym(w.label) + " " + sym(x.label) for w, x in pairs]
    numbers = [f(w.data) + TIMES + f(x.data) for w, x in pairs]
    x0 = problem.conventions.bias_input
    if bias is not None and x0 is None:
        symbols.append(sym(bias.label))
        numbers.append(f(bias.data))
    elif bias is not None:
        assert x0 is not None
        symbols.append(sym(bias_label(problem, bias.label)) + " " + constant_input(problem, l))
        numbers.append(f(bias.data * x0) + TIMES + f(x0))
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
    t = problem.target[p.examples[e]]
    number = p.examples[e] + 1
    tag = T(f"^{{[{number}]}}", f"[{number}]") if len(problem.x) > 1 else T("", "")
    L = T("E", "E") if p.penalty is not None else T("L", "L")  # noqa: N806 (the loss's own letter)
    out: list[Block] = [Heading(3 if len(p.x) == 1 else 4, "Loss")]
    ys = [output(k, len(y_hat)) for k in range(1, len(y_hat) + 1)]
    ts = [target(k, len(t)) for k in range(1, len(t) + 1)]
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
    if problem.conventions.error is not None:
        for k, (tk, y) in enumerate(zip(t, y_hat), 1):
            err, err_sign = error(problem, k, len(t))
            a, b = target(k, len(t)), output(k, len(t))
            a, b = (a, b) if err_sign > 0 else (b, a)
            na, nb = (n(tk), f(y.data)) if err_sign > 0 else (n(y.data), f(tk))
            out.append(Math(chain(err + tag, a + " - " + b, na + " - " + nb, n(err_sign * (tk - y.data)))))
    out.append(
        Math(
            chain(
                L + tag, scale + wrap(join(squares, " + ")), scale + wrap(join(values, " + ")), n(loss.data)
            )
        )
    )
    return out
