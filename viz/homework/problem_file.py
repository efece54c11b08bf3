"""Problem files: a homework sheet's network, weights, data, loss and learning rate, in TOML.

`load(path)` reads and checks a file and returns a `Problem`; every mistake is one
`ProblemError` naming the file, the key and what was expected. The keys are
documented in `viz/homework/problems/template.toml`; the seed documents are shipped as
`viz/homework/problems/seed_000.toml` ... `seed_004.toml` (`shipped(name)` finds them).
"""

from __future__ import annotations

import difflib
import math
import pathlib
import sys
from typing import Any, NoReturn, TypeGuard

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib

from viz.homework import formula
from viz.homework.problem import (
    ACTIVATIONS,
    DECAY_FORMS,
    DELTA_SIGNS,
    ERROR_SIGNS,
    LAYOUTS,
    LOSSES,
    MODES,
    OPTIMIZERS,
    UPDATE_FORMS,
    Conventions,
    Graph,
    Layer,
    Optimizer,
    Problem,
    ProblemError,
)

TOP_KEYS = ("title", "source", "x", "target", "loss", "lr", "steps", "reduction", "mode", "optimizer",
            "momentum", "betas", "eps", "weight_decay", "weight_decay_form", "decay_biases", "conventions",
            "differs", "network", "layer", "graph",
            "variants")  # [variants] belongs to viz.homework's variants module: accepted, not read here
NETWORK_KEYS = ("layout", "activation", "bias", "shared_bias", "weights", "biases")
LAYER_KEYS = ("neurons", "activation", "bias", "shared_bias", "weights", "biases")
CONVENTION_KEYS = ("delta", "error", "bias_input", "update")
GRAPH_KEYS = ("inputs", "parameters", "formulas", "loss", "output")
PROBLEMS = pathlib.Path(__file__).with_name("problems")


def shipped(name: str) -> pathlib.Path:
    """The path of a problem file shipped with the package: 'seed_004' or 'seed_004.toml'."""
    path = PROBLEMS / (name if name.endswith(".toml") else name + ".toml")
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PROBLEMS.glob("*.toml")))
        raise ProblemError(f"no shipped problem named {name!r}; shipped: {known}")
    return path


def load(path: str | pathlib.Path) -> Problem:
    """Read and check a problem file."""
    path = pathlib.Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProblemError(f"{path}: cannot read the problem file ({error.strerror or error})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProblemError(f"{path}: not valid TOML: {error}") from None
    return parse(data, str(path))


def parse(data: dict, path: str = "<problem>") -> Problem:
    """Check a problem already read from TOML into dicts and lists."""
    where = _Where(path)
    where.known(data, TOP_KEYS, "")
    problem = Problem(path=path, title=where.text(data, "title", default=pathlib.Path(path).stem))
    problem.source = where.text(data, "source", default="")
    problem.lr = where.number(data, "lr", default=None)
    problem.steps = where.count(data, "steps", default=1)
    problem.reduction = where.choice(data, "reduction", ("sum", "mean"), default="sum")
    problem.mode = where.choice(data, "mode", tuple(MODES), default="batch")
    if problem.steps > 1 and problem.lr is None:
        where.fail("steps", f"{problem.steps} steps need a learning rate: add `lr = ...`")
    problem.optimizer = _optimizer(data, problem.lr, where)
    _decay(data, problem, where)
    problem.conventions = _conventions(data, where)
    problem.differs = _differs(data, where)
    if "graph" in data:
        for key in ("network", "layer", "x", "target", "loss"):
            if key in data:
                where.fail(key, "not used with [graph]: a graph's inputs, targets and loss are in [graph]")
        if "weight_decay" in data:
            where.fail("weight_decay", 'a network ([[layer]]); a [graph] writes its penalty as a formula, '
                       'e.g. L = "E + 0.005*(w1**2 + w2**2)"')
        if problem.mode == "online":
            where.fail("mode", "'online' takes the examples in x one at a time; a [graph] has one example")
        c = problem.conventions
        for key, value in (("delta", c.delta != "dL/dz"), ("error", c.error), ("bias_input", c.bias_input)):
            if value:
                where.fail(f"conventions.{key}",
                           "only for a network ([[layer]]): a [graph] names its own values")
        problem.graph = _graph(data["graph"], where)
        problem.loss = problem.graph.loss
        return problem
    if "layer" not in data:
        where.fail("layer", "a network needs [[layer]] tables (or a [graph] of formulas)")
    problem.loss = where.choice(data, "loss", tuple(LOSSES), default=None)
    problem.x = _examples(data, "x", where)
    problem.target = _examples(data, "target", where)
    if len(problem.x) != len(problem.target):
        where.fail("target", f"{len(problem.target)} target(s) for {len(problem.x)} example(s) in x")
    _inputs_fit(data, len(problem.x[0]), where)
    problem.layers, problem.layout = _layers(data, len(problem.x[0]), where)
    if "steps" not in data and problem.mode == "online" and problem.lr is not None:
        problem.steps = len(problem.x)  # one pass over the examples, one update each
    has_bias = problem.layers[0].biases is not None
    if problem.conventions.bias_input is not None and not has_bias:
        where.fail("conventions.bias_input", "a network with biases: this one has bias = false")
    if problem.decay_biases and not has_bias:
        where.fail("decay_biases", "a network with biases: this one has bias = false")
    nout = len(problem.layers[-1].weights)
    for row in problem.target:
        if len(row) != nout:
            where.fail("target", f"each target needs {nout} number(s), one per output neuron, got {len(row)}")
    return problem


def _layers(data: dict, nin: int, where: _Where) -> tuple[list[Layer], str]:
    net = data.get("network", {})
    if not isinstance(net, dict):
        where.fail("network", "a table: [network]")
    where.known(net, NETWORK_KEYS, "network.")
    layout = where.choice(net, "layout", tuple(LAYOUTS), default="out_in", prefix="network.")
    tables = data["layer"]
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        where.fail("layer", "one [[layer]] table per layer")
    layers = []
    for n, table in enumerate(tables, 1):
        prefix = f"layer[{n}]."
        where.known(table, LAYER_KEYS, prefix)
        merged = {**net, **table}
        neurons = where.count(table, "neurons", prefix=prefix)
        act = where.choice(merged, "activation", ACTIVATIONS, default=None, prefix=prefix)
        has_bias = merged.get("bias", True)
        if not isinstance(has_bias, bool):
            where.fail(prefix + "bias", f"true or false (whether the layer has biases), got {has_bias!r}")
        shared = merged.get("shared_bias", False)
        if not isinstance(shared, bool):
            where.fail(prefix + "shared_bias",
                       f"true or false (one bias for all the layer's neurons), got {shared!r}")
        if shared and not has_bias:
            where.fail(prefix + "shared_bias", "a layer with a bias: this one has bias = false")
        weights, biases = _weights(merged, layout, has_bias, nin, neurons, where, prefix)
        if shared and biases is not None and len(set(biases)) > 1:
            where.fail(prefix + "biases",
                       f"one number: the layer shares one bias (shared_bias = true), got {biases}")
        layers.append(Layer(act, weights, biases, shared))
        nin = neurons
    return layers, layout


def _weights(table: dict, layout: str, has_bias: bool, nin: int, nout: int, where: _Where, prefix: str):
    """The layer's weights as [out][in] and its biases, from either layout or a constant."""
    given = table.get("weights")
    if given is None:
        shape = _shape(layout, nin, nout, has_bias)
        where.fail(prefix + "weights", f"the layer's weights: a matrix ({shape}), or one number for all")
    biases = None
    if _is_number(given):
        weights = [[float(given)] * nin for _ in range(nout)]
    else:
        rows = _matrix(given, where, prefix + "weights")
        want = _shape(layout, nin, nout, has_bias)
        if layout == "out_in":
            if len(rows) != nout or any(len(r) != nin for r in rows):
                where.fail(prefix + "weights", f"{want}, got {_dims(rows)}")
            weights = rows
        else:
            extra = 1 if has_bias else 0
            if len(rows) != nin + extra or any(len(r) != nout for r in rows):
                where.fail(prefix + "weights", f"{want}, got {_dims(rows)}")
            weights = [[rows[i + extra][j] for i in range(nin)] for j in range(nout)]
            if has_bias:
                biases = list(rows[0])
    if not has_bias:
        if "biases" in table:
            where.fail(prefix + "biases", "the layer has bias = false: remove `biases` or set bias = true")
        return weights, None
    if biases is not None:
        if "biases" in table:
            where.fail(prefix + "biases", "layout 'in_out' takes the biases from row 0 of weights")
        return weights, biases
    b = table.get("biases", 0.0)
    if _is_number(b):
        return weights, [float(b)] * nout
    if not isinstance(b, list) or len(b) != nout or not all(_is_number(v) for v in b):
        where.fail(prefix + "biases", f"{nout} number(s), one per neuron, or one number for all, got {b!r}")
    return weights, [float(v) for v in b]


def _optimizer(data: dict, lr: float | None, where: _Where) -> Optimizer:
    """optimizer = "sgd" (with momentum) or "adam" (with betas and eps), checked against each other."""
    name = where.choice(data, "optimizer", OPTIMIZERS, default="sgd")
    own = {"sgd": ("momentum",), "adam": ("betas", "eps")}
    for key in ("momentum", "betas", "eps"):
        if key in data and key not in own[name]:
            other = "sgd" if name == "adam" else "adam"
            where.fail(key, f"a key of optimizer = {other!r}; this file's optimizer is {name!r}")
    if lr is None:
        for key in ("optimizer", "momentum", "betas", "eps"):
            if key in data:
                where.fail(key, "a learning rate with it: an optimizer acts in updates; add `lr = ...`")
    result = Optimizer(name)
    if "momentum" in data:
        result.momentum = where.fraction(data, "momentum")
    if "betas" in data:
        betas = data["betas"]
        if not (isinstance(betas, list) and len(betas) == 2
                and all(_is_number(b) and 0 <= b < 1 for b in betas)):
            where.fail("betas", f"two numbers in [0, 1), [beta1, beta2], e.g. [0.9, 0.999]; got {betas!r}")
        result.betas = (float(betas[0]), float(betas[1]))
    if "eps" in data:
        result.eps = float(where.number(data, "eps", default=None) or 0.0)
    return result


def _decay(data: dict, problem: Problem, where: _Where) -> None:
    """weight_decay (lambda), the penalty's form stated in weight_decay_form, and decay_biases."""
    if "weight_decay" not in data:
        for key in ("weight_decay_form", "decay_biases"):
            if key in data:
                where.fail(key, "a penalty to describe: add `weight_decay = lambda` (e.g. 0.01)")
        return
    value = data["weight_decay"]
    if not _is_number(value) or value < 0:
        where.fail("weight_decay", f"a number >= 0 (the L2 penalty's lambda), got {value!r}")
    forms = " or ".join(f"{k!r} ({v})" for k, v in DECAY_FORMS.items())
    if "weight_decay_form" not in data:
        where.fail("weight_decay_form", f"which penalty lambda = {value} is the lambda of: {forms}")
    problem.weight_decay = float(value)
    problem.decay_form = where.choice(data, "weight_decay_form", tuple(DECAY_FORMS), default=None)
    biases = data.get("decay_biases", False)
    if not isinstance(biases, bool):
        where.fail("decay_biases",
                   f"true (the penalty takes the biases too) or false (weights only), got {biases!r}")
    problem.decay_biases = biases


def _conventions(data: dict, where: _Where) -> Conventions:
    """[conventions]: how the sheet writes delta, the error, a bias and the update."""
    table = data.get("conventions", {})
    if not isinstance(table, dict):
        where.fail("conventions", "a table: [conventions] with delta, error, bias_input, update")
    where.known(table, CONVENTION_KEYS, "conventions.")
    result = Conventions()
    result.delta = where.choice(table, "delta", DELTA_SIGNS, default="dL/dz", prefix="conventions.")
    if "error" in table:
        result.error = where.choice(table, "error", ERROR_SIGNS, default=None, prefix="conventions.")
    if "bias_input" in table:
        value = table["bias_input"]
        if not _is_number(value) or value not in (1, -1):
            where.fail("conventions.bias_input",
                       f"1 or -1 (the constant input x0 whose weight is the bias), got {value!r}")
        result.bias_input = float(value)
    result.update = where.choice(table, "update", tuple(UPDATE_FORMS), default="subtract",
                                 prefix="conventions.")
    return result


def _differs(data: dict, where: _Where) -> list[str]:
    """differs: where the source document's numbers are not the exact ones, one sentence each."""
    value = data.get("differs", [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        where.fail("differs",
                   f"a list of sentences in quotes, one per place the document differs, got {value!r}")
    return [v.strip() for v in value]


def _graph(table: object, where: _Where) -> Graph:
    if not isinstance(table, dict):
        where.fail("graph", "a table: [graph] with inputs, parameters, formulas and loss")
    where.known(table, GRAPH_KEYS, "graph.")
    values: dict[str, dict[str, Any]] = {}
    for key in ("inputs", "parameters", "formulas"):
        sub = table.get(key, {})
        if not isinstance(sub, dict) or (key == "formulas" and not sub):
            what = 'name = "expression"' if key == "formulas" else "name = number"
            where.fail(f"graph.{key}", f"a table [graph.{key}] of {what}")
        for name, value in sub.items():
            ok = isinstance(value, str) if key == "formulas" else _is_number(value)
            if not ok:
                what = "a formula in quotes" if key == "formulas" else "a number"
                where.fail(f"graph.{key}.{name}", f"{what}, got {value!r}")
            try:
                formula.check_name(name, f"[graph.{key}]")
            except formula.FormulaError as error:
                where.fail(f"graph.{key}.{name}", str(error))
        values[key] = {k: (v if key == "formulas" else float(v)) for k, v in sub.items()}
    clash = set(values["inputs"]) & set(values["parameters"])
    if clash:
        where.fail("graph.parameters", f"{sorted(clash)} are also inputs: a name is an input or a parameter")
    loss = table.get("loss")
    if loss not in values["formulas"]:
        names = list(values["formulas"])
        where.fail("graph.loss", f"the name of the formula that is the loss, one of {names}; got {loss!r}")
    output = table.get("output")
    if output is not None and output not in values["formulas"]:
        names = list(values["formulas"])
        where.fail("graph.output", f"the name of the formula that is the output, one of {names}")
    defined = set(values["inputs"]) | set(values["parameters"])
    for name, expr in values["formulas"].items():
        try:
            used = formula.names_used(expr, f"formula `{name} = {expr}`")
        except formula.FormulaError as error:
            where.fail(f"graph.formulas.{name}", str(error))
        for u in used:
            if u not in defined:
                later = " (it is defined later: move its formula up)" if u in values["formulas"] else ""
                where.fail(f"graph.formulas.{name}", f"names defined above it; {u!r} is not{later}")
        if name in defined:
            where.fail(f"graph.formulas.{name}", f"a new name: {name!r} is defined already")
        defined.add(name)
    return Graph(values["inputs"], values["parameters"], values["formulas"], loss, output)


def _inputs_fit(data: dict, nin: int, where: _Where) -> None:
    """x and the first layer's weights disagree on the inputs: say so on x, naming both ways to fix it."""
    net = data.get("network")
    first = data["layer"][0] if isinstance(data["layer"], list) and data["layer"] else None
    table: dict = {**(net if isinstance(net, dict) else {}), **(first if isinstance(first, dict) else {})}
    rows = table.get("weights")
    if not (isinstance(rows, list) and rows and all(isinstance(r, list) and r for r in rows)):
        return  # one number for every weight, or a malformed matrix that _weights reports
    if len({len(r) for r in rows}) != 1:
        return
    in_out = table.get("layout", "out_in") == "in_out"
    bias = 1 if in_out and table.get("bias", True) is True else 0
    takes = len(rows) - bias if in_out else len(rows[0])
    if takes != nin:
        want = f"{nin + bias} row(s)" if in_out else f"{nin} column(s)"
        where.fail("x", f"as many numbers per example as layer 1's weights take: {takes}, got {nin} "
                   f"(fix x, or give layer[1].weights {want} for {nin} input(s))")


def _examples(data: dict, key: str, where: _Where) -> list[list[float]]:
    """x or target: a number, a list (one example) or a list of lists (several)."""
    value = data.get(key)
    if value is None:
        where.fail(key, "the network's input(s)" if key == "x" else "the target(s)")
    if _is_number(value):
        return [[float(value)]]
    if isinstance(value, list) and value and all(_is_number(v) for v in value):
        return [[float(v) for v in value]]
    rows = _matrix(value, where, key)
    if len({len(r) for r in rows}) != 1:
        where.fail(key, f"every example needs the same number of values, got {_dims(rows)}")
    return rows


def _matrix(value: object, where: _Where, key: str) -> list[list[float]]:
    if not isinstance(value, list) or not value or not all(
        isinstance(r, list) and r and all(_is_number(v) for v in r) for r in value
    ):
        where.fail(key, f"a list of rows of numbers, e.g. [[1, 2], [3, 4]], got {value!r}")
    return [[float(v) for v in row] for row in value]


def _shape(layout: str, nin: int, nout: int, has_bias: bool) -> str:
    if layout == "out_in":
        return f"{nout} row(s) of {nin} (one row per neuron, layout 'out_in')"
    rows = nin + (1 if has_bias else 0)
    first = ", row 0 the biases" if has_bias else ""
    return f"{rows} row(s) of {nout} (one column per neuron{first}, layout 'in_out')"


def _dims(rows: list) -> str:
    lengths = sorted({len(r) for r in rows})
    return f"{len(rows)} row(s) of {'/'.join(map(str, lengths))}"


def _is_number(v: object) -> TypeGuard[int | float]:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


class _Where:
    """Builds the one-line errors: file, key, what was expected."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, expected: str) -> NoReturn:
        raise ProblemError(f"{self.path}: key '{key}': expected {expected}")

    def known(self, table: dict, keys: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1)
                hint = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
                self.fail(prefix + key, f"one of {', '.join(keys)}: this key is unknown{hint}")

    def text(self, table: dict, key: str, default: str) -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            self.fail(key, f"text in quotes, got {value!r}")
        return value

    def number(self, table: dict, key: str, default: float | None) -> float | None:
        value = table.get(key, default)
        if value is not None and (not _is_number(value) or value <= 0):
            self.fail(key, f"a number > 0, got {value!r}")
        return None if value is None else float(value)

    def fraction(self, table: dict, key: str) -> float:
        value = table.get(key)
        if not _is_number(value) or not 0 <= value < 1:
            self.fail(key, f"a number in [0, 1) (e.g. 0.9), got {value!r}")
        return float(value)

    def count(self, table: dict, key: str, default: int | None = None, prefix: str = "") -> int:
        value = table.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.fail(prefix + key, f"a whole number >= 1, got {value!r}")
        return value

    def choice(self, table: dict, key: str, options: tuple, default: str | None, prefix: str = "") -> str:
        value = table.get(key, default)
        if value not in options:
            close = difflib.get_close_matches(str(value), options, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            got = "nothing" if value is None else repr(value)
            self.fail(prefix + key, f"one of {', '.join(options)}, got {got}{hint}")
        return str(value)  # one of the options, all of them text
