"""micrograd's `nn` module, so code written for micrograd 0.1.0 runs unchanged."""

from nn import MLP, Layer, Module, Neuron

__all__ = ["Module", "Neuron", "Layer", "MLP"]
