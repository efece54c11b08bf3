"""Seed 003: a 1-2-2-1 ReLU net, every weight 1, every bias -0.5, x = 2, t = 1, L = 1/2 sum of squares,
two SGD updates at lr 0.01, checked against PyTorch as the document's own script does.

The document also treats each bias as an extra input row of W (its "-0.5" input row, with gradients
-3.5, -1.75, -0.7156, -0.7842 and updated entries 1.035, 1.0175, ...); the numbers that follow, and
PyTorch's, are those of ordinary per-neuron biases, which is what is asserted here. Exact path:
outputs 4.5 -> 2.46575625 -> 1.86544930, losses 6.125 -> 1.07422 -> 0.374501. Numbers the document
computed from already-rounded values are asserted to the digits it shows, with the exact value named.
"""

import contextlib
import io

import pytest
from conftest import printed

import nn

REPL = """\
import nn
model = nn.MLP(1, [2, 2, 1], init=1.0, bias_init=-0.5)   # seed 003: ReLU hidden, linear output
opt = nn.SGD(model.parameters(), lr=0.01)
for step in range(2):
    opt.zero_grad()
    nn.half_sum_squares(model(2.0), 1.0).backward()       # loss = 1/2 (y - t)^2
    opt.step()
y = model(2.0)
print(round(y.data, 4), round(nn.half_sum_squares(y, 1.0).data, 4))   # -> 1.8654 0.3745
"""


def test_repl_session_takes_under_ten_lines():
    assert len(REPL.strip().splitlines()) < 10
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(REPL, {})
    assert out.getvalue() == "1.8654 0.3745\n"


def forward(model, x=2.0):
    """Each layer's drives s^(l) and outputs, and the loss, in one graph."""
    outputs = [[x]]
    for layer in model.layers:
        outputs.append(layer.forward(outputs[-1]))
    drives = [[a.inputs[0] if a.op == "relu" else a for a in out] for out in outputs[1:]]
    return drives, outputs[-1][0], nn.half_sum_squares(outputs[-1], 1.0)


def weights(model):
    """Per layer: the real weights W[out][in] and the biases."""
    return [(layer.W, layer.b) for layer in model.layers]


def grads(model):
    return [([[w.grad for w in n.w] for n in layer.neurons], [n.b.grad for n in layer.neurons])
            for layer in model.layers]


def seed_003():
    return nn.MLP(1, [2, 2, 1], activation="relu", output_activation="linear", init=1.0, bias_init=-0.5)


def test_forward_pass_1_backpropagation_and_first_update():
    model = seed_003()
    opt = nn.SGD(model.parameters(), lr=0.01)
    drives, y, loss = forward(model)
    assert [[s.data for s in layer] for layer in drives] == [[1.5, 1.5], [2.5, 2.5], [4.5]]
    assert y.data == 4.5 and loss.data == 6.125
    loss.backward()
    # deltas: dL/ds per layer; the document leaves delta^(1) as "?" but its bias update uses 7
    assert [[s.grad for s in layer] for layer in drives] == [[7.0, 7.0], [3.5, 3.5], [3.5]]
    assert grads(model) == [([[14.0], [14.0]], [7.0, 7.0]),
                            ([[5.25, 5.25], [5.25, 5.25]], [3.5, 3.5]),
                            ([[8.75, 8.75]], [3.5])]
    opt.step()
    (W1, b1), (W2, b2), (W3, b3) = weights(model)
    assert W1 == [[pytest.approx(0.86, abs=1e-15)]] * 2
    assert W2 == [[0.9475, 0.9475]] * 2 and W3 == [[0.9125, 0.9125]]
    assert b1 == [pytest.approx(-0.57, abs=1e-15)] * 2 and b2 == [-0.535] * 2 and b3 == [-0.535]


def after_updates(n: int):
    model = seed_003()
    opt = nn.SGD(model.parameters(), lr=0.01)
    for _ in range(n):
        opt.zero_grad()
        forward(model)[2].backward()
        opt.step()
    return model, opt


def test_forward_pass_2_backpropagation_and_second_update():
    model, opt = after_updates(1)
    drives, y, loss = forward(model)
    assert [s.data for s in drives[0]] == [pytest.approx(1.15, abs=1e-15)] * 2
    for s in drives[1]:
        assert s.data == pytest.approx(1.64425, abs=1e-14)
    assert y.data == pytest.approx(2.46575625, abs=1e-14)    # printed 2.46575, then 2.4658
    printed(y.data, "2.4658")
    assert loss.data == pytest.approx(1.0742206922070294, rel=1e-15)  # not printed: 1.07422
    opt.zero_grad()
    loss.backward()
    printed(drives[2][0].grad, "1.4658")
    for s in drives[1]:
        printed(s.grad, "1.3375")      # printed 1.3375425 (= 0.9125 * 1.4658); exact 1.33750258
    for s in drives[0]:
        printed(s.grad, "2.5346")      # printed 2.5345625 from the rounded 1.3375; exact 2.53456739
    (gW1, gb1), (gW2, gb2), (gW3, gb3) = grads(model)
    for g in [row[0] for row in gW1]:
        printed(g, "5.0691")
    for g in [v for row in gW2 for v in row]:
        printed(g, "1.5381")
    for g in gW3[0]:
        printed(g, "2.4101")
    opt.step()
    (W1, b1), (W2, b2), (W3, b3) = weights(model)
    for w in [row[0] for row in W1]:
        printed(w, "0.8093")
    for w in [v for row in W2 for v in row]:
        printed(w, "0.9321")
    for w in W3[0]:
        printed(w, "0.8884")
    for b, text in ((b1, "-0.595346"), (b2, "-0.548375"), (b3, "-0.549658")):
        for v in b:
            printed(v, text)   # also printed -0.5953, -0.5484, -0.5497


def test_forward_pass_3_after_two_updates():
    model, _ = after_updates(2)
    drives, y, loss = forward(model)
    for s in drives[0]:
        printed(s.data, "1.0233")
    for s in drives[1]:
        printed(s.data, "1.3592")      # printed 1.35923586 from rounded weights; exact 1.35924626
    printed(y.data, "1.8654")          # printed 1.86532656 from rounded weights; exact 1.86544930
    assert y.data == pytest.approx(1.86544930, abs=5e-9)
    printed(loss.data, "0.3745")       # printed 0.37445858 from 1.8654; exact 0.374501
    assert loss.data == pytest.approx(0.374501, abs=5e-7)


def torch_run(dtype_name: str):
    """The document's PyTorch check: SGD(lr=0.01) on ((pred - y)**2).sum() / 2, via to_torch()."""
    torch = pytest.importorskip("torch", reason="the PyTorch cross-check needs torch")
    dtype = getattr(torch, dtype_name)
    net = seed_003().to_torch(dtype)
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    X = torch.tensor([2], dtype=dtype)
    y = torch.tensor([1], dtype=dtype)
    outputs, losses = [], []
    for _ in range(3):
        pred = net(X)
        loss = ((pred - y) ** 2).sum() / 2
        outputs.append(pred.item())
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    return outputs, losses


def test_pytorch_float64_agrees_with_ours_to_the_last_bits():
    outputs, losses = torch_run("float64")
    ours = []
    for n in range(3):
        _, y, loss = forward(after_updates(n)[0])
        ours.append((y.data, loss.data))
    assert outputs == pytest.approx([o for o, _ in ours], rel=1e-14)
    assert losses == pytest.approx([v for _, v in ours], rel=1e-14)


def test_pytorch_float32_prints_the_documents_numbers():
    outputs, losses = torch_run("float32")
    for value, text in zip(outputs, ("4.5", "2.4658", "1.8654")):
        printed(value, text)
    printed(losses[0], "6.125")
    printed(losses[2], "0.3745")
