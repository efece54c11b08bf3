"""SGD and Adam: the update rule by hand, and several steps against torch.optim in float64."""

import random

import pytest

import nn

X = [[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.7, 0.9, 0.1]]
T = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]


def small_net() -> nn.MLP:
    random.seed(3)
    return nn.MLP(3, [4, 2], activation="tanh")


def batch_loss(model):
    return nn.mean([nn.half_sum_squares(model(x), t) for x, t in zip(X, T)])


def test_sgd_step_is_p_minus_lr_times_grad():
    model = small_net()
    opt = nn.SGD(model.parameters(), lr=0.05)
    batch_loss(model).backward()
    want = [p.data - 0.05 * p.grad for p in model.parameters()]
    opt.step()
    assert [p.data for p in model.parameters()] == want


def test_zero_grad_clears_every_parameter():
    model = small_net()
    opt = nn.SGD(model.parameters(), lr=0.1)
    batch_loss(model).backward()
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def run_ours(make_opt, steps):
    model = small_net()
    opt = make_opt(model.parameters())
    seen = []
    for _ in range(steps):
        opt.zero_grad()
        loss = batch_loss(model)
        loss.backward()
        opt.step()
        seen.append(loss.data)
    return model, seen


def run_torch(model_before, make_opt, steps):
    torch = pytest.importorskip("torch", reason="the PyTorch cross-check needs torch")
    net = model_before.to_torch()
    opt = make_opt(net.parameters())
    xs = torch.tensor(X, dtype=torch.float64)
    ts = torch.tensor(T, dtype=torch.float64)
    seen = []
    for _ in range(steps):
        opt.zero_grad()
        loss = (((net(xs) - ts) ** 2).sum(dim=1) / 2).mean()
        loss.backward()
        opt.step()
        seen.append(loss.item())
    return net, seen


def torch_weights(net):
    return [v for m in net if hasattr(m, "weight")
            for v in m.weight.flatten().tolist() + m.bias.tolist()]


def our_weights(model):
    return [v for layer in model.layers for v in sum(layer.W, []) + layer.b]


@pytest.mark.parametrize("ours, theirs", [
    (lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9),
     lambda ps: __import__("torch").optim.SGD(ps, lr=0.1, momentum=0.9)),
    (lambda ps: nn.Adam(ps, lr=0.01),
     lambda ps: __import__("torch").optim.Adam(ps, lr=0.01)),
    (lambda ps: nn.Adam(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-6),
     lambda ps: __import__("torch").optim.Adam(ps, lr=0.05, betas=(0.8, 0.99), eps=1e-6)),
], ids=["sgd-momentum", "adam", "adam-betas"])
def test_several_steps_agree_with_torch_optim(ours, theirs):
    model, our_losses = run_ours(ours, 6)
    net, torch_losses = run_torch(small_net(), theirs, 6)
    assert our_losses == pytest.approx(torch_losses, rel=1e-12)
    assert our_weights(model) == pytest.approx(torch_weights(net), rel=1e-12, abs=1e-15)


def test_training_lowers_the_loss():
    _, losses = run_ours(lambda ps: nn.Adam(ps, lr=0.05), 30)
    assert losses[-1] < 0.5 * losses[0]


def test_learning_rate_can_change_between_steps():
    model = small_net()
    opt = nn.SGD(model.parameters(), lr=1.0)
    opt.lr = 0.5   # micrograd's demo decays it every step
    batch_loss(model).backward()
    want = [p.data - 0.5 * p.grad for p in model.parameters()]
    opt.step()
    assert [p.data for p in model.parameters()] == want


@pytest.mark.parametrize("make, message", [
    (lambda: nn.SGD([], lr=0.1), "got no parameters"),
    (lambda: nn.SGD(small_net().parameters(), lr=0.0), "learning rate must be > 0, got 0.0"),
    (lambda: nn.SGD(small_net().parameters(), lr=0.1, momentum=1.5), "momentum must be in"),
    (lambda: nn.Adam(small_net().parameters(), betas=(0.9, 1.0)), "betas must each be in"),
])
def test_bad_settings_are_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_parameters_must_be_values():
    with pytest.raises(TypeError, match="parameters must be Values, got float"):
        nn.SGD([1.0], lr=0.1)
