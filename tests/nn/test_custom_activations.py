"""A user's activation is the function that runs, whatever its __name__: never a built-in of that name."""

import pytest

import nn
from micrograd import Value
from nn.activations import ACTIVATIONS


def triple_named(name: str):
    """sigma(z) = 3z, under a built-in's name."""
    def sigma(z: Value) -> Value:
        return 3.0 * z
    sigma.__name__ = name
    return sigma


@pytest.mark.parametrize("name", list(ACTIVATIONS) + ["identity"])
@pytest.mark.parametrize("where", ["hidden", "output"])
def test_a_function_named_like_a_built_in_is_called(name, where):
    sigma = triple_named(name)
    kwargs = {"activation": sigma} if where == "hidden" else {"output_activation": sigma}
    model = nn.MLP(1, [1, 1], init=0.5, bias_init=-1.0, **kwargs)
    layer = model.layers[0 if where == "hidden" else 1]
    assert layer.activation == f"custom {name}"
    # by hand, x = 4: z1 = 0.5 x - 1 = 1, then the hidden activation (3z, or the default relu),
    # z2 = 0.5 a1 - 1, then the output's (3z, or the default linear)
    hidden = (lambda z: 3.0 * z) if where == "hidden" else (lambda z: max(z, 0.0))
    output = (lambda z: 3.0 * z) if where == "output" else (lambda z: z)
    x = 4.0
    want = output(0.5 * hidden(0.5 * x - 1.0) - 1.0)
    assert model(x).data == pytest.approx(want, rel=1e-15)


def test_the_issues_leaky_relu_gives_its_own_number():
    def relu(z):
        return z.relu() + 0.01 * z
    model = nn.MLP(1, [1], output_activation=relu, init=-1.0, bias_init=-3.0)
    y = model(1.0)  # z = -1 - 3 = -4: relu(z) + 0.01 z = -0.04, where the built-in gives 0
    assert y.data == pytest.approx(-0.04, rel=1e-15)
    y.backward()
    assert model.layers[0].neurons[0].b.grad == pytest.approx(0.01, rel=1e-15)  # d/dz = 0 + 0.01


def test_a_custom_activation_saves_as_custom_and_loads_only_into_its_model(tmp_path):
    sigma = triple_named("tanh")
    model = nn.MLP(2, [2, 1], activation=sigma, init=0.25)
    path = tmp_path / "net.json"
    model.save(path)
    assert '"activation": "custom tanh"' in path.read_text()
    with pytest.raises(ValueError, match="custom activation 'custom tanh'"):
        nn.load(path)
    with pytest.raises(ValueError, match="has activation 'custom tanh' but the model's layer 1 has 'tanh'"):
        nn.MLP(2, [2, 1], activation="tanh").load(path)
    again = nn.MLP(2, [2, 1], activation=sigma, init=0.0).load(path)
    assert again([1.0, 2.0]).data == model([1.0, 2.0]).data


def test_to_torch_refuses_a_custom_activation():
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match="'custom sigmoid' has no PyTorch module"):
        nn.MLP(1, [1], output_activation=triple_named("sigmoid")).to_torch()


def test_our_own_functions_keep_their_names():
    assert nn.Layer(1, 1, Value.tanh).activation == "tanh"
    assert nn.Layer(1, 1, nn.activations.square).activation == "square"
    assert nn.Layer(1, 1, lambda z: z).activation == "<lambda>"
