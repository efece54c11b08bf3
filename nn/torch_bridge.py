"""To and from PyTorch, so an answer can be checked the way seed 003 checks it (torch is optional).

torch is imported only when one of these functions runs. `to_torch` reads a model
through its public attributes and `state_of` turns a torch.nn.Sequential into a
state_dict (nn.state's format): nn.module imports this file, and nn.from_torch
builds the MLP from that state.
"""

from __future__ import annotations

from typing import Any

from nn import state
from nn.activations import ACTIVATIONS

_FROM_TORCH = {entry.torch: name for name, entry in ACTIVATIONS.items()}  # 'Tanh' -> 'tanh', ...


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError("to_torch/from_torch need PyTorch: pip install torch") from None
    return torch


_SQUARE: list[Any] = []  # the one Square class, made when torch is first needed


def _square_class(torch: Any) -> Any:
    """Our Square module's class: from_torch reads only it as 'square', not any module so named."""
    if not _SQUARE:
        class Square(torch.nn.Module):
            """sigma(z) = z**2, seed 000's activation."""

            def forward(self, z: Any) -> Any:
                return z * z

        _SQUARE.append(Square)
    return _SQUARE[0]


def to_torch(model: Any, dtype: Any = None) -> Any:
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
            modules.append(_square_class(torch)())
        elif layer.activation in ACTIVATIONS and layer.activation != "linear":
            modules.append(getattr(torch.nn, ACTIVATIONS[layer.activation].torch)())
        elif layer.activation != "linear":
            raise ValueError(f"layer {layer.index}'s activation {layer.activation!r} has no "
                             "PyTorch module here: use tanh, relu, sigmoid, square or linear")
    return torch.nn.Sequential(*modules)


def state_of(sequential: Any) -> dict[str, Any]:
    """The state_dict of an MLP with the weights of a torch.nn.Sequential (nn.from_torch builds it).

    The Sequential holds Linear layers, each followed by at most one Tanh, ReLU,
    Sigmoid, Identity or Square.
    """
    torch = _torch()
    linears: list[Any] = []
    activations: list[str] = []
    for k, module in enumerate(sequential):
        kind = type(module).__name__
        if isinstance(module, torch.nn.Linear):
            linears.append(module)
            activations.append("linear")
        elif kind in _FROM_TORCH and type(module) is (  # the class itself: a user's ReLU-named module
                _square_class(torch) if kind == "Square" else getattr(torch.nn, kind, None)):  # is not ours
            if not linears or activations[-1] != "linear":
                raise ValueError(f"module {k} ({kind}) must follow a Linear layer")
            activations[-1] = _FROM_TORCH[kind]
        else:
            raise ValueError(f"module {k} is {kind}: from_torch reads Linear, torch.nn's "
                             "Tanh, ReLU, Sigmoid and Identity, and to_torch's Square")
    if not linears:
        raise ValueError("the Sequential has no Linear layer")
    for k in range(1, len(linears)):
        if linears[k].in_features != linears[k - 1].out_features:
            raise ValueError(f"Linear layer {k + 1} takes {linears[k].in_features} inputs but layer {k} "
                             f"gives {linears[k - 1].out_features}")
    if len({lin.bias is not None for lin in linears}) > 1:
        raise ValueError("the Linear layers mix bias=True and bias=False, which MLP cannot build")
    return {"format": state.FORMAT, "version": state.VERSION, "nin": linears[0].in_features,
            "layers": [{"nout": lin.out_features, "activation": act, "bias": lin.bias is not None,
                        "mask": None, "W": lin.weight.detach().double().tolist(),
                        "b": lin.bias.detach().double().tolist() if lin.bias is not None else None}
                       for lin, act in zip(linears, activations)]}
