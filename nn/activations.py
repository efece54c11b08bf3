"""Activation functions by name: what a layer applies to each neuron's drive."""

from __future__ import annotations

from collections.abc import Callable
from operator import methodcaller

from micrograd import Value

Activation = Callable[[Value], Value]


def square(z: Value) -> Value:
    """sigma(z) = z**2, the activation of seed 000; sigma'(z) = 2z."""
    return z ** 2


# 'linear' has no function: the drive itself is the neuron's output (no extra node)
ACTIVATIONS: dict[str, Activation | None] = {
    "tanh": Value.tanh,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "square": square,
    "linear": None,
}
_ALIASES = {"identity": "linear", None: "linear"}
# applied as methods, so a Value subclass (e.g. one that carries a batch) runs its own version
_APPLY: dict[str, Activation | None] = {
    "tanh": methodcaller("tanh"),
    "relu": methodcaller("relu"),
    "sigmoid": methodcaller("sigmoid"),
    "square": square,
    "linear": None,
}


def resolve(activation: str | Activation | None) -> tuple[str, Activation | None]:
    """The (name, function) pair for an activation given by name or as a function Value -> Value.

    A function that is one of ours (Value.tanh, nn.activations.square, ...) gets
    its usual name; any other gets its __name__, so drawings can still show it.
    """
    if callable(activation):
        for name, fn in ACTIVATIONS.items():
            if fn is activation:
                return name, _APPLY[name]
        return getattr(activation, "__name__", "custom"), activation
    if isinstance(activation, bool):  # micrograd's positional Neuron(nin, nonlin)
        activation = "relu" if activation else "linear"
    name = _ALIASES.get(activation, activation)
    if isinstance(name, str) and name in ACTIVATIONS:
        return name, _APPLY[name]
    known = ", ".join(repr(n) for n in ACTIVATIONS)
    hint = " (for softmax, use a 'linear' output and nn.softmax or nn.cross_entropy)" \
        if activation == "softmax" else ""
    raise ValueError(
        f"unknown activation {activation!r}: use one of {known} or a function Value -> Value{hint}"
    )
