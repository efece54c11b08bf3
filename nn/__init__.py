"""nn: neurons, layers and MLPs built from micrograd Values, with losses, optimisers and files.

>>> import nn
>>> model = nn.MLP(1, [2, 2, 1], init=1.0, bias_init=-0.5)   # seed 003's network
>>> loss = nn.half_sum_squares(model(2.0), 1.0)
>>> loss.data
6.125
"""

from nn import labels
from nn.losses import (
    binary_cross_entropy,
    cross_entropy,
    half_sum_squares,
    hinge,
    mean,
    mean_squared_error,
    softmax,
    sum_squares,
    total,
)
from nn.module import MLP, Layer, Module, Neuron, from_torch, load
from nn.optim import SGD, Adam
from nn.penalties import l2
from nn.state import load_state_dict, save, state_dict
from nn.torch_bridge import to_torch

__all__ = [
    "MLP", "Layer", "Module", "Neuron", "labels",
    "half_sum_squares", "sum_squares", "mean_squared_error", "softmax", "cross_entropy",
    "binary_cross_entropy", "hinge", "total", "mean", "l2",
    "SGD", "Adam",
    "state_dict", "load_state_dict", "save", "load",
    "to_torch", "from_torch",
]
