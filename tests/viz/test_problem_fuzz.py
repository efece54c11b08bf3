"""Random problem files against PyTorch: every step's loss and every weight after it.

Hypothesis writes a network problem in TOML (one to three layers of one to three neurons,
any activations, a squared-error loss, one to three examples summed or averaged, batch
or online, SGD with or without momentum or Adam, with or without L2), viz.homework
reads and runs it, and the same training is written out in PyTorch float64.
"""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from viz.homework.problem_file import parse
from viz.homework.run import Model

torch = pytest.importorskip("torch")

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ACTIVATIONS = ["tanh", "sigmoid", "relu", "linear", "square"]
LOSSES = ["half-squared-error", "squared-error", "mean-squared-error"]
weight = st.floats(-1.5, 1.5, allow_nan=False).map(lambda w: round(w, 2))


@st.composite
def problems(draw):
    nin = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    n = draw(st.integers(1, 3))
    layers, fan_in = [], nin
    for size in sizes:
        layers.append({"neurons": size, "activation": draw(st.sampled_from(ACTIVATIONS)),
                       "weights": [[draw(weight) for _ in range(fan_in)] for _ in range(size)],
                       "biases": [draw(weight) for _ in range(size)]})
        fan_in = size
    problem = {"title": "fuzz", "x": [[draw(weight) for _ in range(nin)] for _ in range(n)],
               "target": [[draw(weight) for _ in range(sizes[-1])] for _ in range(n)],
               "loss": draw(st.sampled_from(LOSSES)), "lr": draw(st.sampled_from([0.01, 0.1, 0.5])),
               "steps": draw(st.integers(1, 3)), "reduction": draw(st.sampled_from(["sum", "mean"])),
               "mode": draw(st.sampled_from(["batch", "online"])),
               "optimizer": draw(st.sampled_from(["sgd", "adam"])), "layer": layers}
    if problem["optimizer"] == "sgd" and draw(st.booleans()):
        problem["momentum"] = draw(st.sampled_from([0.5, 0.9]))
    if draw(st.booleans()):
        problem["weight_decay"] = draw(st.sampled_from([0.01, 0.1]))
        problem["weight_decay_form"] = draw(st.sampled_from(["1/2 lambda sum w^2", "lambda sum w^2"]))
    return problem


def toml(problem: dict) -> str:
    """The problem as a TOML file (JSON's lists and numbers are TOML's)."""
    top = [f"{k} = {json.dumps(v)}" for k, v in problem.items() if k != "layer"]
    layers = ["[[layer]]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in layer.items())
              for layer in problem["layer"]]
    return "\n".join(top) + "\n" + "\n".join(layers) + "\n"


def with_torch(problem: dict) -> tuple[list[float], list[float]]:
    """Each step's loss and the weights after the last, trained by PyTorch in float64."""
    f64 = torch.float64
    Ws = [torch.tensor(layer["weights"], dtype=f64, requires_grad=True) for layer in problem["layer"]]
    bs = [torch.tensor(layer["biases"], dtype=f64, requires_grad=True) for layer in problem["layer"]]
    acts = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
            "linear": lambda z: z, "square": lambda z: z ** 2}
    params = [p for pair in zip(Ws, bs) for p in pair]
    if problem["optimizer"] == "adam":
        opt = torch.optim.Adam(params, lr=problem["lr"])
    else:
        opt = torch.optim.SGD(params, lr=problem["lr"], momentum=problem.get("momentum", 0.0))
    X = torch.tensor(problem["x"], dtype=f64)
    T = torch.tensor(problem["target"], dtype=f64)
    losses = []
    for step in range(problem["steps"]):
        rows = [step % len(X)] if problem["mode"] == "online" else list(range(len(X)))
        each = []
        for r in rows:
            a = X[r]
            for W, b, layer in zip(Ws, bs, problem["layer"]):
                a = acts[layer["activation"]](W @ a + b)
            e = T[r] - a
            each.append({"half-squared-error": 0.5 * (e ** 2).sum(), "squared-error": (e ** 2).sum(),
                         "mean-squared-error": (e ** 2).mean()}[problem["loss"]])
        loss = sum(each) / (len(each) if problem["reduction"] == "mean" else 1)
        if "weight_decay" in problem:
            half = 0.5 if problem["weight_decay_form"].startswith("1/2") else 1.0
            loss = loss + half * problem["weight_decay"] * sum((W ** 2).sum() for W in Ws)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [v for W, b in zip(Ws, bs) for v in [*W.flatten().tolist(), *b.tolist()]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_a_random_problem_file_trains_as_pytorch_does(problem):
    loaded = parse(tomllib.loads(toml(problem)), "fuzz.toml")
    model = Model(loaded)
    losses = []
    for _ in range(loaded.steps):
        losses.append(model.forward().loss.data)
        model.step()
    want_losses, want_weights = with_torch(problem)
    assert losses == pytest.approx(want_losses, rel=1e-9, abs=1e-12)
    weights = [v for layer in model.network.layers for neuron in layer.neurons
               for v in [w.data for w in neuron.w]]
    biases = [[neuron.b.data for neuron in layer.neurons] for layer in model.network.layers]
    ours, k = [], 0
    for layer, bias in zip(problem["layer"], biases):
        count = layer["neurons"] * len(layer["weights"][0])
        ours += weights[k:k + count] + bias
        k += count
    assert ours == pytest.approx(want_weights, rel=1e-9, abs=1e-12)
