"""nn follows PyTorch's conventions: forward() and __call__, parameters from the base class, no cycles."""

import ast
import random
from pathlib import Path

import pytest

import nn
from micrograd import Value

ROOT = Path(__file__).resolve().parents[2]


def test_named_parameters_follow_parameters_order_with_pytorch_style_names():
    random.seed(0)
    model = nn.MLP(2, [3, 1])
    named = list(model.named_parameters())
    assert [p for _, p in named] == model.parameters()
    assert [name for name, _ in named][:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                                                "layers.0.neurons.0.b", "layers.0.neurons.1.w.0"]
    assert named[-1][0] == "layers.1.neurons.0.b" and named[-1][1].label == "b1^(2)"
    assert len(named) == 3 * 3 + 4
    neuron = model.layers[0].neurons[2]
    assert [name for name, _ in neuron.named_parameters()] == ["w.0", "w.1", "b"]


def test_setting_a_neurons_weights_keeps_the_names_and_their_order():
    neuron = nn.Neuron(2, "linear")
    new = (Value(1.0), Value(2.0))
    neuron.w = new
    assert neuron.parameters() == [*new, neuron.b]
    assert dict(neuron.named_parameters())["w.1"] is new[1]
    assert [name for name, _ in neuron.named_parameters()] == ["w.0", "w.1", "b"]
    biasless = nn.Neuron(2, bias=False)
    assert biasless.parameters() == list(biasless.w) and biasless.b is None
    assert [name for name, _ in nn.Neuron(3, bias=False).named_parameters()] == ["w.0", "w.1", "w.2"]


def test_a_users_module_writes_only_forward():
    class TwoLayers(nn.Module):
        def __init__(self):
            self.hidden = nn.Layer(2, 3, "tanh")
            self.out = nn.Layer(3, 1, "linear", index=2)
            self.scale = Value(0.5, "s")

        def forward(self, x):
            return [self.out(self.hidden(x)) * self.scale]

    random.seed(1)
    net = TwoLayers()
    y = net([1.0, -2.0])  # a single output in a list comes back as a Value
    assert isinstance(y, Value)
    names = [name for name, _ in net.named_parameters()]
    assert names[0] == "scale" and names[1] == "hidden.neurons.0.w.0" and names[-1] == "out.neurons.0.b"
    assert len(net.parameters()) == 1 + 3 * 3 + 4
    y.backward()
    assert net.scale.grad == y.data / 0.5
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())
    with pytest.raises(NotImplementedError, match="must define forward"):
        nn.Module()()


def test_calling_runs_forward_and_forward_returns_the_list():
    random.seed(2)
    model = nn.MLP(2, [2, 1])
    assert isinstance(model.forward([1.0, 2.0]), list) and len(model.forward([1.0, 2.0])) == 1
    assert model([1.0, 2.0]).data == model.forward([1.0, 2.0])[0].data
    layer = model.layers[0]
    assert len(layer.forward([1.0, 2.0])) == 2 and len(layer([1.0, 2.0])) == 2
    z = layer.forward([1.0, 2.0])[0].inputs[0]  # a = relu(z)
    assert [v.label for v in z.inputs] == ["w11^(1)", "x1", "w12^(1)", "x2", "b1^(1)"]


def imports(package: str) -> dict[str, set[str]]:
    """Each module of a package and the modules of the package it imports (module level or not)."""
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).glob("*.py")):
        name = package if path.stem == "__init__" else f"{package}.{path.stem}"
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        # `from nn import labels` is an edge to nn.labels; the package's __init__ is not a module's input
        graph[name] = {m for m in found if m.split(".")[0] in ("micrograd", "nn") and "." in m} - {name}
    return graph


@pytest.mark.parametrize("package", ["micrograd", "nn"])
def test_imports_run_one_way(package):
    graph = {**imports("micrograd"), **imports("nn")}
    graph = {m: {d for d in deps if d in graph} for m, deps in graph.items()}

    def cycle_from(start, path):
        for dep in graph[path[-1]]:
            if dep == start:
                return path + [dep]
            if dep not in path and dep.startswith(package):
                found = cycle_from(start, path + [dep])
                if found:
                    return found
        return None

    for module in graph:
        if module.startswith(package + "."):
            assert cycle_from(module, [module]) is None, f"import cycle: {cycle_from(module, [module])}"
    # the engine knows nothing of networks or pictures; nn nothing of pictures
    assert not any(d.startswith(("nn", "viz")) for m, deps in graph.items() if m.startswith("micrograd")
                   and m != "micrograd.nn" for d in deps)
    nn_sources = " ".join((ROOT / "nn" / f).read_text() for f in ("module.py", "state.py", "torch_bridge.py"))
    assert "\n        from nn" not in nn_sources and "\n    from nn" not in nn_sources  # no local imports
