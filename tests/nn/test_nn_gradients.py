"""Every parameter's gradient in random MLPs against central differences (no PyTorch needed)."""

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nn

ACTS = ["tanh", "relu", "sigmoid", "square", "linear"]
small = st.floats(-1.5, 1.5, allow_nan=False)


@st.composite
def nets(draw):
    nin = draw(st.integers(1, 3))
    nouts = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    hidden = draw(st.sampled_from(ACTS))
    output = draw(st.sampled_from(ACTS))
    bias = draw(st.booleans())
    model = nn.MLP(nin, nouts, hidden, output, bias=bias, init=0.0)
    for p in model.parameters():
        p.data = draw(small)
    x = draw(st.lists(small, min_size=nin, max_size=nin))
    target = draw(st.lists(small, min_size=nouts[-1], max_size=nouts[-1]))
    return model, x, target


def loss_of(model, x, target) -> float:
    return nn.half_sum_squares(model(x), target).data


@settings(max_examples=60, deadline=None)
@given(nets())
def test_gradients_match_central_differences(case):
    model, x, target = case
    loss = nn.half_sum_squares(model(x), target)
    loss.backward()
    # a ReLU kink within h of a drive makes the difference quotient meaningless: skip that point
    assume(all(abs(z) > 1e-4 for z in all_drives(model, x)))
    h = 1e-6
    for p in model.parameters():
        saved = p.data
        p.data = saved + h
        up = loss_of(model, x, target)
        p.data = saved - h
        down = loss_of(model, x, target)
        p.data = saved
        numeric = (up - down) / (2 * h)
        # the quotient's rounding error is about eps * |loss| / h: a large loss (square layers) needs room
        room = 1e-7 * max(1.0, abs(loss.data))
        assert math.isclose(p.grad, numeric, rel_tol=1e-5, abs_tol=room), (p.label, p.grad, numeric)


def all_drives(model, x):
    """The drive of every neuron, for spotting inputs on a ReLU's kink."""
    out = [float(v) for v in x]
    drives = []
    for layer in model.layers:
        values = layer.forward(out)
        drives += [v.inputs[0].data if v.op in ("relu", "tanh", "sigmoid", "**2") else v.data for v in values]
        out = [v.data for v in values]
    return drives
