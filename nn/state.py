"""An MLP's weights as a plain dict or a JSON file, with an exact round trip.

Floats go through JSON as their repr, so every weight comes back bit for bit. A
file that is truncated, of another shape or not ours is an error that leaves
the model as it was; a save writes a temporary file first and renames it, so a
failed save never leaves half a file.

These functions read a model through its public attributes (nin, layers, each
layer's nout, activation, bias, mask, W, b and set_weights), so nn.module imports
this file and not the other way round: MLP.state_dict, save and load call it, and
MLP.from_state_dict (nn.load) builds a new model from what `read` returns.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from micrograd.files import write_atomically
from nn.activations import ACTIVATIONS

FORMAT = "micrograd-lab/nn.MLP"
VERSION = 1


def state_dict(model: Any) -> dict[str, Any]:
    """Everything needed to rebuild `model`: its shape, activations, masks, weights and biases."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "nin": model.nin,
        "layers": [{
            "nout": layer.nout,
            "activation": layer.activation,
            "bias": layer.bias,
            "mask": state_dict_mask(layer),
            "W": layer.W,
            "b": layer.b,
        } for layer in model.layers],
    }


def load_state_dict(model: Any, state: Any, source: str = "the state") -> None:
    """Set `model`'s weights from a state_dict of the same shape; on any error nothing changes."""
    layers = check(state, source)
    if state["nin"] != model.nin or len(layers) != len(model.layers):
        raise ValueError(f"{source} is for a net of shape {_shape(state)} but the model is "
                         f"{_shape(state_dict(model))}")
    for k, (entry, layer) in enumerate(zip(layers, model.layers), 1):
        mine = {"nout": layer.nout, "activation": layer.activation, "bias": layer.bias,
                "mask": state_dict_mask(layer)}
        for key, want in mine.items():
            if entry[key] != want:
                raise ValueError(f"{source}: layer {k} has {key} {entry[key]!r} but the model's "
                                 f"layer {k} has {want!r}")
    weights = [(e["W"], e["b"]) if e["bias"] else e["W"] for e in layers]
    try:
        model.set_weights(weights)  # checks every shape and number before changing anything
    except (TypeError, ValueError) as error:
        raise ValueError(f"{source}: {error}") from None


def save(model: Any, path: str | os.PathLike) -> None:
    """Write `model` to `path` as JSON (atomically: the old file stays until the new one is whole)."""
    path = Path(path)
    text = json.dumps(state_dict(model), indent=1)
    write_atomically(path, text + "\n")


def read(path: str | os.PathLike) -> dict[str, Any]:
    """The state stored in a JSON file written by save(), checked to be ours and whole."""
    try:
        text = Path(path).read_text()
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a saved model: it is not even text") from None
    try:
        state = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error.msg} at line {error.lineno}): "
                         "the file is truncated or not a saved model") from None
    check(state, str(path))
    return state


def load_into(model: Any, path: str | os.PathLike) -> Any:
    """Set `model`'s weights from a file written by save(); on any error the model is unchanged."""
    load_state_dict(model, read(path), str(path))
    return model


def buildable(state: dict[str, Any], source: str) -> None:
    """Check that MLP(...) can build the net a checked state describes (nn.load builds it)."""
    layers = state["layers"]
    for k, entry in enumerate(layers, 1):
        if entry["activation"] not in ACTIVATIONS:
            raise ValueError(f"{source}: layer {k} uses the custom activation {entry['activation']!r}, "
                             "which a file cannot hold: build the MLP yourself, then model.load(path)")
    if any(e["bias"] != layers[0]["bias"] for e in layers):
        raise ValueError(f"{source}: layers mix bias and no bias, which MLP cannot build")


def state_dict_mask(layer: Any) -> list[list[int]] | None:
    """A layer's mask as 0/1 rows, as a state_dict stores it."""
    return None if layer.mask is None else [[int(on) for on in row] for row in layer.mask]


def check(state: Any, source: str) -> list[dict[str, Any]]:
    """The layer entries of a state, after checking that it is ours and complete (`source` names it)."""
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{source} is not a saved micrograd-lab MLP (no \"format\": {FORMAT!r})")
    if state.get("version") != VERSION:
        raise ValueError(f"{source} has version {state.get('version')!r}; this code reads version {VERSION}")
    layers = state.get("layers")
    if not isinstance(state.get("nin"), int) or not isinstance(layers, list) or not layers:
        raise ValueError(f"{source} is incomplete: it needs \"nin\" and a list of \"layers\"")
    for k, entry in enumerate(layers, 1):
        keys = set(entry) if isinstance(entry, dict) else set()
        missing = {"nout", "activation", "bias", "mask", "W", "b"} - keys
        if missing:
            raise ValueError(f"{source}: layer {k} is missing {sorted(missing)}")
    return layers


def _shape(state: dict[str, Any]) -> str:
    return f"{state['nin']} -> " + " -> ".join(str(e.get("nout")) for e in state["layers"])
