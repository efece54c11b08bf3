"""Neurons, layers and MLPs built from `Value`s, with weights set exactly as a document gives them.

PyTorch's conventions: a subclass of `Module` writes `forward`, and calling the
module runs it; `parameters()` and `named_parameters()` come from the base class,
which finds them in the attributes a subclass sets (a Value, a tuple of Values, a
Module or a list of Modules), in the order they were set.

`MLP(nin, nouts)` with no other argument is micrograd 0.1.0's MLP: weights drawn
with random.uniform(-1, 1) neuron by neuron, layer by layer, zero biases, ReLU on
hidden layers, a linear output, and a single output returned as a Value.
"""

from __future__ import annotations

import numbers
import os
import random
import reprlib
from collections.abc import Iterator, Sequence
from typing import Any

from micrograd import Value, drives
from micrograd.params import Block
from nn import labels, state, torch_bridge
from nn.activations import FOLDED, Activation, resolve
from nn.weights import Matrix, layer_weights


def _outputs(rows: list, x: Any, bias: bool, cache: Block | None, activation: str, fn: Any,
             z_labels: list[str], a_labels: list[str]) -> list[Value]:
    """Neurons' outputs on inputs x: their drives z (labelled), then the activation a = f(z) of each."""
    if fn is None:  # 'linear': the drive is the output
        return drives(rows, x, bias, cache, labels=z_labels)
    if activation in FOLDED:
        out = drives(rows, x, bias, cache, activation, z_labels)
    else:  # any other function (seed 000's square, a user's): applied to each drive
        out = list(map(fn, drives(rows, x, bias, cache, labels=z_labels)))
    for a, label in zip(out, a_labels):
        a.label = label
    return out


class Module:
    """Anything with parameters: `forward` computes, calling the module runs it.

    Setting an attribute to a Value or a tuple of Values makes them parameters
    (named 'b', 'w.0', 'w.1', ...), to a Module or a list of Modules makes them
    submodules ('layers.0', ...); names starting with '_' are left alone.
    """

    _parameters: dict[str, Value] = {}  # never written: _register gives each module dicts of its own
    _modules: dict[str, Module] = {}
    _listed: tuple[int, list[Value]] | None = None  # parameters() at a count of _changes
    _changes = 0  # registrations in any module so far: a module's listing is current while this stays

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward(), which calling it runs")

    def __call__(self, *args: Any) -> Any:
        """self.forward(*args); a single output in a list is returned as a Value, as in micrograd."""
        out = self.forward(*args)
        return out[0] if out.__class__ is list and len(out) == 1 else out

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if not name.startswith("_"):
            self._register(name, getattr(self, name))  # a property's setter may have stored another form

    def _register(self, name: str, value: Any) -> None:
        found: dict[str, Any] = {}
        if isinstance(value, (Value, Module)):
            found[name] = value
        elif isinstance(value, (list, tuple)) and value and (
                all(isinstance(v, Value) for v in value) or all(isinstance(v, Module) for v in value)):
            found = {f"{name}.{i}": v for i, v in enumerate(value)}
        if self._parameters is Module._parameters:  # this module's first: tables of its own (set as
            object.__setattr__(self, "_parameters", {})  # attributes: reading __dict__ would slow every
            object.__setattr__(self, "_modules", {})  # later attribute read down)
        for table in (self._parameters, self._modules):
            for key in [k for k in table if (k == name or k.startswith(name + ".")) and k not in found]:
                del table[key]
        for key, v in found.items():  # a name already there keeps its place in the order
            (self._parameters if isinstance(v, Value) else self._modules)[key] = v
        Module._changes += 1

    def parameters(self) -> list[Value]:
        """Every trainable Value, in a fixed order: this module's own, then each submodule's."""
        listed = self._listed  # a training loop asks every step: the list is made once per change
        if listed is None or listed[0] != Module._changes:
            params = list(self._parameters.values())
            for m in self._modules.values():
                params += m.parameters()
            listed = (Module._changes, params)
            object.__setattr__(self, "_listed", listed)
        return list(listed[1])  # the caller's own list

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """(name, parameter) pairs in parameters()' order, e.g. ('layers.0.neurons.1.w.0', w12^(1))."""
        for name, p in self._parameters.items():
            yield prefix + name, p
        for name, m in self._modules.items():
            yield from m.named_parameters(f"{prefix}{name}.")

    def parameter_blocks(self) -> tuple[list[Block], list[Value]]:
        """The parameters as whole layers' arrays (micrograd.params) and the rest, one by one."""
        blocks: list[Block] = []
        others = list(self._parameters.values())
        for m in self._modules.values():
            b, o = m.parameter_blocks()
            blocks += b
            others += o
        return blocks, others

    def zero_grad(self) -> None:
        """Set the grad of every parameter to 0.0."""
        for p in self._parameters.values():
            p.grad = 0.0
        for m in self._modules.values():
            m.zero_grad()  # a layer clears its array at once


class Neuron(Module):
    """One neuron: drive z = w·x + b (one node), then its activation (none for 'linear').

    `connections` lists the (0-based) inputs the neuron sees, for a net that is not
    dense (seed 001); by default it sees them all.
    """

    def __init__(self, nin: int, activation: str | Activation = "relu", bias: bool = True, *,
                 nonlin: bool | None = None, index: int = 1, layer: int = 1,
                 connections: Sequence[int] | None = None,
                 init: float | None = None, bias_init: float | None = None) -> None:
        if nonlin is not None:  # micrograd's Neuron(nin, nonlin=False)
            activation = "relu" if nonlin else "linear"
        self.nin = _count(nin, "nin")
        self.index, self.layer = index, layer
        self.activation, self._fn = resolve(activation)
        self.connections = None if connections is None else tuple(connections)
        seen = range(self.nin) if self.connections is None else self.connections
        draw = random.uniform
        w = [Value(draw(-1, 1) if init is None else init, labels.weight(layer, index, i + 1)) for i in seen]
        b0 = bias_init if bias_init is not None else init if init is not None else 0.0
        row = (*w, Value(b0, labels.bias(layer, index))) if bias else tuple(w)
        # the drive's weight vector, one tuple: views of one array (a layer gathers its neurons' into one)
        self._params: tuple[Value, ...] = Block.gather([row])[0]
        self._w: tuple[Value, ...] = self._params[:len(w)]
        self._b: Value | None = self._params[-1] if bias else None
        self._register("w", self._w)  # parameters w.0, w.1, ..., then b
        self._register("b", self._b)
        self._z_label = labels.drive(layer, index)
        self._a_label = labels.activation(layer, index)

    @property
    def w(self) -> tuple[Value, ...]:
        """The weights (w1, ..., wn), one per input the neuron sees."""
        return self._w

    @w.setter
    def w(self, weights: Sequence[Value]) -> None:
        weights = tuple(weights)
        if len(weights) != len(self._w) or not all(isinstance(v, Value) for v in weights):
            raise ValueError(f"neuron {self.index} of layer {self.layer} needs {len(self._w)} Values as "
                             f"weights, got {weights!r}: to change a weight's number, set its .data")
        self._w = weights
        self._params = weights + (self._b,) if self._b is not None else weights

    @property
    def b(self) -> Value | None:
        """The bias, or None for a neuron without one."""
        return self._b

    @b.setter
    def b(self, bias: Value) -> None:
        if self._b is None or not isinstance(bias, Value):
            raise ValueError(f"neuron {self.index} of layer {self.layer} "
                             + ("has no bias" if self._b is None else f"needs a Value as bias, got {bias!r}"))
        self._b = bias
        self._params = self._w + (bias,)

    def forward(self, x: Sequence[Value | float]) -> Value:
        """The neuron's output for inputs x (Values or numbers)."""
        if len(x) != self.nin:
            raise ValueError(f"neuron {self.index} of layer {self.layer} takes {self.nin} inputs, "
                             f"got {len(x)}")
        if self.connections is not None:
            x = [x[i] for i in self.connections]
        return _outputs([self._params], x, self._b is not None, None, self.activation, self._fn,
                        [self._z_label], [self._a_label])[0]

    def __repr__(self) -> str:
        name = "ReLU" if self.activation == "relu" else self.activation.capitalize()
        return f"{name}Neuron({self.nin})"  # micrograd's ReLUNeuron(2), LinearNeuron(16)


class Layer(Module):
    """`nout` neurons that see the same inputs and share one activation."""

    def __init__(self, nin: int, nout: int, activation: str | Activation = "relu",
                 bias: bool = True, *, nonlin: bool | None = None, index: int = 1,
                 mask: Any = None, init: float | None = None,
                 bias_init: float | None = None) -> None:
        if nonlin is not None:
            activation = "relu" if nonlin else "linear"
        self.nin, self.nout = _count(nin, "nin"), _count(nout, "nout")
        self.index = index
        self.activation, self._fn = resolve(activation)
        self.bias = bias
        self.mask = _mask(mask, nin, nout, index)
        self.neurons = [
            Neuron(nin, activation, bias, index=j, layer=index, init=init, bias_init=bias_init,
                   connections=None if self.mask is None else
                   [i for i, on in enumerate(self.mask[j - 1]) if on])
            for j in range(1, nout + 1)
        ]
        self._z_labels = [n._z_label for n in self.neurons]
        self._a_labels = [n._a_label for n in self.neurons]
        # the layer's parameters as one array W (row j: neuron j's weights, then its bias), the Values
        # views of it: batch mode multiplies it at once, drives() knows by its version that it is unchanged
        self._rows = Block.gather([n._params for n in self.neurons],
                                  [[*(range(nin) if n.connections is None else n.connections), nin]
                                   [:len(n._params)] for n in self.neurons], nin + bias)
        self._block = self._rows[0][0]._block
        for n, row in zip(self.neurons, self._rows):
            n._params = row

    def forward(self, x: Any) -> list[Value]:
        """The layer's outputs as a list, however many there are (calling the layer gives one as a Value).

        A first layer's numbers become leaves labelled x1, x2, ...
        """
        return self._outputs(_inputs(x, self.nin, "layer 1") if self.index == 1 else x)

    def _outputs(self, x: Sequence[Value | float]) -> list[Value]:
        if len(x) != self.nin:
            raise ValueError(f"layer {self.index} takes {self.nin} inputs, got {len(x)}")
        if self.mask is not None:
            return [n(x) for n in self.neurons]
        # one drive per neuron, all on one shared vector of inputs; the array's numbers while the
        # neurons still hold its views (a neuron's weights may have been set to other Values)
        rows = [n._params for n in self.neurons]
        return _outputs(rows, x, self.bias, self._block if rows == self._rows else None,
                        self.activation, self._fn, self._z_labels, self._a_labels)

    def parameter_blocks(self) -> tuple[list[Block], list[Value]]:
        """This layer's array while its neurons hold its Params, else its parameters one by one."""
        if [n._params for n in self.neurons] == self._rows:
            return [self._block], []
        return super().parameter_blocks()

    def zero_grad(self) -> None:
        """Set the grad of every parameter to 0.0 (one array fill while the layer holds its block)."""
        if [n._params for n in self.neurons] == self._rows:
            self._block.zero_grad()
        else:
            super().zero_grad()

    @property
    def W(self) -> Matrix:
        """The weights as W[out][in] (PyTorch's layout); 0.0 where the mask has no connection."""
        rows = []
        for n in self.neurons:
            row = [0.0] * self.nin
            for i, w in zip(n.connections or range(self.nin), n.w):
                row[i] = w.data
            rows.append(row)
        return rows

    @property
    def b(self) -> list[float] | None:
        """The biases b[out], or None for a layer without them."""
        return [n.b.data for n in self.neurons if n.b is not None] if self.bias else None

    def set_weights(self, entry: Any, layout: str = "out_in") -> None:
        """Set this layer's weights from `entry` in `layout` ('out_in' or 'in_out', see nn.weights)."""
        W, b = layer_weights(entry, self.nin, self.nout, self.bias, layout, f"layer {self.index}")
        self._check_mask(W)
        self._assign(W, b)

    def _check_mask(self, W: Matrix) -> None:
        if self.mask is not None:  # a weight the mask leaves out must be 0, or the input is lost
            for j, (row, keep) in enumerate(zip(W, self.mask), 1):
                for i, (w, on) in enumerate(zip(row, keep), 1):
                    if not on and w != 0.0:
                        raise ValueError(f"layer {self.index}: W[{j}][{i}] = {w!r} but the mask has "
                                         "no connection there: set it to 0 or change the mask")

    def _assign(self, W: Matrix, b: list[float] | None) -> None:
        biases: list[float | None] = list(b) if b else [None] * self.nout
        for n, row, bj in zip(self.neurons, W, biases):
            for w, i in zip(n.w, n.connections or range(self.nin)):
                w.data = row[i]
            if bj is not None and n.b is not None:
                n.b.data = bj

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: `nin` inputs, then one layer per entry of `nouts`.

    activation: hidden layers' activation (a name, a function, or a list with one
    per hidden layer); output_activation: the last layer's. bias: whether neurons
    have biases. init: every weight (and every bias, unless bias_init is given) set
    to this constant instead of random.uniform(-1, 1) with zero biases. weights: one
    entry per layer in `layout` ('out_in' = PyTorch's W[out][in] with b[out]; 'in_out'
    = the documents' W^T x with the biases as the first row). mask: per layer, None or
    a 0/1 matrix [out][in] saying which inputs each neuron sees.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: Any = "relu",
                 output_activation: str | Activation = "linear", bias: bool = True, *,
                 init: float | None = None, bias_init: float | None = None,
                 weights: Sequence[Any] | None = None, layout: str = "out_in",
                 mask: Sequence[Any] | None = None) -> None:
        self.nin = _count(nin, "nin")
        nouts = [_count(n, "each entry of nouts") for n in _listed(nouts, "nouts")]
        if not nouts:
            raise ValueError("nouts must name at least one layer, e.g. MLP(2, [4, 1])")
        hidden = activation if isinstance(activation, (list, tuple)) else [activation] * (len(nouts) - 1)
        if len(hidden) != len(nouts) - 1:
            raise ValueError(f"activation lists {len(hidden)} activations for "
                             f"{len(nouts) - 1} hidden layers")
        masks = [None] * len(nouts) if mask is None else list(mask)
        if len(masks) != len(nouts):
            raise ValueError(f"mask has {len(masks)} entries for {len(nouts)} layers: "
                             "give one per layer (None for a dense layer)")
        sizes = [self.nin] + nouts
        acts = list(hidden) + [output_activation]
        self.layers = [Layer(sizes[k], sizes[k + 1], acts[k], bias, index=k + 1, mask=masks[k],
                             init=init, bias_init=bias_init) for k in range(len(nouts))]
        if weights is not None:
            self.set_weights(weights, layout)

    def forward(self, x: Any) -> list[Value]:
        """The network's outputs for input x, as a list (calling the MLP gives a single one as a Value)."""
        x = _inputs(x, self.nin, "the MLP")
        for layer in self.layers:
            x = layer._outputs(x)  # forward without looking at the inputs again
        return x

    def set_weights(self, weights: Sequence[Any], layout: str = "out_in") -> None:
        """Set every layer's weights (one entry per layer); on any error nothing changes."""
        entries = _listed(weights, "weights")
        if len(entries) != len(self.layers):
            raise ValueError(f"weights has {len(entries)} entries but the MLP has "
                             f"{len(self.layers)} layers: give one per layer")
        parsed = [layer_weights(e, lay.nin, lay.nout, lay.bias, layout, f"layer {lay.index}")
                  for e, lay in zip(entries, self.layers)]
        for layer, (W, _) in zip(self.layers, parsed):
            layer._check_mask(W)
        for layer, (W, b) in zip(self.layers, parsed):
            layer._assign(W, b)

    def state_dict(self) -> dict[str, Any]:
        """The model's shape and weights as a plain dict (see nn.state)."""
        return state.state_dict(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Set the weights from a state_dict of the same shape; on any error nothing changes."""
        state.load_state_dict(self, state_dict)

    @classmethod
    def from_state_dict(cls, state_dict: dict[str, Any], source: str = "the state") -> MLP:
        """A new MLP of the shape a state_dict describes, with its weights."""
        state.check(state_dict, source)
        state.buildable(state_dict, source)
        layers = state_dict["layers"]
        model = cls(state_dict["nin"], [e["nout"] for e in layers],
                    [e["activation"] for e in layers[:-1]], layers[-1]["activation"],
                    bias=layers[0]["bias"], init=0.0, mask=[e["mask"] for e in layers])
        state.load_state_dict(model, state_dict, source)
        return model

    def save(self, path: str | os.PathLike) -> None:
        """Write the model to `path` as JSON; nn.load(path) rebuilds it exactly."""
        state.save(self, path)

    def load(self, path: str | os.PathLike) -> MLP:
        """Set the weights from a file written by save(); on any error the model is unchanged."""
        return state.load_into(self, path)

    def to_torch(self, dtype: Any = None) -> Any:
        """An equivalent torch.nn.Sequential with the same weights (float64 unless dtype is given)."""
        return torch_bridge.to_torch(self, dtype)

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


def load(path: str | os.PathLike) -> MLP:
    """A new MLP rebuilt from a file written by save()."""
    return MLP.from_state_dict(state.read(path), str(path))


def from_torch(sequential: Any) -> MLP:
    """An MLP with the weights of a torch.nn.Sequential of Linear layers and Tanh/ReLU/Sigmoid/Identity."""
    return MLP.from_state_dict(torch_bridge.state_of(sequential), "the Sequential")


def _inputs(x: Any, nin: int, what: str) -> list[Value]:
    """x as a list of Values; plain numbers become leaves labelled x1, x2, ..."""
    if type(x) is list and len(x) == nin and set(map(type, x)) == {Value}:
        return x  # already Values (every example of a training loop): nothing to wrap
    if isinstance(x, Value) or isinstance(x, numbers.Real):
        x = [x]  # one input given bare, e.g. model(2.0) for a net with nin=1
    elif hasattr(x, "tolist") and not isinstance(x, list):
        x = list(x)
    elif isinstance(x, str) or not isinstance(x, Sequence):
        raise TypeError(f"{what} takes {nin} inputs as a list of numbers or Values, "
                        f"got {type(x).__name__}: {reprlib.repr(x)}")
    if len(x) != nin:
        raise ValueError(f"{what} takes {nin} inputs, got {len(x)}")
    return [v if isinstance(v, Value) else Value(v, labels.network_input(i))
            for i, v in enumerate(x, 1)]


def _mask(mask: Any, nin: int, nout: int, index: int) -> list[list[bool]] | None:
    if mask is None:
        return None
    if hasattr(mask, "tolist"):
        mask = mask.tolist()
    if not isinstance(mask, (list, tuple)) or not all(
            isinstance(r, (list, tuple)) or hasattr(r, "tolist") for r in mask):
        raise TypeError(f"layer {index}: mask must be None or {nout} rows of {nin} 0/1 entries "
                        f"(mask[out][in], 1 = connected), got {reprlib.repr(mask)}")
    rows = [list(r.tolist() if hasattr(r, "tolist") else r) for r in mask]
    shape = (len(rows), len({len(r) for r in rows}) == 1 and len(rows[0]) or -1)
    if shape != (nout, nin):
        raise ValueError(f"layer {index}: mask has shape {shape} but this layer needs "
                         f"({nout}, {nin}) (mask[out][in], 1 = connected)")
    for j, row in enumerate(rows, 1):
        for i, v in enumerate(row, 1):  # bool("no") is True: only 0, 1, False and True say it
            if not isinstance(v, numbers.Real) or v not in (0, 1):
                raise ValueError(f"layer {index}: mask[{j}][{i}] is {reprlib.repr(v)}: a mask holds "
                                 "1 (connected) or 0 (no connection)")
    return [[bool(v) for v in r] for r in rows]


def _count(n: Any, what: str) -> int:
    if isinstance(n, numbers.Integral) and not isinstance(n, bool) and int(n) > 0:
        return int(n)
    raise ValueError(f"{what} must be a whole number > 0, got {n!r}")


def _listed(obj: Any, what: str) -> list:
    if hasattr(obj, "tolist") and not isinstance(obj, list):
        return list(obj)
    if not isinstance(obj, (list, tuple)):
        raise TypeError(f"{what} must be a list, got {type(obj).__name__}: {obj!r}")
    return list(obj)
