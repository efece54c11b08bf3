"""to_torch / from_torch: the same function and the same gradients in PyTorch (float64)."""

import random

import pytest

import nn

torch = pytest.importorskip("torch", reason="the PyTorch bridge needs torch (pip install torch)")

X = [0.4, -1.3, 0.8]


@pytest.mark.parametrize("hidden, output", [
    ("tanh", "linear"), ("relu", "sigmoid"), ("sigmoid", "tanh"), ("square", "square"), ("linear", "relu"),
])
@pytest.mark.parametrize("bias", [True, False])
def test_to_torch_computes_the_same_outputs_and_gradients(hidden, output, bias):
    random.seed(5)
    model = nn.MLP(3, [4, 3, 2], activation=hidden, output_activation=output, bias=bias)
    net = model.to_torch()
    out = model(X)
    loss = nn.half_sum_squares(out, [0.5, -0.5])
    loss.backward()
    ref = net(torch.tensor(X, dtype=torch.float64))
    ref_loss = ((ref - torch.tensor([0.5, -0.5], dtype=torch.float64)) ** 2).sum() / 2
    ref_loss.backward()
    assert [v.data for v in out] == pytest.approx(ref.tolist(), rel=1e-14, abs=1e-15)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for layer, lin in zip(model.layers, linears):
        ours = [[w.grad for w in n.w] for n in layer.neurons]
        assert sum(ours, []) == pytest.approx(lin.weight.grad.flatten().tolist(), rel=1e-12, abs=1e-15)
        if bias:
            assert [n.b.grad for n in layer.neurons] == pytest.approx(lin.bias.grad.tolist(), rel=1e-12,
                                                                      abs=1e-15)


def test_from_torch_of_to_torch_gives_back_the_same_weights_and_activations():
    random.seed(6)
    model = nn.MLP(3, [5, 2], activation="tanh", output_activation="sigmoid")
    again = nn.from_torch(model.to_torch())
    assert [(layer.W, layer.b, layer.activation) for layer in again.layers] == \
        [(layer.W, layer.b, layer.activation) for layer in model.layers]


def test_from_a_sequential_built_in_pytorch():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2),
                              torch.nn.Identity()).double()
    model = nn.from_torch(net)
    assert [layer.activation for layer in model.layers] == ["relu", "linear"]
    ref = net(torch.tensor(X, dtype=torch.float64)).tolist()
    assert [v.data for v in model(X)] == pytest.approx(ref, rel=1e-14)


def test_float32_copy_for_a_pytorch_style_check():
    model = nn.MLP(1, [2, 2, 1], init=1.0, bias_init=-0.5)
    net = model.to_torch(torch.float32)
    assert net[0].weight.dtype == torch.float32
    assert net(torch.tensor([2.0])).item() == 4.5


def test_masked_net_and_foreign_modules_are_errors():
    masked = nn.MLP(2, [2, 1], mask=[[[1, 0], [0, 1]], None], init=1.0)
    with pytest.raises(ValueError, match="layer 1 has a mask, and torch.nn.Linear is dense"):
        masked.to_torch()
    with pytest.raises(ValueError, match="module 1 is Dropout"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout()))
    with pytest.raises(ValueError, match="module 0 \\(ReLU\\) must follow a Linear layer"):
        nn.from_torch(torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(2, 2)))
    with pytest.raises(ValueError, match="Linear layer 2 takes 3 inputs but layer 1 gives 2"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(3, 1)))
