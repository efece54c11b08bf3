"""The update of a worked solution, as the file's optimizer takes it: SGD, SGD with momentum, or Adam.

Each parameter's line is computed from the numbers it shows (the old value, the
gradient, the velocity or moments before and after) and checked against the step
the engine's optimizer (nn.SGD, nn.Adam) took, so the page cannot disagree with it.
Also here: the table of every step's outputs and loss, and "where the document differs".
"""

from __future__ import annotations

import math
from collections.abc import Callable

from viz.homework.problem import Problem
from viz.homework.run import Update
from viz.notation.document import Block, Heading, Para, T, Table, join
from viz.notation.maths import TIMES, chain, sym

Shown = Callable[[Update], tuple[str, float]]  # an update -> (its label, the sign it is shown with)


def rule(problem: Problem, n) -> Para:
    """The update rule in words and symbols, with the file's numbers."""
    opt, lr = problem.optimizer, n(problem.lr)
    delta = problem.conventions.update == "delta"
    if opt.name == "adam":
        b1, b2, eps = n(opt.betas[0]), n(opt.betas[1]), n(opt.eps)
        latex = (rf"Adam with $\eta = {lr.latex}$, $\beta_1 = {b1.latex}$, $\beta_2 = {b2.latex}$, "
                 rf"$\epsilon = {eps.latex}$: $m \leftarrow \beta_1 m + (1 - \beta_1) g$, "
                 r"$v \leftarrow \beta_2 v + (1 - \beta_2) g^2$ (both start at 0), "
                 r"$\hat{m} = m / (1 - \beta_1^t)$, $\hat{v} = v / (1 - \beta_2^t)$ at step $t$, "
                 + (r"$\Delta\theta = -\eta\, \hat{m} / (\sqrt{\hat{v}} + \epsilon)$, "
                    r"$\theta \leftarrow \theta + \Delta\theta$." if delta else
                    r"$\theta \leftarrow \theta - \eta\, \hat{m} / (\sqrt{\hat{v}} + \epsilon)$."))
        plain = (f"Adam with η = {lr.plain}, β1 = {b1.plain}, β2 = {b2.plain}, ε = {eps.plain}: "
                 "m ← β1 m + (1 - β1) g, v ← β2 v + (1 - β2) g² (both start at 0), "
                 "m̂ = m / (1 - β1^t), v̂ = v / (1 - β2^t) at step t, "
                 + ("Δθ = -η m̂ / (√v̂ + ε), θ ← θ + Δθ." if delta else "θ ← θ - η m̂ / (√v̂ + ε)."))
        return Para(T(latex, plain))
    if opt.momentum:
        mu = n(opt.momentum)
        if delta:
            latex = (rf"Gradient descent with momentum, $\eta = {lr.latex}$, $\mu = {mu.latex}$: "
                     r"$\Delta\theta_t = \mu\, \Delta\theta_{t-1} - \eta\, \partial L / \partial \theta$ "
                     r"($\Delta\theta_0 = 0$), $\theta \leftarrow \theta + \Delta\theta_t$.")
            plain = (f"Gradient descent with momentum, η = {lr.plain}, μ = {mu.plain}: "
                     "Δθ_t = μ Δθ_(t-1) - η ∂L/∂θ (Δθ_0 = 0), θ ← θ + Δθ_t.")
        else:
            latex = (rf"Gradient descent with momentum, $\eta = {lr.latex}$, $\mu = {mu.latex}$: the "
                     r"velocity $v \leftarrow \mu v + \partial L / \partial \theta$ (it starts at 0), then "
                     r"$\theta \leftarrow \theta - \eta\, v$ (torch.optim.SGD's form; "
                     r"$\Delta\theta = -\eta v$ is the other common one).")
            plain = (f"Gradient descent with momentum, η = {lr.plain}, μ = {mu.plain}: the velocity "
                     "v ← μ v + ∂L/∂θ (it starts at 0), then θ ← θ - η v (torch.optim.SGD's form; "
                     "Δθ = -η v is the other common one).")
        return Para(T(latex, plain))
    if delta:
        return Para(T(rf"Gradient descent with learning rate $\eta = {lr.latex}$: "
                      r"$\Delta\theta = -\eta\, \partial L / \partial \theta$, "
                      r"$\theta \leftarrow \theta + \Delta\theta$.",
                      f"Gradient descent with learning rate η = {lr.plain}: Δθ = -η ∂L/∂θ, θ ← θ + Δθ."))
    return Para(T(rf"Gradient descent with learning rate $\eta = {lr.latex}$: "
                  r"$\theta \leftarrow \theta - \eta\, \partial L / \partial \theta$.",
                  f"Gradient descent with learning rate η = {lr.plain}: θ ← θ - η ∂L/∂θ."))


def lines(problem: Problem, updates: list[Update], shown: Shown, n, f,
          grads: dict[int, float] | None = None) -> list[T]:
    """The equations of every update in `updates`, in their order.

    shown(update) gives the label a parameter is written with and the sign its numbers
    carry (a bias written as the weight of a constant input -1 has the opposite sign).
    grads: the gradients as the page showed them (0 where the engine's is rounding noise).
    """
    grads = grads or {}
    opt, lr = problem.optimizer, problem.lr
    assert lr is not None  # an update is only written with a learning rate
    delta = problem.conventions.update == "delta"
    out: list[T] = []
    for u in updates:
        label, s = shown(u)
        theta, g = sym(label), s * grads.get(id(u.param), u.grad)
        old, new = s * u.old, s * u.new
        step = _delta_symbol(theta)
        if opt.name == "adam":
            b1, b2 = opt.betas
            t = int(u.state["t"])
            m_old, v_old, m, v = s * u.state["m_old"], u.state["v_old"], s * u.state["m"], u.state["v"]
            m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
            change = -lr * m_hat / (math.sqrt(v_hat) + opt.eps)
            sub = T(f"_{{{theta.latex}}}", f"[{theta.plain}]")
            squared = T(f"{f(g).latex}^2", f"{f(g).plain}²")
            first = n(b1) + TIMES + f(m_old) + " + " + n(1 - b1) + TIMES + f(g)
            second = n(b2) + TIMES + f(v_old) + " + " + n(1 - b2) + TIMES + squared
            out.append(chain(T("m", "m") + sub, first, n(m)))
            out.append(chain(T("v", "v") + sub, second, n(v)))
            out.append(chain(T(r"\hat{m}", "m̂") + sub, _corrected(n(m), n(b1), t), n(m_hat)))
            out.append(chain(T(r"\hat{v}", "v̂") + sub, _corrected(n(v), n(b2), t), n(v_hat)))
            eps = n(opt.eps)
            ratio = T(rf"\frac{{{f(m_hat).latex}}}{{\sqrt{{{n(v_hat).latex}}} + {eps.latex}}}",
                      f"{f(m_hat).plain} / (√{n(v_hat).plain} + {eps.plain})")
            if delta:
                out.append(chain(step, T("-", "-") + n(lr) + TIMES + ratio, n(change)))
                out.append(chain(theta, n(old) + " + " + f(change), n(new)))
            else:
                out.append(chain(theta, n(old) + " - " + n(lr) + TIMES + ratio, n(new)))
            _agree(old + change, new, label)
        elif opt.momentum:
            mu = opt.momentum
            v_old, v = s * u.state["v_old"], s * u.state["v"]
            if delta:  # Δθ = -η v: the same step, written as the sheet writes it
                previous = n(mu) + TIMES + f(-lr * v_old)
                out.append(chain(step, previous + " - " + n(lr) + TIMES + f(g), n(-lr * v)))
                out.append(chain(theta, n(old) + " + " + f(-lr * v), n(new)))
            else:
                vel = T("v", "v") + T(f"_{{{theta.latex}}}", f"[{theta.plain}]")
                out.append(chain(vel, n(mu) + TIMES + f(v_old) + " + " + f(g), n(v)))
                out.append(chain(theta, n(old) + " - " + n(lr) + TIMES + f(v), n(new)))
            _agree(old - lr * (mu * v_old + g), new, label)
        else:
            if delta:
                out.append(chain(step, T("-", "-") + n(lr) + TIMES + f(g), n(-lr * g)))
                out.append(chain(theta, n(old) + " + " + f(-lr * g), n(new)))
            else:
                out.append(chain(theta, n(old) + " - " + n(lr) + TIMES + f(g), n(new)))
            _agree(old - lr * g, new, label)
    return out


def summary(rows: list[tuple[str, str, list[list[float]], float, float | None]], n) -> list[Block]:
    """The table of every step: (step, examples, ŷ of each example, L before the update, L after it)."""
    if not rows:
        return []
    online = any(r[1] for r in rows)
    header = [T("step", "step")] + ([T("example", "example")] if online else [])
    header += [T(r"$\hat{y}$", "ŷ"), T("$L$ before the update", "L before the update"),
               T("$L$ after it", "L after it")]
    body = []
    for step, examples, outputs, before, after in rows:
        ys = join([_vector(y, n) for y in outputs], "; ")
        cells = [T(step, step)] + ([T(examples, examples)] if online else [])
        cells += [ys, _inline(n(before)), _inline(n(after)) if after is not None else T("", "")]
        body.append(cells)
    return [Heading(2, "Summary"), Table(header, body)]


def differs(problem: Problem) -> list[Block]:
    """The file's `differs` notes: where the source document's numbers are not the exact ones."""
    if not problem.differs:
        return []
    out: list[Block] = [Heading(2, "Where the document differs")]
    out += [Para(T(_escape(note), note)) for note in problem.differs]
    return out


def _corrected(value: T, beta: T, t: int) -> T:
    """m / (1 - beta1^t): Adam's bias correction with the numbers in it."""
    plain = f"{value.plain} / (1 - {beta.plain}^{t})"
    return T(rf"\frac{{{value.latex}}}{{1 - {beta.latex}^{{{t}}}}}", plain)


def _vector(values: list[float], n) -> T:
    if not values:
        return T("", "")
    if len(values) == 1:
        return _inline(n(values[0]))
    numbers = join([n(v) for v in values], ", ")
    return T(f"$({numbers.latex})$", f"({numbers.plain})")


def _inline(t: T) -> T:
    return T(f"${t.latex}$", t.plain)


def _escape(text: str) -> str:
    """A note's words as a paragraph: its own $ would start maths."""
    return text.replace("$", r"\$")


def _delta_symbol(theta: T) -> T:
    return T(r"\Delta ", "Δ") + theta


def _agree(shown: float, engine: float, what: str) -> None:
    """The update as the page computes it and the optimizer's own step must agree."""
    if not math.isclose(shown, engine, rel_tol=1e-9, abs_tol=1e-12):
        raise RuntimeError(f"update of {what}: the page gives {shown!r} but the optimizer gave {engine!r}")
