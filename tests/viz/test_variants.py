"""micrograd variants: 200 variants of every seed, each key against an independent calculation, the rules.

The independent calculation is written here from the problem's numbers alone (plain
floats, no engine): the forward pass, and every gradient by central differences of
that forward pass; pass 2 starts from the parameters its own gradients updated.
"""

import math
import re

import pytest

from viz.homework import check as checking
from viz.homework.problem_file import PROBLEMS, load, parse, tomllib
from viz.homework.variant_rules import broken, questions
from viz.homework.variant_spec import Rules, VariantError
from viz.homework.variants import key_text, load_class, student_ids, variant

SEEDS = ["seed_000", "seed_001", "seed_002", "seed_002_q2", "seed_003", "seed_004"]
H = 1e-6
ACTIVATIONS = {"sigmoid": lambda z: 1 / (1 + math.exp(-z)), "tanh": math.tanh,
               "relu": lambda z: max(z, 0.0), "square": lambda z: z * z, "linear": lambda z: z}
FUNCTIONS = {"sigmoid": ACTIVATIONS["sigmoid"], "tanh": math.tanh, "relu": ACTIVATIONS["relu"],
             "exp": math.exp, "log": math.log, "sqrt": math.sqrt}


def network_parameters(problem) -> dict[str, float]:
    params = {}
    for l, layer in enumerate(problem.layers, 1):
        for j, row in enumerate(layer.weights, 1):
            params.update({f"w{j}{i}^({l})": w for i, w in enumerate(row, 1)})
            if layer.biases is not None:
                params[f"b{j}^({l})"] = layer.biases[j - 1]
    return params


def network_forward(problem, params, nudge=None, eps=0.0) -> dict[str, float]:
    """Every drive, activation, output and the loss, from the numbers; `nudge` moves one drive by eps."""
    values, h = {}, problem.x[0]
    for l, layer in enumerate(problem.layers, 1):
        out = []
        for j in range(1, len(layer.weights) + 1):
            z = sum(params[f"w{j}{i}^({l})"] * xi for i, xi in enumerate(h, 1))
            z += params.get(f"b{j}^({l})", 0.0)
            z += eps if nudge == f"z{j}^({l})" else 0.0
            values[f"z{j}^({l})"] = z
            a = ACTIVATIONS[layer.activation](z)
            if layer.activation != "linear":
                values[f"a{j}^({l})"] = a
            out.append(a)
        h = out
    t = problem.target[0]
    if problem.loss == "cross-entropy":
        top = max(h)
        exps = [math.exp(z - top) for z in h]
        soft = [e / sum(exps) for e in exps]
        values.update({f"y_hat{k}": p for k, p in enumerate(soft, 1)})
        values["loss"] = -sum(tk * math.log(p) for tk, p in zip(t, soft) if tk)
    else:
        squares = sum((tk - y) ** 2 for tk, y in zip(t, h))
        values["loss"] = {"half-squared-error": 0.5, "squared-error": 1.0}[problem.loss] * squares
    return values


def graph_forward(problem, params, nudge=None, eps=0.0) -> dict[str, float]:
    g = problem.graph
    values = {**g.inputs, **params}
    for name, expr in g.formulas.items():
        values[name] = eval(expr, {"__builtins__": {}}, {**FUNCTIONS, **values})  # our own shipped formulas
        values[name] += eps if nudge == name else 0.0
    values["loss"] = values[g.loss]
    return values


def independent(problem, passes: int) -> dict[tuple, float]:
    """(pass, kind, label) -> value for every value, gradient and update, by central differences."""
    graph = problem.graph is not None
    forward = graph_forward if graph else network_forward
    params = dict(problem.graph.parameters) if graph else network_parameters(problem)
    out = {}
    for n in range(1, passes + 1):
        values = forward(problem, params)
        out.update({(n, "data", k): v for k, v in values.items()})
        labels = [k for k in values if k not in params and k != "loss"
                  and (not graph or k in problem.graph.formulas)]
        for label in labels:
            up, down = forward(problem, params, label, H)["loss"], forward(problem, params, label, -H)["loss"]
            out[(n, "grad", label)] = (up - down) / (2 * H)
        grads = {}
        for p in params:
            up = forward(problem, {**params, p: params[p] + H})
            down = forward(problem, {**params, p: params[p] - H})
            grads[p] = out[(n, "grad", p)] = (up["loss"] - down["loss"]) / (2 * H)
        if problem.lr is not None:
            params = {p: v - problem.lr * grads[p] for p, v in params.items()}
            out.update({(n, "new", p): v for p, v in params.items()})
    return out


def key_numbers(v, cls) -> list[checking.Answer]:
    answers = checking.parse_answers(key_text(v, cls.questions, cls.spec.decimals).splitlines())
    checking.resolve(answers, v.problem)  # the names as check reads them
    return answers


def rules_hold(problem, exact, asked, unit) -> None:
    """The four rules, checked on the independent numbers."""
    passes = sorted({q.key[0] for q in asked})
    for n in passes:
        if problem.graph is not None:
            for name, expr in problem.graph.formulas.items():
                inner = re.fullmatch(r"sigmoid\((\w+)\)", expr)
                if inner:
                    assert abs(exact[(n, "data", inner[1])]) <= 4, (name, expr)
            continue
        for l, layer in enumerate(problem.layers, 1):
            for j in range(1, len(layer.weights) + 1):
                z = exact[(n, "data", f"z{j}^({l})")]
                limit = {"sigmoid": 4, "tanh": 2}.get(layer.activation, math.inf)
                assert abs(z) <= limit, f"saturated {layer.activation}({z})"
                if layer.activation == "relu":
                    assert z >= unit, f"dead ReLU z{j}^({l}) = {z}"
        if problem.loss == "cross-entropy":
            assert max(exact[(n, "data", f"y_hat{k}")] for k in (1, 2, 3)) <= 1 / (1 + math.exp(-4))
    for q in asked:
        if q.key[1] == "grad":
            g = abs(exact[q.key[:3]])
            assert g < 1e-8 or g >= unit * (1 - 1e-6), f"{q.name} = {g} rounds to 0"


@pytest.mark.parametrize("seed", SEEDS)
def test_200_variants_keys_match_central_differences_and_keep_the_rules(seed):
    cls = load_class(PROBLEMS / f"variants_{seed}.toml")
    unit = 10.0 ** -cls.spec.decimals
    passes = max(q.key[0] for q in cls.questions)
    texts = set()
    for student in student_ids(200):
        v = variant(cls, student, 7)
        texts.add(v.text)
        exact = independent(v.problem, passes)
        for a in key_numbers(v, cls):
            truth = exact[a.key[:3]]  # (pass, kind, label): one example
            assert abs(a.value - truth) <= 0.5 * unit + 1e-6 * max(1.0, abs(truth)), (student, a.name, truth)
        rules_hold(v.problem, exact, cls.questions, unit)
    assert len(texts) >= 190  # numbers of their own (a few pairs may coincide in a small range)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_key_is_an_answers_file_check_marks_all_right(seed):
    cls = load_class(PROBLEMS / f"variants_{seed}.toml")
    for student in student_ids(10):
        v = variant(cls, student, 7)
        verdicts = checking.check(v.problem, key_numbers(v, cls))
        assert len(verdicts) == len(cls.questions) and all(x.right for x in verdicts)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_variant_ready_copy_is_the_seed_problem(seed):
    data = tomllib.loads((PROBLEMS / f"variants_{seed}.toml").read_text())
    assert "variants" in data
    copy, original = parse(data, "copy"), load(PROBLEMS / f"{seed}.toml")
    copy.path = original.path
    assert copy == original


def test_a_variant_depends_only_on_the_seed_and_the_id():
    cls = load_class(PROBLEMS / "variants_seed_004.toml")
    alone = variant(cls, "s017", 7).text
    in_class = [variant(cls, s, 7).text for s in student_ids(20)][16]
    again = variant(load_class(PROBLEMS / "variants_seed_004.toml"), "s017", 7).text
    assert alone == in_class == again
    assert variant(cls, "s017", 8).text != alone
    assert variant(cls, "s018", 7).text != alone
    assert "student s017, seed 7" in alone


def test_the_variant_keeps_network_loss_and_learning_rate():
    cls = load_class(PROBLEMS / "variants_seed_004.toml")
    v = variant(cls, "s001", 7).problem
    base = cls.problem
    assert [len(layer.weights) for layer in v.layers] == [len(layer.weights) for layer in base.layers]
    assert [layer.activation for layer in v.layers] == [layer.activation for layer in base.layers]
    assert (v.loss, v.lr, v.steps, v.layout) == (base.loss, base.lr, base.steps, base.layout)
    weights = [w for layer in v.layers for row in layer.weights for w in row]
    assert all(w in (-3, -2, -1, 1, 2, 3) for w in weights)  # range [-3, 3] without 0
    assert all(b in (-2, -1, 0, 1, 2) for layer in v.layers for b in layer.biases)


def some_rules(**switched) -> Rules:
    rules = Rules()
    for k, value in switched.items():
        setattr(rules, k, value)
    return rules


def every_question(problem):
    return questions(problem)


def test_the_rules_catch_what_the_documents_slipped_on():
    seed_004 = load(PROBLEMS / "seed_004.toml")  # its z2^(1) = 24: sigma(24) = 0.99999999996
    rule, why = broken(seed_004, every_question(seed_004), Rules(), 4)
    assert rule == "saturation" and "z2^(1) = 24" in why
    assert broken(seed_004, every_question(seed_004), some_rules(saturation=False), 4)[0] == "zero_gradient"
    off = some_rules(saturation=False, zero_gradient=False)
    assert broken(seed_004, every_question(seed_004), off, 4) is None
    seed_003 = load(PROBLEMS / "seed_003.toml")  # every ReLU alive in both passes
    assert broken(seed_003, every_question(seed_003), Rules(), 4) is None


def test_a_dead_relu_only_counts_on_a_path_asked_about():
    data = tomllib.loads((PROBLEMS / "seed_003.toml").read_text())
    data["network"].pop("biases")
    for k, biases in enumerate([[-0.5, -0.5], [-0.5, -5], [0]]):
        data["layer"][k]["biases"] = biases
    problem = parse(data, "dead")
    rule, why = broken(problem, every_question(problem), Rules(), 4)
    assert rule == "dead_relu" and "z2^(2)" in why
    asked = questions(problem, ["a1^(2)", "dL/dw11^(3)"])  # neither is computed through neuron 2 of layer 2
    assert broken(problem, asked, Rules(), 4) is None


def test_division_near_zero_is_caught():
    data = {"graph": {"inputs": {"x": 1.0, "c": 1.05}, "parameters": {"w": 1.0},
                      "formulas": {"d": "x*w - c", "q": "1/d", "L": "q**2"}, "loss": "L"}}
    problem = parse(data, "division")
    rule, why = broken(problem, every_question(problem), Rules(), 4)
    assert rule == "division" and "d = -0.05" in why
    assert broken(problem, every_question(problem), some_rules(min_divisor=0.01), 4) is None


def test_a_range_no_variant_can_keep_names_the_rule():
    text = (PROBLEMS / "variants_seed_004.toml").read_text()
    text = text.replace("x = { range = [-2, 3] }", "x = { range = [5, 6] }")
    text = text.replace("weights = { range = [-3, 3], exclude = [0] }", "weights = { range = [2, 3] }")
    data = tomllib.loads(text)
    data["variants"]["rules"] = {"tries": 50}
    cls = load_class("hot.toml", data)
    with pytest.raises(VariantError, match=r"no variant for s001 keeps the rules in 50 draws: the rule "
                       r"'saturation' rejected 50 \(e\.g\. sigmoid of z1\^\(1\) = \d+: \|z\| > 4"
                       r".*saturation = false"):
        variant(cls, "s001", 7)


@pytest.mark.parametrize("change, message", [
    ({}, "no \\[variants\\] table"),
    ({"variants": {"decimals": 4}}, "varies nothing"),
    ({"variants": {"wieghts": {"range": [-1, 1]}}}, "'variants.wieghts': not a number of this problem"),
    ({"variants": {"weights": {"range": [1, -1]}}}, "lo <= hi"),
    ({"variants": {"weights": {"set": [0], "exclude": [0]}}}, "no number left"),
    ({"variants": {"weights": {"range": [0, 1], "set": [1]}}}, "either range"),
    ({"variants": {"weights": {"set": [1]}, "rules": {"saturaton": False}}}, "unknown: one of saturation"),
    ({"variants": {"weights": {"set": [1]}, "rules": {"max_drive": -1}}}, "a number > 0"),
    ({"variants": {"weights": {"set": [1]}, "decimals": 2.5}}, "variants.decimals"),
    ({"variants": {"weights": {"set": [1]}, "ask": ["y_hat", "dL/dw99^(1)"]}}, "ask.*names no value"),
])
def test_a_bad_variants_table_says_what_is_wrong(change, message):
    data = tomllib.loads((PROBLEMS / "seed_004.toml").read_text())
    data.update(change)
    with pytest.raises(VariantError, match=message):
        load_class("class.toml", data)


def test_ids_from_a_class_list():
    assert student_ids(3) == ["s001", "s002", "s003"]
    assert student_ids(given=["ana", "# a comment", "", "bo-2"]) == ["ana", "bo-2"]
    with pytest.raises(VariantError, match="line 3: the id 'ana' is there twice \\(first on line 1\\)"):
        student_ids(given=["ana", "bo", "ana"], where="class.txt")
    with pytest.raises(VariantError, match="not a usable id"):
        student_ids(given=["../etc"])


def test_readmes_variants_table_reads_as_it_says():
    readme = (PROBLEMS.parents[2] / "README.md").read_text()
    block = re.search(r"```toml\n(\[variants\].*?)```", readme, re.S)[1]
    data = {**tomllib.loads((PROBLEMS / "seed_004.toml").read_text()), **tomllib.loads(block)}
    cls = load_class("readme.toml", data)
    assert cls.spec.rules == Rules() and cls.spec.decimals == 4
    assert cls.spec.draws["weights"].choices == [-3, -2, -1, 1, 2, 3]
    assert cls.spec.draws["x"].choices == [-2, -1, 0, 1, 2, 3]
