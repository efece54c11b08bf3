"""The worked solution of a formula graph (seed 001): each formula forward, then the chain rule backward.

Backward, every named value v gets dL/dv = sum over the formulas c that use v of
dL/dc * dc/dv, where dc/dv is read off the engine's local derivatives inside c; the
sum is checked against the engine's own grad of v.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from micrograd import Value, topological_order
from viz.homework import formula, solution_update
from viz.homework.run import Model
from viz.notation.document import Block, Heading, Math, Para, T, join
from viz.notation.maths import DIGITS, cancelled, chain, fac, num, partial, product, sym
from viz.notation.ops import DOT_OPS, partner


def graph_solution(
    problem, steps: int, figures: list[Block], digits: int = DIGITS, progress: Callable = iter
) -> list[Block]:
    """The whole worked solution of a formula graph, with `steps` updates when a learning rate is given."""
    g = problem.graph
    n, f = (lambda x: num(x, digits)), (lambda x: fac(x, digits))
    model = Model(problem)
    blocks: list[Block] = [Heading(1, problem.title)]
    if problem.source:
        blocks.append(Para(T(f"Source: `{problem.source}`.", f"Source: {problem.source}.")))
    given = [sym(k) + " = " + n(v) for k, v in {**g.inputs, **g.parameters}.items()]
    blocks += [Para(T("Given:", "Given:")), Math(join(given, T(r",\quad ", ",  ")))]
    blocks += figures
    current = model.forward()
    rows = []
    for k in progress(range(1, max(steps, 1) + 1)):
        blocks.append(Heading(2, f"Step {k}"))
        blocks.append(Heading(3, "Forward pass"))
        for name, expr in g.formulas.items():
            shown = chain(
                sym(name),
                formula.show(expr, sym, n),
                formula.show(expr, _numbered(current.nodes, model.leaves, n), n),
                n(current.nodes[name].data),
            )
            blocks.append(Math(shown))
        blocks.append(Heading(3, "Backward pass"))
        blocks += _backward(g, current.nodes, model.leaves, n, f)
        if problem.lr is None or steps == 0:
            break
        blocks.append(Heading(3, "Update"))
        blocks.append(solution_update.rule(problem, n))
        updates = model.step()
        written = solution_update.lines(problem, updates, lambda u: (u.param.label, 1.0), n, f)
        blocks += [Math(t) for t in written]
        after = model.forward()
        blocks.append(Heading(3, f"Loss after step {k}"))
        blocks.append(Math(chain(sym(g.loss), n(after.loss.data))))
        outputs = [[current.nodes[g.output].data]] if g.output else [[]]
        rows.append((str(k), "", outputs, current.loss.data, after.loss.data))
        current = after
    if steps > 1:
        blocks += solution_update.summary(rows, n)
    blocks += solution_update.differs(problem)
    return blocks


def local_derivatives(node: Value) -> dict[Value, float]:
    """d node / d v for each named Value v that `node`'s formula uses, through its unnamed inner nodes."""
    grads = {node: 1.0}
    paths: dict[Value, list[float]] = {node: [1.0]}  # each path's share, to tell a cancelled sum from noise
    for v in reversed(topological_order(node)):
        g = grads.get(v)
        if g is None or (v is not node and v.label):
            continue  # a named value ends the formula: the chain rule goes on from there
        g = cancelled(g, paths[v])  # Σ(x_i - mu) is 0, not 3e-16
        for u, local in zip(v.inputs, v.local_grads):
            grads[u] = grads.get(u, 0.0) + local * g
            paths.setdefault(u, []).append(local * g)
    return {u: cancelled(d, paths[u]) for u, d in grads.items() if u is not node and u.label}


def _backward(g, nodes: dict[str, Value], leaves: dict[str, Value], n, f) -> list[Block]:
    loss = sym(g.loss)
    users: dict[str, list[tuple[Value, float]]] = {}
    for name in g.formulas:
        for used, d in local_derivatives(nodes[name]).items():
            users.setdefault(used.label, []).append((nodes[name], d))
    out: list[Block] = []
    names = [name for name in reversed(g.formulas) if name != g.loss] + list(g.parameters)
    for name in names:
        v = nodes.get(name) or leaves[name]
        if name not in users:
            continue
        symbols, numbers, total = [], [], 0.0
        for c, d in users[name]:
            hint = _hint(c, v, n)
            head = [] if c.label == g.loss else [partial(loss, sym(c.label))]
            head_n = [] if c.label == g.loss else [f(c.grad)]
            symbols.append(product(head + [hint[0] if hint else partial(sym(c.label), sym(name))]))
            numbers.append(product(head_n + [hint[1] if hint else f(d)]))
            total += c.grad * d
        if not math.isclose(total, v.grad, rel_tol=1e-9, abs_tol=1e-15):
            raise RuntimeError(
                f"d{g.loss}/d{name}: the chain rule gives {total!r} but backward() gave {v.grad!r}"
            )
        if len(users[name]) == 1 and users[name][0][0].label == g.loss and not _hint(users[name][0][0], v, n):
            out.append(Math(chain(partial(loss, sym(name)), n(v.grad))))  # read straight off the loss
            continue
        out.append(
            Math(chain(partial(loss, sym(name)), join(symbols, " + "), join(numbers, " + "), n(v.grad)))
        )
    return out


def _hint(c: Value, v: Value, n) -> tuple[T, T] | None:
    """dc/dv as the documents write it, for the shapes they use: σ, tanh, a drive, a squared difference."""
    if c.op == "sigmoid" and c.inputs[0] is v:
        return sym(c.label) + T(r"\,(1 - ", "(1 - ") + sym(c.label) + ")", n(c.data) + T(
            r"\,(1 - ", "(1 - "
        ) + n(c.data) + ")"
    if c.op == "tanh" and c.inputs[0] is v:
        return (T("(1 - ", "(1 - ") + sym(c.label) + T("^2)", "²)"),
                T("(1 - ", "(1 - ") + fac(c.data) + T("^2)", "²)"))
    if c.op in DOT_OPS:
        pairs = c.inputs[: len(c.inputs) // 2 * 2]  # the bias has no partner
        partners = [c.inputs[partner(c.op, k, len(c.inputs))] for k, u in enumerate(pairs) if u is v]
        if len(partners) == 1 and partners[0].label:
            return sym(partners[0].label), fac(partners[0].data)
    if (
        c.op == "**2"
        and c.inputs[0].op == "-"
        and v in c.inputs[0].inputs
        and all(u.label for u in c.inputs[0].inputs)
    ):
        a, b = c.inputs[0].inputs
        sign = T("", "") if v is a else T("-", "-")
        return (
            sign + T("2(", "2(") + sym(a.label) + " - " + sym(b.label) + ")",
            sign + T("2(", "2(") + n(a.data) + " - " + fac(b.data) + ")",
        )
    return None


def _lookup(nodes: dict[str, Value], leaves: dict[str, Value]) -> Callable[[str], float]:
    return lambda name: (nodes.get(name) or leaves[name]).data


def _numbered(nodes: dict[str, Value], leaves: dict[str, Value],
              n: Callable[[float], T]) -> Callable[[str], T]:
    """Each name in a formula written as its node's number."""
    value = _lookup(nodes, leaves)
    return lambda name: n(value(name))
