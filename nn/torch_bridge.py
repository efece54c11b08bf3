"""To and from PyTorch, so an answer can be checked the way seed 003 checks it (torch is optional)."""

from __future__ import annotations

from typing import Any

from nn.module import MLP

_TO_TORCH = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid"}


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError("to_torch/from_torch need PyTorch: pip install torch") from None
    return torch


def _square_module(torch: Any) -> Any:
    class Square(torch.nn.Module):
        """sigma(z) = z**2, seed 000's activation."""

        def forward(self, z: Any) -> Any:
            return z * z

    return Square()


def to_torch(model: MLP, dtype: Any = None) -> Any:
    """An equivalent torch.nn.Sequential: one Linear per layer, then its activation (none for 'linear').

    dtype defaults to torch.float64, so the numbers agree with ours to the last
    bits; pass torch.float32 to see what a float32 PyTorch run prints.
    """
    torch = _torch()
    dtype = torch.float64 if dtype is None else dtype
    modules = []
    for layer in model.layers:
        if layer.mask is not None:
            raise ValueError(f"layer {layer.index} has a mask, and torch.nn.Linear is dense: "
                             "its masked weights would start training")
        linear = torch.nn.Linear(layer.nin, layer.nout, bias=layer.bias, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer.W, dtype=dtype))
            if layer.bias:
                linear.bias.copy_(torch.tensor(layer.b, dtype=dtype))
        modules.append(linear)
        if layer.activation == "square":
            modules.append(_square_module(torch))
        elif layer.activation in _TO_TORCH:
            modules.append(getattr(torch.nn, _TO_TORCH[layer.activation])())
        elif layer.activation != "linear":
            raise ValueError(f"layer {layer.index}'s activation {layer.activation!r} has no "
                             "PyTorch module here: use tanh, relu, sigmoid, square or linear")
    return torch.nn.Sequential(*modules)


def from_torch(sequential: Any) -> MLP:
    """An MLP with the weights of a torch.nn.Sequential of Linear layers and Tanh/ReLU/Sigmoid/Identity."""
    torch = _torch()
    names = {getattr(torch.nn, v): k for k, v in _TO_TORCH.items()}
    names[torch.nn.Identity] = "linear"
    linears: list[Any] = []
    activations: list[str] = []
    for k, module in enumerate(sequential):
        if isinstance(module, torch.nn.Linear):
            linears.append(module)
            activations.append("linear")
        elif type(module) in names or type(module).__name__ == "Square":
            name = names.get(type(module), "square")
            if not linears or activations[-1] != "linear":
                raise ValueError(f"module {k} ({type(module).__name__}) must follow a Linear layer")
            activations[-1] = name
        else:
            raise ValueError(f"module {k} is {type(module).__name__}: from_torch reads Linear, "
                             "Tanh, ReLU, Sigmoid and Identity")
    if not linears:
        raise ValueError("the Sequential has no Linear layer")
    for k in range(1, len(linears)):
        if linears[k].in_features != linears[k - 1].out_features:
            raise ValueError(f"Linear layer {k + 1} takes {linears[k].in_features} inputs but layer {k} "
                             f"gives {linears[k - 1].out_features}")
    has_bias = {lin.bias is not None for lin in linears}
    if len(has_bias) > 1:
        raise ValueError("the Linear layers mix bias=True and bias=False, which MLP cannot build")
    bias = has_bias.pop()
    model = MLP(linears[0].in_features, [lin.out_features for lin in linears], activations[:-1],
                activations[-1], bias=bias, init=0.0)
    weights = []
    for lin in linears:
        W = lin.weight.detach().double().tolist()
        weights.append((W, lin.bias.detach().double().tolist()) if bias else W)
    model.set_weights(weights)
    return model
