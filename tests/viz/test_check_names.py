"""Every kind of number a sheet prints has a name `check` marks, each against an independent value.

Hand formulas from the seed documents' weights, finite differences through a changed problem
file, and PyTorch for a problem of several examples.
"""

import math

import pytest

from viz.homework.check import check, parse_answers
from viz.homework.problem_file import load, parse, shipped

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# seed 004 by hand: z1 = 0, z2 = 24, a = sigmoid(z), y_hat = sigmoid(1 + 2 a1 - 4 a2), t = 1, lr = 2
A1, A2 = 0.5, sigmoid(24)
Y = sigmoid(1 + 2 * A1 - 4 * A2)
DY = Y - 1                        # dL/dy_hat of 1/2 (t - y_hat)^2
DELTA2 = DY * Y * (1 - Y)         # dL/dz1^(2)


def exact(problem, lines: list[str]) -> dict[str, float]:
    vs = check(problem, parse_answers(lines))
    assert [v.hint for v in vs if v.kind == "unmarked"] == []
    return {v.answer.name: v.exact for v in vs}


def test_update_amounts_local_derivatives_and_every_gradient_of_seed_004():
    names = {
        "Δw11^(2)": -2 * DELTA2 * A1,           # what the update adds: -lr dL/dw
        "Delta w12^(2)": -2 * DELTA2 * A2,
        "Δb1^(2)": -2 * DELTA2,
        "sigmoid'(z1^(1))": 0.25,                # sigma'(0)
        "σ'(z2^(1))": A2 * (1 - A2),
        "f'(z1^(2))": Y * (1 - Y),
        "dz1^(2)/dw11^(2)": A1,                 # a drive's local derivative for a weight is its input
        "dL/dy_hat": DY,
        "dL/da1^(1)": DELTA2 * 2,               # through w11^(2) = 2
        "dL/da2^(1)": DELTA2 * -4,
        "dE/dz1^(2)": DELTA2,
        "dL/dx2": DELTA2 * (2 * 0.25 * 1 + -4 * A2 * (1 - A2) * 4),  # x2 feeds z1 by 1, z2 by 4
    }
    got = exact(load(shipped("seed_004")), [f"{name} = 0" for name in names])
    for name, value in names.items():
        assert math.isclose(got[name], value, rel_tol=1e-12, abs_tol=1e-15), name
    same = {"da1^(2)/dz1^(2)": "f'(z1^(2))", "∂L/∂ŷ": "dL/dy_hat", "dl/dy_hat": "dL/dy_hat",
            "δ1^(2)": "dE/dz1^(2)", "dloss/dx2": "dL/dx2", "Δ w11^(2)": "Δw11^(2)"}
    for name, other in same.items():
        assert exact(load(shipped("seed_004")), [f"{name} = 0"])[name] == got[other], name


def test_local_derivatives_of_tanh_relu_and_the_square():
    got = exact(load(shipped("seed_002")), ["tanh'(z1^(1)) = 0", "f'(z2^(2)) = 0"])
    assert math.isclose(got["tanh'(z1^(1))"], 1 - math.tanh(0.3) ** 2, rel_tol=1e-12)  # 1 - tanh^2
    z2 = 0.1 * 4 * math.tanh(0.3) + 0.1
    assert math.isclose(got["f'(z2^(2))"], 1 - math.tanh(z2) ** 2, rel_tol=1e-12)
    got = exact(load(shipped("seed_003")), ["relu'(z1^(1)) = 0", "[pass 2]", "relu'(z2^(2)) = 0"])
    assert got["relu'(z1^(1))"] == 1.0 and got["relu'(z2^(2))"] == 1.0
    got = exact(load(shipped("seed_000")), ["f'(z1^(1)) = 0", "da2^(1)/dz2^(1) = 0"])
    assert (got["f'(z1^(1))"], got["da2^(1)/dz2^(1)"]) == (2 * 5, 2 * 7)  # sigma(z) = z^2, z = 5 and 7


def test_a_local_derivative_through_unnamed_nodes():
    # seed 001: s3 = h1*w5 + h2*w6, so ds3/dh1 = w5 = -0.2; s1 = x1*w1 + x2*w2, so ds1/dw1 = x1 = -0.7
    got = exact(load(shipped("seed_001")), ["ds3/dh1 = 0", "ds1/dw1 = 0", "dh1/ds1 = 0"])
    assert (got["ds3/dh1"], got["ds1/dw1"]) == (-0.2, -0.7)
    h1 = sigmoid(-0.7 * -1.7 + 1.2 * 0.1)
    assert math.isclose(got["dh1/ds1"], h1 * (1 - h1), rel_tol=1e-12)


def finite_difference(seed: str, change, h: float = 1e-6) -> float:
    """(L(x + h) - L(x - h)) / 2h, the problem file changed by `change(data, +-h)`."""
    losses = []
    for step in (h, -h):
        data = tomllib.loads(shipped(seed).read_text(encoding="utf-8"))
        change(data, step)
        losses.append(check(parse(data, seed), parse_answers(["loss = 0"]))[0].exact)
    return (losses[0] - losses[1]) / (2 * h)


def test_gradients_of_a_graphs_inputs_and_a_networks_inputs_against_finite_differences():
    def move_x1(data, h):
        data["graph"]["inputs"]["x1"] += h
    got = exact(load(shipped("seed_001")), ["dDiv/dx1 = 0", "[pass 1]", "dDiv/dw1 = 0"])
    assert math.isclose(got["dDiv/dx1"], finite_difference("seed_001", move_x1), rel_tol=1e-6)
    assert exact(load(shipped("seed_001")), ["dL/dx1 = 0"])["dL/dx1"] == got["dDiv/dx1"]

    def move_x2(data, h):
        data["x"][1] += h
    got = exact(load(shipped("seed_004")), ["dL/dx2 = 0"])
    assert math.isclose(got["dL/dx2"], finite_difference("seed_004", move_x2), rel_tol=1e-6)


def test_names_per_pass_seed_003():
    # seed 003's second update of b1^(1): -0.57 -> -0.595346, lr 0.01 times dL/db1^(1) = 2.5346
    got = exact(load(shipped("seed_003")), ["[pass 2]", "Δb1^(1) = 0", "new b1^(1) = 0"])
    assert math.isclose(got["Δb1^(1)"], -0.025346, abs_tol=5e-7)
    assert math.isclose(got["new b1^(1)"], -0.57 + got["Δb1^(1)"], rel_tol=1e-12)


SEVERAL = """
x = [[2, 5], [1, -1], [0.5, 3]]
target = [[1], [0], [0.5]]
loss = "half-squared-error"
reduction = "mean"
lr = 0.5
steps = 2

[network]
activation = "sigmoid"

[[layer]]
neurons = 2
weights = [[-1, 2], [-2, 1]]
biases = [0.5, -0.5]

[[layer]]
neurons = 1
weights = [[1, 2]]
biases = [-4]
"""


def test_several_examples_each_with_its_own_section_against_pytorch():
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    problem = parse(tomllib.loads(SEVERAL), "several.toml")
    w1 = torch.tensor([[-1.0, 2.0], [-2.0, 1.0]], requires_grad=True)
    b1 = torch.tensor([0.5, -0.5], requires_grad=True)
    w2 = torch.tensor([[1.0, 2.0]], requires_grad=True)
    b2 = torch.tensor([-4.0], requires_grad=True)
    x = torch.tensor([[2.0, 5.0], [1.0, -1.0], [0.5, 3.0]])
    t = torch.tensor([[1.0], [0.0], [0.5]])

    def forward(rows):
        a = torch.sigmoid(x[rows] @ w1.T + b1)
        a.retain_grad()
        y = torch.sigmoid(a @ w2.T + b2)
        return a, y, 0.5 * ((t[rows] - y) ** 2).sum(dim=1)

    lines, want = [], {}
    for k in range(3):  # each example: its values, and the gradients of its own loss
        a, y, loss = forward([k])
        loss.sum().backward()
        lines += [f"[example {k + 1}]", "a2^(1) = 0", "y_hat = 0", "loss = 0", "dL/da1^(1) = 0",
                  "dL/dw21^(1) = 0"]
        want[k + 1] = {"a2^(1)": a[0, 1].item(), "y_hat": y.item(), "loss": loss.item(),
                       "dL/da1^(1)": a.grad[0, 0].item(), "dL/dw21^(1)": w1.grad[1, 0].item()}
        for p in (w1, b1, w2, b2):
            p.grad = None
    _, _, losses = forward([0, 1, 2])
    losses.mean().backward()
    with torch.no_grad():
        after = w1[1, 0] - 0.5 * w1.grad[1, 0]
    lines += ["[pass 1]", "loss = 0", "dL/dw21^(1) = 0", "new w21^(1) = 0", "Δw21^(1) = 0"]
    totals = {"loss": losses.mean().item(), "dL/dw21^(1)": w1.grad[1, 0].item(), "new w21^(1)": after.item(),
              "Δw21^(1)": after.item() + 2.0}
    vs = check(problem, parse_answers(lines))
    assert [v.hint for v in vs if v.kind == "unmarked"] == []
    for v in vs:
        section = v.answer.key[3]
        value = want[section][v.answer.name] if section else totals[v.answer.name]
        assert math.isclose(v.exact, value, rel_tol=1e-10), (section, v.answer.name)


def test_several_examples_a_value_of_each_example_needs_its_section():
    problem = parse(tomllib.loads(SEVERAL), "several.toml")
    v = check(problem, parse_answers(["a1^(1) = 0.5"]))[0]
    assert v.kind == "unmarked" and "write it under [example 1] ... [example 3]" in v.hint
    v = check(problem, parse_answers(["[example 4]", "a1^(1) = 0.5"]))[0]
    assert "there is no [example 4]: this problem has examples 1 to 3" in v.hint


def test_an_example_slip_is_carried_into_the_total_gradient_and_the_update():
    # example 2's dL/dz1^(2), written 10 times too big, flows into the total gradient and the update
    problem = parse(tomllib.loads(SEVERAL), "several.toml")
    first = check(problem, parse_answers(["[example 2]", "delta1^(2) = 0"]))[0]
    slip = f"{10 * first.exact:.6f}"
    lines = ["[example 2]", f"delta1^(2) = {slip}", "[pass 1]", "dL/db1^(2) = 0"]
    total = check(problem, parse_answers(lines))[1].exact
    mine = total + (float(slip) - first.exact) / 3  # the mean of three examples' shares
    lines[-1] = f"dL/db1^(2) = {mine:.6f}"
    vs = check(problem, parse_answers(lines + [f"new b1^(2) = {-4 - 0.5 * mine:.6f}"]))
    assert [v.kind for v in vs] == ["wrong", "carried", "carried"]
    assert [c.name for c in vs[1].causes] == ["delta1^(2)"] == [c.name for c in vs[2].causes]


@pytest.mark.parametrize("name", ["dL/dw99^(1)", "new w13^(1)", "delta7^(2)", "Δw99^(2)", "sigmoid'(z9^(1))"])
def test_suggestions_come_from_every_kind_of_name(name):
    v = check(load(shipped("seed_004")), parse_answers([f"{name} = 1"]))[0]
    kind = name.split("w")[0].split("7")[0].split("(")[0]
    assert v.kind == "unmarked" and "did you mean" in v.hint
    suggested = v.hint.split("did you mean ")[1]
    assert suggested.startswith(kind.replace("'", "")) or kind in suggested, v.hint


def test_a_local_derivative_of_another_function_and_a_misspelt_alias():
    v = check(load(shipped("seed_004")), parse_answers(["tanh'(z1^(1)) = 0.25", "dL/dyhat = 1"]))
    assert "z1^(1) goes into another function here: write sigmoid'(z1^(1)) or f'(z1^(1))" in v[0].hint
    assert "did you mean dL/dy_hat" in v[1].hint


def test_online_passes_are_replayed_on_their_own_example_against_a_hand_written_online_sgd():
    """mode = "online": pass n sees example n (in order); each pass's numbers against plain floats."""
    xs, ts = [[0, 1], [1, 0], [1, 1]], [1, 1, 0]
    w1, w10 = [[0.4, -0.7], [0.3, 0.6]], [0.2, -0.3]   # biases are weights of the constant input -1
    w2, w20 = [0.9, -0.5], 0.4
    expected = []
    for n in range(4):  # three steps, then the loss after the last, on the next example in order
        x, t = xs[n % 3], ts[n % 3]
        h = [sigmoid(sum(w * xi for w, xi in zip(row, x)) - b) for row, b in zip(w1, w10)]
        y = sigmoid(sum(w * hi for w, hi in zip(w2, h)) - w20)
        delta2 = (y - t) * y * (1 - y)                    # dL/dz of the output
        expected.append({"y_hat": y, "loss": 0.5 * (t - y) ** 2, "dL/dw11^(2)": delta2 * h[0]})
        delta1 = [delta2 * w2[j] * h[j] * (1 - h[j]) for j in range(2)]
        w2 = [w - 0.5 * delta2 * hj for w, hj in zip(w2, h)]
        w20 -= 0.5 * delta2 * -1
        w1 = [[w - 0.5 * d * xi for w, xi in zip(row, x)] for row, d in zip(w1, delta1)]
        w10 = [b - 0.5 * d * -1 for b, d in zip(w10, delta1)]
    lines = [line for n in range(1, 5) for line in (f"[pass {n}]", *(f"{k} = 0" for k in expected[0]))]
    verdicts = check(load(shipped("online")), parse_answers(lines))
    assert [v.kind for v in verdicts if v.kind == "unmarked"] == []
    got = [v.exact for v in verdicts]
    want = [value for numbers in expected for value in numbers.values()]
    assert got == pytest.approx(want, rel=1e-12)


def test_a_bias_written_as_the_weight_w_j0_of_the_input_minus_one_is_marked_in_the_sheets_terms():
    """bias_input = -1: w10^(1) is the threshold the sheet writes, dL/dw10 = -dL/db, by hand (pass 1)."""
    x, t = [0, 1], 1
    h = [sigmoid(0.4 * x[0] - 0.7 * x[1] - 0.2), sigmoid(0.3 * x[0] + 0.6 * x[1] + 0.3)]
    y = sigmoid(0.9 * h[0] - 0.5 * h[1] - 0.4)
    delta = (y - t) * y * (1 - y) * 0.9 * h[0] * (1 - h[0])      # dL/dz1^(1)
    want = {"w10^(1)": 0.2, "dL/dw10^(1)": -delta, "new w10^(1)": 0.2 + 0.5 * delta,
            "Δw10^(1)": 0.5 * delta, "dz1^(1)/dw10^(1)": -1.0}
    verdicts = check(load(shipped("online")), parse_answers([f"{k} = 0" for k in want]))
    assert [v.hint for v in verdicts if v.kind == "unmarked"] == []
    assert [v.exact for v in verdicts] == pytest.approx(list(want.values()), rel=1e-12)
    right = check(load(shipped("online")), parse_answers([f"{k} = {v:.6f}" for k, v in want.items()]))
    assert [v.kind for v in right] == ["right"] * len(want)
    flipped = check(load(shipped("online")), parse_answers([f"w10^(1) = {-0.2:.6f}"]))
    assert not flipped[0].right
