"""nn: neurons, layers and MLPs built from micrograd Values, with losses and optimisers."""

from nn import labels
from nn.module import MLP, Layer, Module, Neuron

__all__ = ["MLP", "Layer", "Module", "Neuron", "labels"]
