"""A corpus of bad inputs: each fails at once, with a clear exception that names what was wrong.

One table, CASES. A row is Case(name, call, error, message): `call(tmp)` gets a fresh
folder for the files it needs, must raise `error` within SECONDS, and the error's
message must match the regular expression `message` (the key, value or path at
fault). error=None marks an input that must be accepted as it is, harmlessly (a
hostile title set as plain text): `message` then matches what `call` returns. A
row with risky=True (something that once hung or ate memory) runs in a child
process with a timeout, so a regression fails the test instead of hanging CI.
`prepare` runs before the clock starts (an import that takes seconds). Add an area's
rows to the table; nothing else needs to change.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import pathlib
import re
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from conftest import ROOT

import nn
from micrograd import Value
from micrograd.files import folder_atomically, write_atomically
from nn import state
from viz.draw.graph import draw_dot
from viz.draw.render import render
from viz.draw.tree import tree
from viz.explain.derivation import derivation
from viz.notation.document import Heading, Para, T, latex, tex_text, write

SECONDS = 3.0  # each case, measured; a hang in a risky one is cut off at 10 times this


class Case(NamedTuple):
    name: str
    call: Callable[[pathlib.Path], Any]
    error: type[BaseException] | None
    message: str
    risky: bool = False
    prepare: Callable[[], Any] | None = None  # run before the clock starts (importing torch takes seconds)


# ---- helpers the rows share ----------------------------------------------------------------

HEADER = {"format": state.FORMAT, "version": state.VERSION, "nin": 1}
GOOD_LAYER = {"nout": 1, "activation": "tanh", "bias": True, "mask": None, "W": [[0.5]], "b": [0.0]}


def saved(tmp: pathlib.Path, text: str | bytes | dict, name: str = "net.json") -> pathlib.Path:
    """A file at tmp/name holding `text` (a dict is written as JSON)."""
    path = tmp / name
    if isinstance(text, dict):
        text = json.dumps(text)
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return path


def one_layer(**changes: Any) -> dict:
    """A saved one-neuron model with some of its layer's keys changed."""
    return {**HEADER, "layers": [{**GOOD_LAYER, **changes}]}


def load_model(tmp: pathlib.Path, content: str | bytes | dict) -> nn.MLP:
    return nn.load(saved(tmp, content))


def relu(z: Value) -> Value:  # a user's own activation that happens to share the built-in's name
    return z.relu() + 0.01 * z


def diverged(tmp: pathlib.Path, bias: bool = False) -> None:
    """Save a model whose weight (or bias) went to NaN/inf over a good file; the good file must stay."""
    model = nn.MLP(1, [1], init=0.5)
    path = tmp / "net.json"
    model.save(path)
    good = path.read_text()
    if bias:
        model.layers[0].neurons[0].b.data = float("inf")
    else:
        model.layers[0].neurons[0].w[0].data = float("nan")
    try:
        model.save(path)
    finally:
        assert path.read_text() == good and nn.load(path).layers[0].W == [[0.5]]


def read_only(tmp: pathlib.Path) -> pathlib.Path:
    path = tmp / "kept.json"
    path.write_text("old")
    path.chmod(0o444)
    return path


def under_a_file(tmp: pathlib.Path, *rest: str) -> pathlib.Path:
    (tmp / "afile").write_text("x")
    return tmp.joinpath("afile", *rest)


def folder_with_a_folder_in_the_way(tmp: pathlib.Path) -> None:
    out = tmp / "out"
    (out / "solution.md").mkdir(parents=True)
    (out / "graph.svg").write_text("old")
    try:
        with folder_atomically(out) as work:
            (work / "graph.svg").write_text("new")
            (work / "solution.md").write_text("new")
    finally:
        assert (out / "graph.svg").read_text() == "old"  # nothing of the old folder changed


def chain(n: int) -> tuple[Value, Value]:
    w = Value(0.5, "w")
    y = w
    for _ in range(n):
        y = y + 0.1
    return y, w


def batch_loss() -> tuple[Value, Value]:
    """A batch-mode loss (micrograd.batch, three examples at once) and a weight of its model."""
    from micrograd.batch import columns
    model = nn.MLP(2, [2, 1], init=0.5)
    loss = model(columns([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]])).sum()
    loss.backward()
    return loss, model.parameters()[0]


@functools.cache
def long_chain() -> tuple[Value, Value]:
    return chain(300_000)  # 600,001 Values: 30 times max_nodes


def labelled_chain(n: int) -> Value:
    """nn-style labels on plain nodes, and no drive: a graph nothing can collapse."""
    y = Value(1.0, "a1^(1)")
    for _ in range(n):
        y = y + 1.0
    return y


def torch_or_skip() -> Any:
    return pytest.importorskip("torch")


def user_relu_module() -> Any:
    torch = torch_or_skip()

    class ReLU(torch.nn.Module):  # a user's module named like torch.nn.ReLU
        def forward(self, z: Any) -> Any:
            return z ** 3

    return torch.nn.Sequential(torch.nn.Linear(1, 1), ReLU())


def solve_into(out: pathlib.Path) -> Any:
    from viz.homework.problem_file import load, shipped
    from viz.homework.solve import solve
    return solve(load(shipped("seed_000")), out, diagrams=False)


def cli(*args: str | pathlib.Path) -> str:
    """`micrograd ARGS` run in this process: its exit status and what it wrote to stderr."""
    from viz.cli import main
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        status = main([str(a) for a in args])
    return f"{status} {errors.getvalue()}"


def with_a_folder_named_solution_md(tmp: pathlib.Path) -> pathlib.Path:
    (tmp / "out" / "solution.md").mkdir(parents=True)
    return tmp / "out"


def tex_title(title: str) -> str:
    return latex([Heading(1, title), Para(T(f"Source: `{title}`.", ""))])


# ---- the table -------------------------------------------------------------------------------

CASES = [
    # nn: building a network
    Case("MLP nin 0", lambda tmp: nn.MLP(0, [1]), ValueError, r"nin must be a whole number > 0, got 0"),
    Case("MLP nin 2.5", lambda tmp: nn.MLP(2.5, [1]), ValueError, r"nin .* got 2\.5"),
    Case("MLP nin True", lambda tmp: nn.MLP(True, [1]), ValueError, r"nin .* got True"),
    Case("MLP no layers", lambda tmp: nn.MLP(2, []), ValueError, r"nouts must name at least one layer"),
    Case("MLP nouts an int", lambda tmp: nn.MLP(2, 3), TypeError, r"nouts must be a list, got int"),
    Case("MLP a layer of 0", lambda tmp: nn.MLP(2, [0]), ValueError, r"each entry of nouts .* got 0"),
    Case("MLP too many activations", lambda tmp: nn.MLP(2, [2, 1], activation=["tanh", "relu"]),
         ValueError, r"activation lists 2 activations for 1 hidden layers"),
    Case("activation softmax", lambda tmp: nn.MLP(2, [1], output_activation="softmax"), ValueError,
         r"unknown activation 'softmax'.*cross_entropy"),
    Case("activation unknown name", lambda tmp: nn.MLP(2, [1], output_activation="gelu"), ValueError,
         r"unknown activation 'gelu': use one of 'tanh'"),
    Case("activation a number", lambda tmp: nn.Layer(2, 1, 5), ValueError, r"unknown activation 5"),
    Case("activation a list", lambda tmp: nn.Layer(2, 1, ["tanh"]), TypeError,
         r"an activation is a name or a function Value -> Value, got list: \['tanh'\]"),
    Case("activation a dict", lambda tmp: nn.MLP(2, [2, 1], activation={"a": 1}), TypeError,
         r"an activation is a name .* got dict"),
    Case("mask a number", lambda tmp: nn.MLP(2, [1], mask=[5]), TypeError,
         r"layer 1: mask must be None or 1 rows of 2 0/1 entries.*got 5"),
    Case("mask 'no'", lambda tmp: nn.MLP(2, [1], mask=[[["no", 1]]]), ValueError,
         r"layer 1: mask\[1\]\[1\] is 'no': a mask holds 1 \(connected\) or 0"),
    Case("mask 0.5", lambda tmp: nn.MLP(2, [1], mask=[[[1, 0.5]]]), ValueError, r"mask\[1\]\[2\] is 0\.5"),
    Case("mask 2", lambda tmp: nn.MLP(2, [1], mask=[[[1, 2]]]), ValueError, r"mask\[1\]\[2\] is 2"),
    Case("mask shape", lambda tmp: nn.MLP(2, [1], mask=[[[1, 0, 1]]]), ValueError,
         r"mask has shape \(1, 3\) but this layer needs \(1, 2\)"),
    Case("mask count", lambda tmp: nn.MLP(2, [1], mask=[None, None]), ValueError,
         r"mask has 2 entries for 1 layers"),
    Case("layout unknown", lambda tmp: nn.MLP(2, [1], weights=[([[1, 2]], [0])], layout="row"), ValueError,
         r"unknown layout 'row'"),
    Case("weights shape", lambda tmp: nn.MLP(2, [1], weights=[([[1, 2, 3]], [0])]), ValueError,
         r"layer 1: W has shape \(1, 3\) but this layer needs \(1, 2\)"),
    Case("weights NaN", lambda tmp: nn.MLP(2, [1], weights=[([[1, float("nan")]], [0])]), ValueError,
         r"layer 1: W\[1\] holds nan: weights must be finite"),
    Case("weights a string", lambda tmp: nn.MLP(2, [1], weights=[([[1, "x"]], [0])]), TypeError,
         r"layer 1: W\[1\] holds 'x', which is not a number"),
    Case("weights count", lambda tmp: nn.MLP(2, [1], weights=[([[1, 2]], [0])] * 2), ValueError,
         r"weights has 2 entries but the MLP has 1 layers"),
    Case("inputs count", lambda tmp: nn.MLP(2, [1])([1.0, 2.0, 3.0]), ValueError,
         r"the MLP takes 2 inputs, got 3"),
    Case("inputs None", lambda tmp: nn.MLP(2, [1])(None), TypeError,
         r"the MLP takes 2 inputs as a list of numbers or Values, got NoneType"),
    Case("inputs a string", lambda tmp: nn.MLP(1, [1])("a"), TypeError, r"got str: 'a'"),
    Case("inputs NaN", lambda tmp: nn.MLP(1, [1])([float("nan")]), ValueError, r"finite.*nan"),
    Case("neuron inputs", lambda tmp: nn.Neuron(2)([1.0]), ValueError,
         r"neuron 1 of layer 1 takes 2 inputs, got 1"),
    Case("neuron weights", lambda tmp: setattr(nn.Neuron(2), "w", [Value(1.0)]), ValueError,
         r"neuron 1 of layer 1 needs 2 Values as weights"),
    Case("label a number", lambda tmp: nn.MLP(1, [1])([Value(1.0, label=5)]), TypeError,
         r"a Value's label must be a str, got int: 5"),
    # nn: a user's activation named like a built-in is theirs, not ours
    Case("custom relu to torch", lambda tmp: nn.MLP(1, [1], output_activation=relu).to_torch(), ValueError,
         r"layer 1's activation 'custom relu' has no PyTorch module", prepare=torch_or_skip),
    Case("user ReLU module from torch", lambda tmp: nn.from_torch(user_relu_module()), ValueError,
         r"module 1 is ReLU: from_torch reads Linear, torch.nn's", prepare=torch_or_skip),
    Case("custom relu from a file", lambda tmp: nn.load(_saved_custom(tmp)), ValueError,
         r"layer 1 uses the custom activation 'custom relu', which a file cannot hold.*model\.load"),
    Case("custom relu into a built-in", lambda tmp: nn.MLP(1, [1], output_activation="relu").load(
        _saved_custom(tmp)), ValueError,
         r"layer 1 has activation 'custom relu' but the model's layer 1 has 'relu'"),
    Case("custom relu is called", lambda tmp: nn.MLP(1, [1], output_activation=relu, init=-1.0,
                                                    bias_init=-3.0)(1.0).data, None, r"^-0\.04$"),
    # nn: losses
    Case("bce target a list", lambda tmp: nn.binary_cross_entropy(0.3, [5]), TypeError,
         r"binary_cross_entropy needs a target that is one number, got list: \[5\]"),
    Case("bce target 5", lambda tmp: nn.binary_cross_entropy(0.3, 5), ValueError,
         r"binary_cross_entropy needs a target between 0 and 1 .* got 5"),
    Case("bce target -0.5", lambda tmp: nn.binary_cross_entropy(0.3, -0.5), ValueError, r"got -0\.5"),
    Case("bce target NaN", lambda tmp: nn.binary_cross_entropy(0.3, float("nan")), ValueError,
         r"needs a finite target, got nan"),
    Case("bce target a string", lambda tmp: nn.binary_cross_entropy(0.3, "1"), TypeError, r"got str: '1'"),
    Case("bce probability 1", lambda tmp: nn.binary_cross_entropy(1.0, 1), ValueError,
         r"probability strictly between 0 and 1, got 1\.0.*sigmoid"),
    Case("bce probability 0", lambda tmp: nn.binary_cross_entropy(Value(0.0), 0), ValueError, r"got 0\.0"),
    Case("hinge label 0", lambda tmp: nn.hinge(Value(0.3), 0), ValueError,
         r"hinge needs a label of \+1 or -1, got 0 \(for labels 0 and 1, use 2 \* t - 1\)"),
    Case("hinge label 2", lambda tmp: nn.hinge(Value(0.3), 2), ValueError, r"got 2"),
    Case("hinge label a string", lambda tmp: nn.hinge(Value(0.3), "1"), TypeError, r"hinge .* got str"),
    Case("cross_entropy class 3 of 3", lambda tmp: nn.cross_entropy([1.0, 2.0, 3.0], 3), ValueError,
         r"class index 3 is out of range for 3 logits \(0 to 2\)"),
    Case("cross_entropy class -1", lambda tmp: nn.cross_entropy([1.0, 2.0], -1), ValueError,
         r"class index -1 is out of range"),
    Case("cross_entropy class True", lambda tmp: nn.cross_entropy([1.0, 2.0], True), TypeError,
         r"class index \(0 to 1\) or a distribution, got True"),
    Case("cross_entropy class 1.0", lambda tmp: nn.cross_entropy([1.0, 2.0], 1.0), TypeError,
         r"got the number 1\.0"),
    Case("cross_entropy sum 0.9", lambda tmp: nn.cross_entropy([1.0, 2.0], [0.4, 0.5]), ValueError,
         r"the target \[0\.4, 0\.5\] must be a class index or a distribution"),
    Case("cross_entropy length", lambda tmp: nn.cross_entropy([1.0, 2.0, 3.0], [0.5, 0.5]), ValueError,
         r"the target has 2 entries but there are 3 logits"),
    Case("cross_entropy negative", lambda tmp: nn.cross_entropy([1.0, 2.0], [1.5, -0.5]), ValueError,
         r"distribution \(>= 0, summing to 1\)"),
    Case("cross_entropy a string", lambda tmp: nn.cross_entropy([1.0, 2.0], ["a", 1]), TypeError,
         r"cross_entropy needs a target that is one number, got str"),
    Case("cross_entropy no logits", lambda tmp: nn.cross_entropy([], 0), ValueError,
         r"cross_entropy needs at least one logit"),
    Case("softmax no logits", lambda tmp: nn.softmax([]), ValueError, r"softmax needs at least one logit"),
    Case("squares lengths", lambda tmp: nn.half_sum_squares([Value(1.0), Value(2.0)], [1.0]), ValueError,
         r"the prediction has 2 outputs but the target has 1"),
    Case("squares a string", lambda tmp: nn.sum_squares(Value(1.0), "a"), TypeError,
         r"must be a real number .* got str: 'a'"),
    Case("total of nothing", lambda tmp: nn.total([]), ValueError, r"total of no losses"),
    Case("mean of nothing", lambda tmp: nn.mean([]), ValueError, r"total of no losses"),
    # saved models: every shape is checked from the header before anything is built
    Case("file nout 1000000", lambda tmp: load_model(tmp, one_layer(nout=1_000_000)), ValueError,
         r"layer 1's \"nout\" must be a whole number from 1 to 100,000 \(nn.state.MAX_WIDTH\), got 1000000",
         risky=True),
    Case("file 10^10 weights", lambda tmp: load_model(tmp, {**HEADER, "nin": 100_000, "layers": [
        {**GOOD_LAYER, "nout": 100_000}]}), ValueError,
         r"describes a net of 10,000,100,000 weights and biases, more than .* \(1,000,000", risky=True),
    Case("file nout 100000, one weight", lambda tmp: load_model(tmp, one_layer(nout=100_000)), ValueError,
         r"layer 1: b has shape \(1,\) but the layer has 100000 neurons.*the header gives layer 1 100000",
         risky=True),
    Case("file activation a list", lambda tmp: load_model(tmp, one_layer(activation=["tanh"])), ValueError,
         r"layer 1's \"activation\" must be a name such as 'tanh', got \['tanh'\]"),
    Case("file activation a number", lambda tmp: load_model(tmp, one_layer(activation=3)), ValueError,
         r"\"activation\" must be a name .* got 3"),
    Case("file activation unknown", lambda tmp: load_model(tmp, one_layer(activation="gelu")), ValueError,
         r"layer 1 uses the custom activation 'gelu'"),
    Case("file mask 5", lambda tmp: load_model(tmp, one_layer(mask=5)), ValueError,
         r"layer 1: mask must be null or 1 rows of 1 0/1 entries .*got 5"),
    Case("file mask 'no'", lambda tmp: load_model(tmp, one_layer(mask=[["no"]])), ValueError,
         r"layer 1: mask\[1\]\[1\] is 'no': a mask holds 1 \(connected\) or 0"),
    Case("file mask 2", lambda tmp: load_model(tmp, one_layer(mask=[[2]])), ValueError,
         r"mask\[1\]\[1\] is 2"),
    Case("file mask 1.0", lambda tmp: load_model(tmp, one_layer(mask=[[1.0]])), ValueError,
         r"mask\[1\]\[1\] is 1\.0"),
    Case("file nested 100000 deep", lambda tmp: load_model(tmp, json.dumps(one_layer()).replace(
        '[[0.5]]', "[" * 100_000 + "]" * 100_000)), ValueError,
         r"is not a saved model: its JSON is nested too deeply to read", risky=True),
    Case("file nested 500 deep", lambda tmp: load_model(tmp,
         one_layer(W=[json.loads("[" * 500 + "]" * 500)])),
         ValueError, r"layer 1: W\[1\] holds \[\[\[.*\.\.\..*which is not a number"),
    Case("file NaN weight", lambda tmp: load_model(tmp, json.dumps(one_layer()).replace("0.5", "NaN")),
         ValueError, r"layer 1: W\[1\] holds nan: weights must be finite"),
    Case("file Infinity bias", lambda tmp: load_model(tmp, json.dumps(one_layer()).replace("0.0",
         "-Infinity")),
         ValueError, r"layer 1: b holds -inf: weights must be finite"),
    Case("file 5000 digits", lambda tmp: load_model(tmp, json.dumps(one_layer()).replace("0.5", "1" * 5000)),
         ValueError, r"net.json is not a saved model: Exceeds the limit \(4300 digits\)"),
    Case("file bias 'yes'", lambda tmp: load_model(tmp, one_layer(bias="yes")), ValueError,
         r"layer 1's \"bias\" must be true or false, got 'yes'"),
    Case("file nin 0", lambda tmp: load_model(tmp, {**one_layer(), "nin": 0}), ValueError,
         r"\"nin\" must be a whole number from 1 to 100,000 .* got 0"),
    Case("file nin a string", lambda tmp: load_model(tmp, {**one_layer(), "nin": "1"}), ValueError,
         r"\"nin\" must be a whole number .* got '1'"),
    Case("file nin missing", lambda tmp: load_model(tmp, {k: v for k,
         v in one_layer().items() if k != "nin"}),
         ValueError, r"is incomplete: it needs \"nin\" and a list of \"layers\""),
    Case("file no layers", lambda tmp: load_model(tmp, {**HEADER, "layers": []}), ValueError,
         r"is incomplete"),
    Case("file 1001 layers", lambda tmp: load_model(tmp, {**HEADER, "layers": [GOOD_LAYER] * 1001}),
         ValueError,
         r"has 1,001 layers, more than a saved model may have \(1,000, nn.state.MAX_LAYERS\)"),
    Case("file version 2", lambda tmp: load_model(tmp, {**one_layer(), "version": 2}), ValueError,
         r"has version 2; this code reads version 1"),
    Case("file another format", lambda tmp: load_model(tmp, {**one_layer(), "format": "keras"}), ValueError,
         r"is not a saved micrograd-lab MLP"),
    Case("file a list", lambda tmp: load_model(tmp, "[1, 2]"), ValueError,
         r"is not a saved micrograd-lab MLP"),
    Case("file truncated", lambda tmp: load_model(tmp, json.dumps(one_layer())[:40]), ValueError,
         r"net.json is not valid JSON \(.* at line 1\): the file is truncated"),
    Case("file binary", lambda tmp: load_model(tmp, b"\x89PNG\r\n\x1a\n\xff\xfe"), ValueError,
         r"is not a saved model: it is not even text"),
    Case("file missing a key", lambda tmp: load_model(tmp, {**HEADER, "layers": [
        {k: v for k, v in GOOD_LAYER.items() if k != "mask"}]}), ValueError,
         r"layer 1 is missing \['mask'\]"),
    Case("file layer a number", lambda tmp: load_model(tmp, {**HEADER, "layers": [7]}), ValueError,
         r"layer 1 is missing \['W', 'activation'"),
    Case("file W width", lambda tmp: load_model(tmp, one_layer(W=[[0.5, 0.5]])), ValueError,
         r"layer 1: W has shape \(1, 2\) but this layer needs \(1, 1\)"),
    Case("file b null", lambda tmp: load_model(tmp, one_layer(b=None)), ValueError,
         r"layer 1 has biases but b is None"),
    Case("file bias mixed", lambda tmp: load_model(tmp, {**HEADER, "layers": [
        GOOD_LAYER, {**GOOD_LAYER, "bias": False, "b": None}]}), ValueError, r"layers mix bias and no bias"),
    Case("file masked weight", lambda tmp: load_model(tmp, one_layer(mask=[[0]])), ValueError,
         r"W\[1\]\[1\] = 0\.5 but the mask has no connection there"),
    Case("file over 64 MB", lambda tmp: nn.load(_sparse(tmp, state.MAX_FILE_BYTES + 1)), ValueError,
         r"is 67,108,865 bytes, more than a saved model may be"),
    Case("file missing", lambda tmp: nn.load(tmp / "nope.json"), FileNotFoundError, r"nope\.json"),
    Case("file a folder", lambda tmp: nn.load(tmp), IsADirectoryError, re.escape("Is a directory")),
    Case("file of another shape", lambda tmp: nn.MLP(2, [1]).load(saved(tmp, one_layer())), ValueError,
         r"is for a net of shape 1 -> 1 but the model is 2 -> 1"),
    # saving: only a file that load() reads back, and never in a wrong place
    Case("save a NaN weight", lambda tmp: diverged(tmp), ValueError,
         r"cannot save to .*net.json: layer 1's weight W\[1\]\[1\] \(w11\^\(1\)\) is nan"
         r".*nothing was written"),
    Case("save an inf bias", lambda tmp: diverged(tmp, bias=True), ValueError,
         r"layer 1's bias b\[1\] \(b1\^\(1\)\) is inf"),
    Case("save into a missing folder", lambda tmp: nn.MLP(1, [1]).save(tmp / "nope" / "net.json"),
         FileNotFoundError, r"cannot write '.*nope/net.json': the folder '.*nope' does not exist"),
    Case("save over a folder", lambda tmp: nn.MLP(1, [1]).save(tmp), IsADirectoryError,
         r"there is a folder of that name"),
    Case("save over a read-only file", lambda tmp: nn.MLP(1, [1]).save(read_only(tmp)), PermissionError,
         r"cannot write '.*kept.json': the file is read-only"),
    Case("save under a file", lambda tmp: nn.MLP(1, [1]).save(under_a_file(tmp, "sub", "net.json")),
         NotADirectoryError, r"'.*afile' is a file, not a folder"),
    # writes: drawings, pages, solution folders
    Case("render a .bmp", lambda tmp: render("digraph {}", tmp / "g.bmp"), ValueError,
         r"unknown drawing format 'bmp'"),
    Case("render without a suffix", lambda tmp: render("digraph {}", tmp / "g"), ValueError,
         r"cannot tell the format of '.*g'"),
    Case("render over a folder", lambda tmp: render("digraph {}", _folder(tmp, "g.dot")), IsADirectoryError,
         r"cannot write '.*g.dot': there is a folder of that name"),
    Case("render under a file", lambda tmp: render("digraph {}", under_a_file(tmp, "sub", "g.dot")),
         NotADirectoryError, r"'.*afile' is a file, not a folder"),
    Case("write over a read-only file", lambda tmp: write_atomically(read_only(tmp), "new"), PermissionError,
         r"the file is read-only; make it writable"),
    Case("folder over a file", lambda tmp: _enter(folder_atomically(saved(tmp, "x", "out"))),
         NotADirectoryError,
         r"cannot write into '.*out': it is a file; give a folder"),
    Case("folder with solution.md a folder", folder_with_a_folder_in_the_way, IsADirectoryError,
         r"cannot write '.*out/solution.md': there is a folder of that name"),
    Case("folder a dangling link", lambda tmp: _enter(folder_atomically(_dangling(tmp))), FileNotFoundError,
         r"it is a symbolic link to '.*gone', which does not exist"),
    Case("solve under a file", lambda tmp: solve_into(under_a_file(tmp, "sub")), NotADirectoryError,
         r"cannot write '.*afile/sub': '.*afile' is a file, not a folder"),
    Case("solve into a file", lambda tmp: solve_into(saved(tmp, "x", "out")), NotADirectoryError,
         r"'.*out': it is a file; give a folder"),
    Case("cli solve -o afile/sub", lambda tmp: cli("solve", "seed_000", "--no-diagrams", "-o",
                                                   under_a_file(tmp, "sub")), None,
         r"^2 micrograd: error: cannot write '.*afile/sub': '.*afile' is a file, not a folder\n$"),
    Case("cli solve -o a file", lambda tmp: cli("solve", "seed_000", "--no-diagrams", "-o",
                                                saved(tmp, "x", "out")), None,
         r"^2 micrograd: error: cannot write into '.*out': it is a file; give a folder\n$"),
    Case("cli solve, solution.md a folder", lambda tmp: cli("solve", "seed_000", "--no-diagrams", "-o",
                                                            with_a_folder_named_solution_md(tmp)), None,
         r"^2 micrograd: error: cannot write '.*out/solution.md': there is a folder of that name"),
    Case("document format pdf", lambda tmp: write([], "pdf"), ValueError, r"unknown format 'pdf'"),
    # LaTeX: hostile text is accepted and set as plain text, never run
    Case("tex title \\input", lambda tmp: tex_title(r"\input /etc/passwd \relax"), None,
         re.escape(r"\title{\textbackslash{}input /etc/passwd \textbackslash{}relax}")),
    Case("tex source $\\input$", lambda tmp: tex_title(r"$\input{/etc/hostname}$"), None,
         re.escape(r"\texttt{\$\textbackslash{}input\{/etc/hostname\}\$}")),
    Case("tex C:\\temp", lambda tmp: tex_text(r"Files in C:\temp"), None,
         re.escape(r"C:\textbackslash{}temp")),
    Case("tex ^^5c", lambda tmp: tex_text("^^5cinput"), None,
         r"^\\textasciicircum\{\}\\textasciicircum\{\}5cinput$"),
    Case("tex maths not ours", lambda tmp: latex([Para(T(r"a $\def\x{1}$ b", ""))]), None,
         re.escape(r"a \$\textbackslash{}def\textbackslash{}x\{1\}\$ b")),
    # derivations and drawings of graphs too big, or of the wrong kind
    Case("derivation past max_nodes", lambda tmp: derivation(*chain(10), max_nodes=20), ValueError,
         r"the loss's graph has more than max_nodes=20 Values: .* pass a larger max_nodes"),
    Case("derivation max_nodes 0", lambda tmp: derivation(*chain(2), max_nodes=0), ValueError,
         r"max_nodes must be a whole number > 0, got 0"),
    Case("derivation of a number", lambda tmp: derivation(3.0, "w"), TypeError,
         r"derivation needs the loss as a Value, got float"),
    Case("derivation no such label", lambda tmp: derivation(chain(2)[0], "nope"), ValueError,
         r"no node labelled 'nope' in the loss's graph"),
    Case("derivation not in the graph", lambda tmp: derivation(chain(2)[0], Value(1.0, "q")), ValueError,
         r"is not in the loss's graph"),
    Case("derivation format", lambda tmp: derivation(*chain(2), format="latex"), ValueError,
         r"format must be 'markdown' .* got 'latex'"),
    Case("derivation 6e5 Values", lambda tmp: derivation(*long_chain()), ValueError,
         r"has more than max_nodes=20000 Values", risky=True, prepare=long_chain),
    Case("draw_dot too big, nothing to collapse", lambda tmp: draw_dot(labelled_chain(300)), ValueError,
         r"^(?!.*collapse).*has 601 Values, more than max_nodes=500: pass max_nodes=601"),
    Case("draw_dot collapse what cannot", lambda tmp: draw_dot(labelled_chain(3), collapse="neuron"),
         ValueError, r"collapse='neuron' needs a graph built by nn"),
    Case("draw_dot of a number", lambda tmp: draw_dot(3.0), TypeError,
         r"draw_dot draws a Value's graph, got float"),
    Case("draw_dot collapse 'x'", lambda tmp: draw_dot(Value(1.0), collapse="x"), ValueError,
         r"collapse='x' is not a view"),
    Case("draw_dot rankdir", lambda tmp: draw_dot(Value(1.0), rankdir="UP"), ValueError,
         r"rankdir must be 'LR', 'RL', 'TB' or 'BT', got 'UP'"),
    Case("draw_dot of a batch", lambda tmp: draw_dot(batch_loss()[0]), ValueError,
         r"^draw_dot shows one number per node, and this is a batch-mode graph .* model\(\[x1, x2\]\)"),
    Case("tree of a batch", lambda tmp: tree(batch_loss()[0]), ValueError,
         r"^tree shows one number per node, and this is a batch-mode graph .* viz.draw_network\(model\)"),
    Case("derivation of a batch", lambda tmp: derivation(*batch_loss()), ValueError,
         r"^derivation shows one number per node, and this is a batch-mode graph"),
]


def _saved_custom(tmp: pathlib.Path) -> pathlib.Path:
    path = tmp / "custom.json"
    nn.MLP(1, [1], output_activation=relu).save(path)
    return path


def _sparse(tmp: pathlib.Path, size: int) -> pathlib.Path:
    path = tmp / "big.json"
    with open(path, "wb") as out:
        out.truncate(size)  # no disk used: a file that only says how big it is
    return path


def _folder(tmp: pathlib.Path, name: str) -> pathlib.Path:
    (tmp / name).mkdir()
    return tmp / name


def _dangling(tmp: pathlib.Path) -> pathlib.Path:
    (tmp / "out").symlink_to(tmp / "gone")
    return tmp / "out"


def _enter(manager: Any) -> None:
    with manager:
        pass


def outcome(case: Case, tmp: pathlib.Path) -> tuple[str, str, float]:
    """(the exception's type name or 'returned', its message or the result, seconds taken)."""
    if case.prepare is not None:
        case.prepare()
    start = time.perf_counter()
    try:
        result = case.call(tmp)
    except Exception as error:
        return type(error).__name__, str(error), time.perf_counter() - start
    return "returned", str(result), time.perf_counter() - start


RUNNER = """
import json, pathlib, sys
sys.path[:0] = [sys.argv[3], str(pathlib.Path(sys.argv[3]).parent)]
import test_bad_inputs as corpus
case = {c.name: c for c in corpus.CASES}[sys.argv[1]]
print(json.dumps(corpus.outcome(case, pathlib.Path(sys.argv[2]))))
"""


def test_the_corpus_is_big_and_its_names_unique():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)) and len(names) >= 80


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_input_fails_at_once_with_a_clear_error(case: Case, tmp_path: pathlib.Path):
    if case.risky:
        done = subprocess.run([sys.executable, "-c", RUNNER, case.name, str(tmp_path),
                               str(pathlib.Path(__file__).parent)], cwd=ROOT, capture_output=True,
                              text=True, timeout=10 * SECONDS + 10, env={**os.environ,
         "PYTHONPATH": str(ROOT)})
        assert done.returncode == 0, done.stderr[-3000:]
        kind, message, seconds = json.loads(done.stdout.splitlines()[-1])
    else:
        kind, message, seconds = outcome(case, tmp_path)
    want = "returned" if case.error is None else case.error.__name__
    assert kind == want, f"{case.name}: wanted {want}, got {kind}: {message[:500]}"
    assert re.search(case.message, message), f"{case.name}: {message[:500]!r} does not match {case.message!r}"
    assert "Traceback" not in message and len(message) < 1000  # one clear line, not a dump
    assert seconds < SECONDS, f"{case.name} took {seconds:.1f} s"
