"""The problem-file keys for updates and conventions: each bad value is one ProblemError naming
the file, the key and what was expected; each good one changes the run as a hand calculation says.
"""

import math
import re

import pytest

from viz.homework.problem_file import ProblemError, parse, tomllib
from viz.homework.run import Model
from viz.homework.solve import text

BASE = """
x = [1, -2]
target = [1]
loss = "half-squared-error"
lr = 0.5
{extra}
[network]
activation = "sigmoid"
[[layer]]
neurons = 2
weights = [[0.5, -0.3], [0.2, 0.8]]
biases = [0.1, -0.1]
{layer}
[[layer]]
neurons = 1
weights = [[0.7, -0.4]]
biases = [0.05]
"""


def problem(extra: str = "", layer: str = ""):
    return parse(tomllib.loads(BASE.format(extra=extra, layer=layer)), "sheet.toml")


@pytest.mark.parametrize("extra, layer, key, expected", [
    ('optimizer = "rmsprop"', "", "optimizer", "one of sgd, adam"),
    ("momentum = 1.2", "", "momentum", r"a number in \[0, 1\)"),
    ('optimizer = "adam"\nmomentum = 0.9', "", "momentum", "a key of optimizer = 'sgd'"),
    ("betas = [0.9, 0.999]", "", "betas", "a key of optimizer = 'adam'"),
    ('optimizer = "adam"\nbetas = [0.9]', "", "betas", r"two numbers in \[0, 1\)"),
    ('optimizer = "adam"\neps = -1', "", "eps", "a number > 0"),
    ("weight_decay = 0.01", "", "weight_decay_form", "which penalty lambda = 0.01 is the lambda of"),
    ("weight_decay = -1\nweight_decay_form = \"lambda sum w^2\"", "", "weight_decay", "a number >= 0"),
    ('weight_decay = 0.1\nweight_decay_form = "lambda w^2"', "", "weight_decay_form",
     "one of 1/2 lambda sum w\\^2, lambda sum w\\^2"),
    ("decay_biases = true", "", "decay_biases", "a penalty to describe"),
    ('mode = "stochastic"', "", "mode", "one of batch, online"),
    ("[conventions]\nbias_input = 2", "", "conventions.bias_input", "1 or -1"),
    ('[conventions]\ndelta = "dE/dz"', "", "conventions.delta", "one of dL/dz, -dL/dz"),
    ('[conventions]\nerror = "y-t"', "", "conventions.error", "one of y - t, t - y"),
    ('[conventions]\nupdate = "add"', "", "conventions.update", "one of subtract, delta"),
    ('[conventions]\nsign = "-"', "", "conventions.sign", "one of delta, error, bias_input, update: this"),
    ("differs = [1]", "", "differs", "a list of sentences in quotes"),
    ("", "shared_bias = 1", "layer[1].shared_bias", "true or false"),
    ("", "shared_bias = true", "layer[1].biases", "one number: the layer shares one bias"),
])
def test_every_bad_value_names_the_file_the_key_and_what_was_expected(extra, layer, key, expected):
    if extra.startswith("["):  # a table must come after the top-level keys
        text_ = BASE.format(extra="", layer=layer).replace("[network]", extra + "\n[network]")
    else:
        text_ = BASE.format(extra=extra, layer=layer)
    with pytest.raises(ProblemError, match=f"^sheet.toml: key {re.escape(repr(key))}: expected {expected}"):
        parse(tomllib.loads(text_), "sheet.toml")


def test_an_optimizer_without_a_learning_rate_is_named():
    text_ = BASE.format(extra='optimizer = "adam"', layer="").replace("lr = 0.5\n", "")
    with pytest.raises(ProblemError, match="key 'optimizer': expected a learning rate with it"):
        parse(tomllib.loads(text_), "sheet.toml")


def test_a_graph_states_its_penalty_as_a_formula_and_has_no_online_mode():
    graph = '[graph]\nloss = "L"\n[graph.parameters]\nw = 1\n[graph.formulas]\nL = "w*w"\n'
    with pytest.raises(ProblemError, match="key 'weight_decay': expected a network"):
        parse(tomllib.loads('lr = 1\nweight_decay = 0.1\nweight_decay_form = "lambda sum w^2"\n' + graph))
    with pytest.raises(ProblemError, match="key 'mode': expected 'online' takes the examples"):
        parse(tomllib.loads('lr = 1\nmode = "online"\n' + graph))
    with pytest.raises(ProblemError, match="key 'conventions.delta': expected only for a network"):
        parse(tomllib.loads('[conventions]\ndelta = "-dL/dz"\n' + graph))


def test_a_variants_table_is_left_to_its_own_module():
    loaded = parse(tomllib.loads(BASE.format(extra="", layer="") + "\n[variants]\ncount = 30\nseed = 1\n"))
    assert loaded.lr == 0.5


def test_online_takes_the_examples_one_at_a_time_in_order_one_pass_by_default():
    online = parse(tomllib.loads(BASE.format(extra='mode = "online"', layer="").replace(
        "x = [1, -2]\ntarget = [1]", "x = [[1, -2], [0, 1], [2, 2]]\ntarget = [[1], [0], [1]]")))
    assert online.steps == 3 and [online.examples_of(k) for k in (1, 2, 3, 4)] == [[0], [1], [2], [0]]
    model = Model(online)
    # by hand: one SGD step from example 1 alone, then example 2 sees the new weights
    first = model.forward()
    assert first.examples == [0] and len(first.x) == 1
    grads = {p.label: p.grad for p in model.parameters}
    old = {p.label: p.data for p in model.parameters}
    model.step()
    assert all(math.isclose(p.data, old[p.label] - 0.5 * grads[p.label]) for p in model.parameters)
    second = model.forward()
    assert second.examples == [1] and [v.data for v in second.x[0]] == [0.0, 1.0]


def test_a_shared_bias_is_one_parameter_whose_gradient_sums_the_layers_deltas():
    p = parse(tomllib.loads(BASE.format(extra="", layer="").replace(
        "biases = [0.1, -0.1]", "biases = 0.1\nshared_bias = true")))
    model = Model(p)
    labels = [q.label for q in model.parameters]
    assert labels.count("b^(1)") == 1 and len(labels) == 8   # 4 + 1 shared + 2 + 1
    run = model.forward()
    b = next(q for q in model.parameters if q.label == "b^(1)")
    deltas = [a.inputs[0].grad for a in run.activations[0][0]]   # dL/dz of the two hidden neurons
    assert math.isclose(b.grad, sum(deltas))


def test_bias_input_minus_one_reads_the_files_numbers_as_thresholds():
    text_ = BASE.format(extra="", layer="").replace("[network]", "[conventions]\nbias_input = -1\n[network]")
    with_x0 = Model(parse(tomllib.loads(text_)))
    plain = Model(parse(tomllib.loads(BASE.format(extra="", layer="").replace(
        "biases = [0.1, -0.1]", "biases = [-0.1, 0.1]").replace("biases = [0.05]", "biases = [-0.05]"))))
    # z = w x + w0 * (-1) is the same net as biases of the opposite sign
    assert with_x0.forward().loss.data == plain.forward().loss.data


def test_weight_decay_adds_the_stated_penalty_to_the_loss_and_its_gradient():
    for form, factor in (("1/2 lambda sum w^2", 0.5), ("lambda sum w^2", 1.0)):
        p = problem(f'weight_decay = 0.2\nweight_decay_form = "{form}"')
        model, bare = Model(p), Model(problem())
        run, base = model.forward(), bare.forward()
        weights = [0.5, -0.3, 0.2, 0.8, 0.7, -0.4]
        assert math.isclose(run.loss.data, base.loss.data + factor * 0.2 * sum(w * w for w in weights))
        for q, r in zip(model.parameters, bare.parameters):
            decay = 2 * factor * 0.2 * q.data if q.label.startswith("w") else 0.0  # not the biases
            assert math.isclose(q.grad, r.grad + decay)


def test_decay_biases_puts_the_biases_into_the_penalty_too():
    p = problem('weight_decay = 0.2\nweight_decay_form = "1/2 lambda sum w^2"\ndecay_biases = true')
    run, base = Model(p).forward(), Model(problem()).forward()
    squares = sum(v * v for v in [0.5, -0.3, 0.2, 0.8, 0.7, -0.4, 0.1, -0.1, 0.05])
    assert math.isclose(run.loss.data, base.loss.data + 0.1 * squares)


def test_the_conventions_are_said_once_and_used_in_every_line():
    text_ = BASE.format(extra="", layer="").replace(
        "[network]", '[conventions]\ndelta = "-dL/dz"\nerror = "t - y"\nbias_input = -1\nupdate = "delta"\n'
        "[network]")
    page = text(parse(tomllib.loads(text_)), fmt="text")
    assert "δ = -∂L/∂z" in page and "e = t - ŷ" in page and "x0 = -1" in page
    assert "Δθ = -η ∂L/∂θ, θ ← θ + Δθ" in page
    assert "w10^(1) x0" in page and "b1^(1)" not in page


def test_the_momentum_update_can_be_written_as_delta_w_and_gives_the_same_weights():
    torch_form = Model(problem('steps = 2\nmomentum = 0.9'))
    page = text(parse(tomllib.loads(BASE.format(extra="steps = 2\nmomentum = 0.9", layer="").replace(
        "[network]", '[conventions]\nupdate = "delta"\n[network]'))), fmt="text")
    for _ in range(2):
        torch_form.forward()
        torch_form.step()
    w11 = next(p for p in torch_form.parameters if p.label == "w11^(1)").data
    # the last w11^(1) line of step 2 ends with the weight the torch-form run reaches
    last = [line for line in page.splitlines() if line.strip().startswith("w11^(1) = ")][-1]
    assert math.isclose(float(last.rsplit(" = ", 1)[1]), w11, rel_tol=1e-7)
    assert "Δw11^(1) = 0.9 · " in page   # Δw_t = μ Δw_(t-1) - η g


def test_the_template_documents_every_key_the_reader_knows():
    from viz.homework import problem_file

    template = (problem_file.PROBLEMS / "template.toml").read_text()
    keys = [*problem_file.TOP_KEYS, *problem_file.NETWORK_KEYS, *problem_file.LAYER_KEYS,
            *problem_file.CONVENTION_KEYS, "loss", "output"]
    for key in set(keys) - {"variants", "network", "layer", "graph", "conventions"}:  # tables: below
        assert re.search(rf"^#? ?{key} = ", template, re.M), key
    tables = ["[network]", "[[layer]]", "[graph]", "[conventions]", "[graph.inputs]", "[graph.parameters]",
              "[graph.formulas]"]
    for table in tables:
        assert table in template, table
