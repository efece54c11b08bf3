"""The shipped examples written for this project (momentum, adam, online, l2, conv, rnn, batchnorm):
every number their solutions print agrees with PyTorch in float64 (torch.optim.SGD / Adam, conv1d,
batch_norm) or a hand formula.

The solution's Markdown is read back as {(step, section, left-hand side): the number it ends with};
the left-hand sides are typed here in LaTeX, independently of the solver.
"""

import math
import re

import pytest

from viz.homework.problem_file import load, shipped
from viz.homework.solve import text

torch = pytest.importorskip("torch")
D = torch.float64


def tex(label: str) -> str:
    """w12^(1) -> w_{12}^{(1)}, b^(1) -> b^{(1)}, x1 -> x_{1}, gamma -> \\gamma, wx -> \\mathrm{wx}."""
    m = re.fullmatch(r"(delta|[a-z])(\d*)\^\((\d+)\)", label)
    if m:
        head = r"\delta" if m[1] == "delta" else m[1]
        return f"{head}_{{{m[2]}}}^{{({m[3]})}}" if m[2] else f"{head}^{{({m[3]})}}"
    m = re.fullmatch(r"([a-z])(\d+)", label)
    if m:
        return f"{m[1]}_{{{m[2]}}}"
    if label in ("gamma", "beta"):
        return "\\" + label
    return label if len(label) == 1 else r"\mathrm{" + label + "}"


def grad(label: str) -> str:
    return rf"\frac{{\partial L}}{{\partial {tex(label)}}}"


def as_number(s: str) -> float:
    s = s.strip()
    m = re.fullmatch(r"(-?[\d.]+) ?\\times ?10\^\{(-?\d+)\}", s)
    return float(m[1]) * 10 ** int(m[2]) if m else float(s)


def solution(name: str) -> dict:
    """{(step, section, lhs): value} of every equation of the shipped example that ends with a number."""
    found, step, section = {}, 0, ""
    for line in text(load(shipped(name)), fmt="md").splitlines():
        if m := re.match(r"## Step (\d+)", line):
            step, section = int(m[1]), ""
        elif m := re.match(r"###+ (.*)", line):
            section = section if m[1].startswith(("Layer", "Example", "Deltas", "Gradients")) else m[1]
        elif line.startswith("$$"):
            parts = line.strip("$").split(" = ")
            try:
                found[(step, section, parts[0])] = as_number(parts[-1])
            except ValueError:
                pass  # ends with a matrix or a vector
    return found


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=2e-7, abs_tol=1e-9)  # the page prints 8 significant digits


def mlp_2_2_1(W1, b1, W2, b2, hidden, out):
    """A 2-2-1 network as float64 tensors that need grads: (params, forward)."""
    params = [torch.tensor(v, dtype=D, requires_grad=True) for v in (W1, b1, W2, b2)]

    def forward(x):
        z1 = params[0] @ torch.tensor(x, dtype=D) + params[1]
        a1 = hidden(z1)
        z2 = params[2] @ a1 + params[3]
        return z1, a1, z2, out(z2)

    return params, forward


def label_values(params, shared_bias=False):
    """{label: value} of a 2-2-1 net's tensors in the solver's labels."""
    W1, b1, W2, b2 = (p.detach() for p in params)
    out = {f"w{j + 1}{i + 1}^(1)": float(W1[j, i]) for j in range(2) for i in range(2)}
    out.update({f"w1{i + 1}^(2)": float(W2[0, i]) for i in range(2)})
    out["b1^(2)"] = float(b2[0])
    if shared_bias:
        out["b^(1)"] = float(b1)
    else:
        out.update({f"b{j + 1}^(1)": float(b1[j]) for j in range(2)})
    return out


def grads_of(params, shared_bias=False):
    return label_values([p.grad for p in params], shared_bias)


def test_momentum_matches_torch_sgd_with_momentum_every_step():
    found = solution("momentum")
    params, forward = mlp_2_2_1([[0.5, -0.3], [0.2, 0.8]], [0.1, -0.1], [[0.7, -0.4]], [0.05],
                                torch.sigmoid, torch.sigmoid)
    opt = torch.optim.SGD(params, lr=0.5, momentum=0.9)
    for step in (1, 2, 3):
        opt.zero_grad()
        y = forward([1.0, -2.0])[3]
        loss = 0.5 * ((1.0 - y) ** 2).sum()
        loss.backward()
        assert close(found[(step, "Loss", "L")], loss.item())
        for label, g in grads_of(params).items():
            assert close(found[(step, "Backpropagation", grad(label))], g), (step, label)
        opt.step()
        velocity = label_values([opt.state[p]["momentum_buffer"] for p in params])
        for label, value in label_values(params).items():
            assert close(found[(step, "Update", tex(label))], value), (step, label)
            assert close(found[(step, "Update", f"v_{{{tex(label)}}}")], velocity[label]), (step, label)
        after = 0.5 * ((1.0 - forward([1.0, -2.0])[3]) ** 2).sum()
        assert close(found[(step, f"Loss after step {step}", "L")], after.item())


def test_adam_matches_torch_adam_and_its_moments_the_hand_formulas():
    found = solution("adam")
    params, forward = mlp_2_2_1([[0.3, -0.6], [-0.4, 0.2]], [0.0, 0.1], [[0.8, -0.5]], [0.2],
                                torch.tanh, lambda z: z)
    opt = torch.optim.Adam(params, lr=0.1, betas=(0.9, 0.999), eps=1e-8)
    m = dict.fromkeys(label_values(params), 0.0)
    v = dict(m)
    for step in (1, 2):
        opt.zero_grad()
        loss = 0.5 * ((0.25 - forward([0.5, 1.5])[3]) ** 2).sum()
        loss.backward()
        g = grads_of(params)
        opt.step()
        for label, value in label_values(params).items():
            m[label] = 0.9 * m[label] + 0.1 * g[label]
            v[label] = 0.999 * v[label] + 0.001 * g[label] ** 2
            assert close(found[(step, "Update", f"m_{{{tex(label)}}}")], m[label])
            assert close(found[(step, "Update", f"v_{{{tex(label)}}}")], v[label])
            m_hat, v_hat = m[label] / (1 - 0.9 ** step), v[label] / (1 - 0.999 ** step)
            assert close(found[(step, "Update", rf"\hat{{m}}_{{{tex(label)}}}")], m_hat)
            assert close(found[(step, "Update", rf"\hat{{v}}_{{{tex(label)}}}")], v_hat)
            assert close(found[(step, "Update", tex(label))], value), (step, label)


def test_online_takes_one_example_a_step_in_order_written_in_the_sheets_conventions():
    found = solution("online")
    # thresholds: the file gives w_j0, the weight of x0 = -1, so the bias is b_j = -w_j0
    params, forward = mlp_2_2_1([[0.4, -0.7], [0.3, 0.6]], [-0.2, 0.3], [[0.9, -0.5]], [-0.4],
                                torch.sigmoid, torch.sigmoid)
    xs, ts = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [1.0, 1.0, 0.0]
    opt = torch.optim.SGD(params, lr=0.5)
    for step, (x, t) in enumerate(zip(xs, ts), 1):
        opt.zero_grad()
        z1, _, z2, y = forward(x)
        z1.retain_grad()
        z2.retain_grad()
        loss = 0.5 * ((t - y) ** 2).sum()
        loss.backward()
        assert close(found[(step, "Loss", f"e^{{[{step}]}}")], t - y.item())  # e = t - y of example `step`
        # delta = -dL/dz, the sheet's sign
        assert close(found[(step, "Backpropagation", tex("delta1^(2)"))], -z2.grad[0].item())
        for j in range(2):
            assert close(found[(step, "Backpropagation", tex(f"delta{j + 1}^(1)"))], -z1.grad[j].item())
        before = label_values(params)
        g = grads_of(params)
        opt.step()
        after = label_values(params)
        for label in after:
            sign = -1.0 if label.startswith("b") else 1.0  # b_j = -w_j0
            shown = label.replace("b1^", "w10^").replace("b2^", "w20^")
            assert close(found[(step, "Backpropagation", grad(shown))], sign * g[label])
            change = sign * (after[label] - before[label])
            assert close(found[(step, "Update", r"\Delta " + tex(shown))], change)
            assert close(found[(step, "Update", tex(shown))], sign * after[label])


def test_l2_penalty_lambda_sum_w2_on_weights_only_with_a_shared_bias_matches_torch_weight_decay():
    found = solution("l2")
    lam = 0.1
    params, forward = mlp_2_2_1([[0.5, 0.4], [-0.3, 0.9]], 0.1, [[0.6, -0.2]], [0.05],
                                torch.relu, lambda z: z)  # b1 is one scalar: a bias shared by both neurons
    weights, biases = [params[0], params[2]], [params[1], params[3]]
    # lambda sum w^2 has gradient 2 lambda w: torch's weight_decay (gradient c w) with c = 2 lambda
    opt = torch.optim.SGD([{"params": weights, "weight_decay": 2 * lam}, {"params": biases}], lr=0.1)
    xs, ts = [[1.0, 2.0], [-1.0, 0.5]], [1.0, -0.5]
    for step in (1, 2):
        opt.zero_grad()
        error = sum(0.5 * ((t - forward(x)[3]) ** 2).sum() for x, t in zip(xs, ts)) / 2
        penalty = lam * sum((w ** 2).sum() for w in weights)
        error.backward()
        assert close(found[(step, "Penalty", "L")], (error + penalty).item())
        g = grads_of(params, shared_bias=True)
        values = label_values(params, shared_bias=True)
        for label in g:
            decay = 2 * lam * values[label] if label.startswith("w") else 0.0
            assert close(found[(step, "Backpropagation", grad(label))], g[label] + decay), (step, label)
        opt.step()
        for label, value in label_values(params, shared_bias=True).items():
            assert close(found[(step, "Update", tex(label))], value), (step, label)


def test_convolution_matches_torch_conv1d():
    found = solution("conv")
    x = torch.tensor([[[1.0, -1.0, 2.0, 0.5]]], dtype=D)
    k = torch.tensor([[[0.3, -0.2]]], dtype=D, requires_grad=True)
    b = torch.tensor([0.1], dtype=D, requires_grad=True)
    t = torch.tensor([0.5, 0.0, 1.0], dtype=D)
    y = torch.relu(torch.nn.functional.conv1d(x, k, b)).flatten()
    loss = 0.5 * ((y - t) ** 2).sum()
    loss.backward()
    assert close(found[(1, "Forward pass", "L")], loss.item())
    for j in range(3):
        assert close(found[(1, "Forward pass", f"y_{{{j + 1}}}")], y[j].item())
    got = {"k1": k.grad[0, 0, 0], "k2": k.grad[0, 0, 1], "b": b.grad[0]}
    for name, g in got.items():
        assert close(found[(1, "Backward pass", grad(name))], g.item())
        start = {"k1": 0.3, "k2": -0.2, "b": 0.1}[name]
        assert close(found[(1, "Update", tex(name))], start - 0.1 * g.item())


def test_rnn_two_steps_matches_torch_backprop_through_time():
    found = solution("rnn")
    p = {n: torch.tensor(v, dtype=D, requires_grad=True)
         for n, v in {"wx": 0.6, "wh": -0.4, "b": 0.1, "v": 1.2, "c": -0.1}.items()}
    h = torch.tensor(0.0, dtype=D)
    for x in (1.0, -0.5):
        h = torch.tanh(p["wx"] * x + p["wh"] * h + p["b"])
    y = p["v"] * h + p["c"]
    loss = 0.5 * (y - 0.3) ** 2
    loss.backward()
    assert close(found[(1, "Forward pass", "y")], y.item())
    assert close(found[(1, "Forward pass", "L")], loss.item())
    for name, value in p.items():
        assert close(found[(1, "Backward pass", grad(name))], value.grad.item()), name
        assert close(found[(1, "Update", tex(name))], value.item() - 0.1 * value.grad.item()), name


def test_batch_norm_matches_torch_batch_norm_and_its_input_gradients_sum_to_zero():
    found = solution("batchnorm")
    x = torch.tensor([[1.0], [2.0], [4.0]], dtype=D, requires_grad=True)
    gamma = torch.tensor([1.5], dtype=D, requires_grad=True)
    beta = torch.tensor([0.2], dtype=D, requires_grad=True)
    y = torch.nn.functional.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5).flatten()
    loss = 0.5 * ((y - torch.tensor([-1.0, 0.0, 1.5], dtype=D)) ** 2).sum()
    loss.backward()
    assert close(found[(1, "Forward pass", "L")], loss.item())
    for j in range(3):
        assert close(found[(1, "Forward pass", f"y_{{{j + 1}}}")], y[j].item())
        assert close(found[(1, "Backward pass", grad(f"x{j + 1}"))], x.grad[j, 0].item())
    assert close(found[(1, "Backward pass", grad("gamma"))], gamma.grad.item())
    assert close(found[(1, "Backward pass", grad("beta"))], beta.grad.item())
    # normalising removes the batch's mean, so a shift of every x changes nothing: sum dL/dx = 0
    assert abs(sum(found[(1, "Backward pass", grad(f"x{j}"))] for j in (1, 2, 3))) < 1e-7
    # and the mean's own gradient through var is exactly 0 on the page, not float noise
    assert r"3.3306691\times10^{-16}" not in text(load(shipped("batchnorm")), fmt="md")


def test_the_summary_table_lists_each_steps_output_and_loss_before_and_after_its_update():
    page = text(load(shipped("momentum")), fmt="md")
    rows = [line.strip("|").split("|") for line in page[page.index("## Summary"):].splitlines()
            if re.match(r"\| \d", line)]
    assert [int(r[0]) for r in rows] == [1, 2, 3]
    params, forward = mlp_2_2_1([[0.5, -0.3], [0.2, 0.8]], [0.1, -0.1], [[0.7, -0.4]], [0.05],
                                torch.sigmoid, torch.sigmoid)
    opt = torch.optim.SGD(params, lr=0.5, momentum=0.9)
    for _step, y_hat, before, after in rows:
        opt.zero_grad()
        y = forward([1.0, -2.0])[3]
        loss = 0.5 * ((1.0 - y) ** 2).sum()
        loss.backward()
        opt.step()
        later = 0.5 * ((1.0 - forward([1.0, -2.0])[3]) ** 2).sum()
        assert close(as_number(y_hat.strip(" $")), y.item())
        assert close(as_number(before.strip(" $")), loss.item())
        assert close(as_number(after.strip(" $")), later.item())


@pytest.mark.parametrize("name", ["momentum", "adam", "online", "l2", "conv", "rnn", "batchnorm"])
def test_every_equation_and_paragraph_of_the_new_examples_is_set_as_maths_in_html(name):
    from viz.homework.solve import blocks
    from viz.notation.document import write

    page = write(blocks(load(shipped(name))), "html")
    assert 'class="plain"' not in page   # no equation fell back to the terminal's text
    assert not re.search(r"<p>[^<]*\\\\[a-z]", page)  # nor a paragraph to raw LaTeX


@pytest.mark.skipif(not __import__("shutil").which("pdflatex"), reason="no pdflatex here")
@pytest.mark.parametrize("name", ["seed_001", "seed_002", "seed_004", "adam", "online", "l2", "batchnorm"])
def test_the_latex_solution_compiles_long_chains_one_side_a_line(name, tmp_path):
    import subprocess

    source = text(load(shipped(name)), fmt="tex")
    (tmp_path / "s.tex").write_text(source, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    if name == "seed_002":  # its drives are long: each is set as align*, one = a line
        assert r"z_{1}^{(1)} &= w_{11}^{(1)} x_{1}" in source
