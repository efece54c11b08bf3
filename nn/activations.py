"""Activation functions by name: what a layer applies to each neuron's drive, in one table.

Each entry says how a layer applies the function (as a method, so a Value subclass
such as micrograd.batch's Batch runs its own), whether micrograd.drives can fold it
into the drives, and which torch.nn module computes it (nn.torch_bridge).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import methodcaller
from typing import NamedTuple

from micrograd import Value
from micrograd.engine import ACTIVATIONS as FOLDABLE  # the ones micrograd.drives folds in

Activation = Callable[[Value], Value]


def square(z: Value) -> Value:
    """sigma(z) = z**2, the activation of seed 000; sigma'(z) = 2z."""
    return z ** 2


class Entry(NamedTuple):
    """One activation: the function a user may pass, how a layer applies it, its torch.nn module."""

    function: Activation | None  # None for 'linear': the drive itself is the output (no extra node)
    apply: Activation | None
    torch: str


ACTIVATIONS: dict[str, Entry] = {
    "tanh": Entry(Value.tanh, methodcaller("tanh"), "Tanh"),
    "relu": Entry(Value.relu, methodcaller("relu"), "ReLU"),
    "sigmoid": Entry(Value.sigmoid, methodcaller("sigmoid"), "Sigmoid"),
    "square": Entry(square, square, "Square"),  # not in torch.nn: nn.torch_bridge writes one
    "linear": Entry(None, None, "Identity"),
}
FOLDED = frozenset(FOLDABLE)  # computed with the drives by micrograd.drives(activation=...)
_ALIASES = {"identity": "linear", None: "linear"}


def resolve(activation: str | Activation | None) -> tuple[str, Activation | None]:
    """The (name, function) pair for an activation given by name or as a function Value -> Value.

    A function that is one of ours (Value.tanh, nn.activations.square, ...) gets
    its usual name; any other gets its __name__, so drawings can still show it, and
    is always the function that runs.
    """
    if callable(activation):
        for name, entry in ACTIVATIONS.items():
            if entry.function is activation:
                return name, entry.apply
        return custom_name(activation), activation
    if isinstance(activation, bool):  # micrograd's positional Neuron(nin, nonlin)
        activation = "relu" if activation else "linear"
    if not isinstance(activation, (str, type(None), int, float)):
        raise TypeError(f"an activation is a name or a function Value -> Value, got "
                        f"{type(activation).__name__}: {activation!r}"[:200])
    key = _ALIASES.get(activation, activation)
    if isinstance(key, str) and key in ACTIVATIONS:
        return key, ACTIVATIONS[key].apply
    known = ", ".join(repr(n) for n in ACTIVATIONS)
    hint = " (for softmax, use a 'linear' output and nn.softmax or nn.cross_entropy)" \
        if activation == "softmax" else ""
    raise ValueError(
        f"unknown activation {activation!r}: use one of {known} or a function Value -> Value{hint}"
    )


def custom_name(function: Activation) -> str:
    """The name a user's activation goes by: its __name__, never one of ours.

    A user's `def relu(z)` is not Value.relu: named 'relu', a layer would fold the
    built-in into its drives, a file would rebuild the built-in and to_torch would
    convert it to torch.nn.ReLU. It is called 'custom relu' instead.

    >>> def relu(z): return z.relu() + 0.01 * z
    >>> custom_name(relu), custom_name(lambda z: z)
    ('custom relu', '<lambda>')
    """
    name = getattr(function, "__name__", None)
    if not isinstance(name, str) or not name.strip():
        return "custom"
    if name in ACTIVATIONS or name in FOLDED or name in _ALIASES:
        return f"custom {name}"
    return name
