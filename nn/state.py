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
import math
import os
import reprlib
from pathlib import Path
from typing import Any

from micrograd.files import write_atomically
from nn import labels
from nn.activations import ACTIVATIONS
from nn.weights import layer_weights

FORMAT = "micrograd-lab/nn.MLP"
VERSION = 1
# What a file may describe, checked from its header before anything is built: a 300-byte
# file that claims "nout": 1000000 is an error at once, not minutes of building first.
MAX_WIDTH = 100_000  # inputs, or neurons in one layer
MAX_LAYERS = 1_000
MAX_PARAMETERS = 1_000_000  # weights and biases in all (a Value each: about 0.2 GB)
MAX_FILE_BYTES = 64 * 2 ** 20  # a million weights, one a line, take about 30 MB


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
                raise ValueError(f"{source}: layer {k} has {key} {reprlib.repr(entry[key])} but the model's "
                                 f"layer {k} has {want!r}")
    weights = [(e["W"], e["b"]) if e["bias"] else e["W"] for e in layers]
    try:
        model.set_weights(weights)  # checks every shape and number before changing anything
    except (TypeError, ValueError) as error:
        raise ValueError(f"{source}: {error}") from None


def save(model: Any, path: str | os.PathLike) -> None:
    """Write `model` to `path` as JSON (atomically: the old file stays until the new one is whole).

    Only a file that load() reads back is written: a weight that is NaN or infinite
    (after a diverged step) is an error, and the file already at `path` stays.
    """
    path = Path(path)
    state = state_dict(model)
    _finite(state, path)
    check(state, str(path))
    build_check(state, str(path))
    write_atomically(path, json.dumps(state, indent=1, allow_nan=False) + "\n")


def read(path: str | os.PathLike) -> dict[str, Any]:
    """The state stored in a JSON file written by save(), checked to be ours and whole."""
    size = Path(path).stat().st_size  # a missing file: FileNotFoundError naming it
    if size > MAX_FILE_BYTES:
        raise ValueError(f"{path} is {size:,} bytes, more than a saved model may be "
                         f"({MAX_FILE_BYTES:,}, nn.state.MAX_FILE_BYTES)")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a saved model: it is not even text") from None
    try:
        state = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error.msg} at line {error.lineno}): "
                         "the file is truncated or not a saved model") from None
    except RecursionError:  # a saved model nests five deep: this is not one
        raise ValueError(f"{path} is not a saved model: its JSON is nested too deeply to read") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise ValueError(f"{path} is not a saved model: {str(error).split(';')[0]}") from None
    check(state, str(path))
    return state


def load_into(model: Any, path: str | os.PathLike) -> Any:
    """Set `model`'s weights from a file written by save(); on any error the model is unchanged."""
    load_state_dict(model, read(path), str(path))
    return model


def buildable(state: dict[str, Any], source: str) -> None:
    """Check that MLP(...) can build the net a checked state describes (nn.load builds it).

    Every shape and number is checked here, before a single Value is made, so a
    small file that claims a huge net fails at once.
    """
    layers = state["layers"]
    for k, entry in enumerate(layers, 1):
        if entry["activation"] not in ACTIVATIONS:
            raise ValueError(f"{source}: layer {k} uses the custom activation {entry['activation']!r}, "
                             "which a file cannot hold: build the MLP yourself, then model.load(path)")
    if any(e["bias"] != layers[0]["bias"] for e in layers):
        raise ValueError(f"{source}: layers mix bias and no bias, which MLP cannot build")
    build_check(state, source)


def build_check(state: dict[str, Any], source: str) -> None:
    """Check a checked state's masks, weights and biases against the shapes its header gives."""
    width = state["nin"]
    for k, entry in enumerate(state["layers"], 1):
        nout = entry["nout"]
        _check_mask(entry["mask"], width, nout, f"{source}: layer {k}")
        try:
            layer_weights(entry, width, nout, entry["bias"], "out_in", f"layer {k}")
        except (TypeError, ValueError) as error:
            raise ValueError(f"{source}: {error} (the header gives layer {k} {nout} neurons "
                             f"and {width} inputs)") from None
        width = nout


def _check_mask(mask: Any, nin: int, nout: int, where: str) -> None:
    if mask is None:
        return
    if not isinstance(mask, list) or len(mask) != nout or \
            not all(isinstance(row, list) and len(row) == nin for row in mask):
        raise ValueError(f"{where}: mask must be null or {nout} rows of {nin} 0/1 entries "
                         f"(mask[out][in]), got {reprlib.repr(mask)}")
    for j, row in enumerate(mask, 1):
        for i, on in enumerate(row, 1):
            if on not in (0, 1) or not isinstance(on, int):  # "no" or 0.5 must not mean connected
                raise ValueError(f"{where}: mask[{j}][{i}] is {reprlib.repr(on)}: a mask holds "
                                 "1 (connected) or 0 (no connection)")


def _finite(state: dict[str, Any], path: Path) -> None:
    """Raise, naming the weight, if any weight or bias of the state is NaN or infinite."""
    for k, entry in enumerate(state["layers"], 1):
        bad = [(f"weight W[{j}][{i}] ({labels.weight(k, j, i)})", w) for j, row in enumerate(entry["W"], 1)
               if not all(map(math.isfinite, row)) for i, w in enumerate(row, 1) if not math.isfinite(w)]
        bad += [(f"bias b[{j}] ({labels.bias(k, j)})", b) for j, b in enumerate(entry["b"] or [], 1)
                if not math.isfinite(b)]
        if bad:
            name, number = bad[0]
            raise ValueError(f"cannot save to {path}: layer {k}'s {name} is {number!r}, so training "
                             "diverged (try a smaller learning rate); nothing was written")


def state_dict_mask(layer: Any) -> list[list[int]] | None:
    """A layer's mask as 0/1 rows, as a state_dict stores it."""
    return None if layer.mask is None else [[int(on) for on in row] for row in layer.mask]


def check(state: Any, source: str) -> list[dict[str, Any]]:
    """The layer entries of a state, after checking its header: ours, complete, within the limits.

    The header is "nin" and each layer's "nout", "activation" and "bias"; `source`
    names the state in errors. build_check then checks the masks and weights.
    """
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{source} is not a saved micrograd-lab MLP (no \"format\": {FORMAT!r})")
    if state.get("version") != VERSION:
        raise ValueError(f"{source} has version {reprlib.repr(state.get('version'))}; "
                         f"this code reads version {VERSION}")
    layers = state.get("layers")
    if "nin" not in state or not isinstance(layers, list) or not layers:
        raise ValueError(f"{source} is incomplete: it needs \"nin\" and a list of \"layers\"")
    _size(state["nin"], "\"nin\"", source)
    if len(layers) > MAX_LAYERS:
        raise ValueError(f"{source} has {len(layers):,} layers, more than a saved model may have "
                         f"({MAX_LAYERS:,}, nn.state.MAX_LAYERS)")
    width, count = state["nin"], 0
    for k, entry in enumerate(layers, 1):
        keys = set(entry) if isinstance(entry, dict) else set()
        missing = {"nout", "activation", "bias", "mask", "W", "b"} - keys
        if missing:
            raise ValueError(f"{source}: layer {k} is missing {sorted(missing)}")
        nout = _size(entry["nout"], f"layer {k}'s \"nout\"", source)
        name = entry["activation"]
        if not isinstance(name, str) or not 0 < len(name) <= 100:
            raise ValueError(f"{source}: layer {k}'s \"activation\" must be a name such as 'tanh', "
                             f"got {reprlib.repr(name)}")
        if not isinstance(entry["bias"], bool):
            raise ValueError(f"{source}: layer {k}'s \"bias\" must be true or false, "
                             f"got {reprlib.repr(entry['bias'])}")
        count += (width + entry["bias"]) * nout
        width = nout
    if count > MAX_PARAMETERS:
        raise ValueError(f"{source} describes a net of {count:,} weights and biases, more than a "
                         f"saved model may have ({MAX_PARAMETERS:,}, nn.state.MAX_PARAMETERS)")
    return layers


def _size(n: Any, what: str, source: str) -> int:
    """A layer's width from a file: a whole number from 1 to MAX_WIDTH."""
    if not isinstance(n, int) or isinstance(n, bool) or not 0 < n <= MAX_WIDTH:
        raise ValueError(f"{source}: {what} must be a whole number from 1 to {MAX_WIDTH:,} "
                         f"(nn.state.MAX_WIDTH), got {reprlib.repr(n)}")
    return n


def _shape(state: dict[str, Any]) -> str:
    return f"{state['nin']} -> " + " -> ".join(str(e.get("nout")) for e in state["layers"])
