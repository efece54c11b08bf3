"""Problem files: every shipped one loads; every mistake is one error naming the file, the key and the fix."""

import pathlib

import pytest

from nn import MLP
from viz.homework.problem_file import PROBLEMS, ProblemError, load, parse, shipped, tomllib
from viz.homework.run import Model

SEED_004 = """
x = [2, 5]
target = [1]
loss = "half-squared-error"
lr = 2
[network]
layout = "in_out"
activation = "sigmoid"
[[layer]]
neurons = 2
weights = [[-1, 2], [-2, 1], [1, 4]]
[[layer]]
neurons = 1
weights = [[1], [2], [-4]]
"""


def write(tmp_path: pathlib.Path, text: str) -> pathlib.Path:
    path = tmp_path / "problem.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("path", sorted(PROBLEMS.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_problem_loads_and_runs(path):
    problem = load(path)
    first = Model(problem).forward()
    assert first.loss.data >= 0.0


def test_the_two_layouts_give_the_same_network():
    # seed 004's W^T x (bias first row) against the same weights written W[out][in] with b[out]
    documents = Model(parse(tomllib.loads(SEED_004)))
    pytorch = SEED_004.replace('layout = "in_out"', 'layout = "out_in"')
    pytorch = pytorch.replace("weights = [[-1, 2], [-2, 1], [1, 4]]",
                              "weights = [[-2, 1], [1, 4]]\nbiases = [-1, 2]")
    pytorch = pytorch.replace("weights = [[1], [2], [-4]]", "weights = [[2, -4]]\nbiases = 1")
    same = Model(parse(tomllib.loads(pytorch)))
    assert [p.data for p in documents.parameters] == [p.data for p in same.parameters]
    assert [p.label for p in documents.parameters] == [p.label for p in same.parameters]
    # and nn.MLP given the document's matrices directly agrees on the output
    mlp = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
              weights=[[[-1, 2], [-2, 1], [1, 4]], [[1], [2], [-4]]], layout="in_out")
    assert mlp([2.0, 5.0]).data == documents.forward().y_hat[0][0].data


def test_shipped_finds_a_name_and_lists_the_others():
    assert shipped("seed_004").name == "seed_004.toml"
    listed = "no shipped problem named 'seed_9'; shipped: adam, batchnorm, .*seed_000, "
    with pytest.raises(ProblemError, match=listed):
        shipped("seed_9")


BROKEN = [
    ("x = [1, 2", "not valid TOML"),
    (SEED_004.replace("lr = 2", "lr = 2\nlearning_rate = 2"), "key 'learning_rate': expected one of title"),
    (SEED_004.replace('activation = "sigmoid"', 'activation = "sigmoid"\nlayot = "in_out"'),
     "key 'network.layot'.*did you mean 'network.layout'"),
    (SEED_004.replace('"sigmoid"', '"sigmiod"'), "key 'layer\\[1\\].activation': expected one of tanh, relu, "
     "sigmoid, square, linear, got 'sigmiod' \\(did you mean 'sigmoid'\\?\\)"),
    (SEED_004.replace("[[-1, 2], [-2, 1], [1, 4]]", "[[-1, 2], [-2, 1]]"),
     "key 'x': expected as many numbers per example as layer 1's weights take: 1, got 2 \\(fix x, or give "
     "layer\\[1\\].weights 3 row\\(s\\) for 2 input\\(s\\)\\)"),
    (SEED_004.replace("weights = [[1], [2], [-4]]\n", ""),
     "key 'layer\\[2\\].weights': expected the layer's weights"),
    (SEED_004.replace("target = [1]", "target = [1, 0]"),
     "key 'target': expected each target needs 1 number"),
    (SEED_004.replace("lr = 2", "lr = -2"), "key 'lr': expected a number > 0, got -2"),
    (SEED_004.replace('loss = "half-squared-error"', 'loss = "l2"'),
     "key 'loss': expected one of half-squared"),
    (SEED_004.replace("neurons = 1", "neurons = 0"),
     "key 'layer\\[2\\].neurons': expected a whole number >= 1"),
    (SEED_004.replace("lr = 2", "steps = 3"), "key 'steps': expected 3 steps need a learning rate"),
    (SEED_004.replace("x = [2, 5]", 'x = ["2", 5]'), "key 'x': expected a list of rows of numbers"),
    ("title = 'no layers'\nx = 1\ntarget = 1\nloss = 'squared-error'",
     "key 'layer': expected a network needs"),
]


@pytest.mark.parametrize("text, message", BROKEN)
def test_a_broken_file_is_one_error_with_file_and_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ProblemError, match=message) as caught:
        load(path)
    assert str(caught.value).startswith(str(path) + ": ")
    assert "\n" not in str(caught.value)


GRAPH = """
[graph]
loss = "L"
[graph.inputs]
x = 2
[graph.parameters]
w = 0.5
[graph.formulas]
h = "tanh(x*w)"
L = "(h - 1)**2"
"""

BROKEN_GRAPHS = [
    (GRAPH.replace('loss = "L"', 'loss = "M"'),
     "key 'graph.loss': expected the name of the formula that is the loss"),
    (GRAPH.replace('"tanh(x*w)"', '"__import__(\'os\')"'),
     "graph.formulas.h.*__import__\\(\\) is not a known function"),
    (GRAPH.replace('"tanh(x*w)"', '"x.real"'), "graph.formulas.h.*'x.real' is not allowed"),
    (GRAPH.replace('"tanh(x*w)"', '"abs(x)"'), "write \\(a - b\\)\\*\\*2 for \\|a - b\\|\\^2"),
    (GRAPH.replace("w = 0.5", "x = 0.5"), "graph.parameters.*'x'.* are also inputs"),
    (GRAPH.replace('"tanh(x*w)"', '3'), "key 'graph.formulas.h': expected a formula in quotes, got 3"),
    (GRAPH + "\n[network]\nbias = false\n", "key 'network': expected not used with \\[graph\\]"),
]


@pytest.mark.parametrize("text, message", BROKEN_GRAPHS)
def test_a_broken_graph_is_one_clear_error(tmp_path, text, message):
    with pytest.raises(ProblemError, match=message):
        load(write(tmp_path, text))


def test_a_formula_using_a_later_name_says_to_move_it(tmp_path):
    text = GRAPH.replace('h = "tanh(x*w)"\nL = "(h - 1)**2"', 'L = "(h - 1)**2"\nh = "tanh(x*w)"')
    message = "key 'graph.formulas.L': .*'h' is not \\(it is defined later: move"
    with pytest.raises(ProblemError, match=message):
        load(write(tmp_path, text))


def test_a_missing_file_names_it(tmp_path):
    with pytest.raises(ProblemError, match="nope.toml: cannot read the problem file"):
        load(tmp_path / "nope.toml")


def test_several_examples_and_a_constant_initialisation(tmp_path):
    text = """
x = [[1, 0], [0, 1], [1, 1]]
target = [[1], [0], [1]]
loss = "squared-error"
reduction = "mean"
[network]
weights = 0.5
biases = -0.25
activation = "tanh"
[[layer]]
neurons = 3
[[layer]]
neurons = 1
activation = "linear"
"""
    problem = load(write(tmp_path, text))
    assert len(problem.x) == 3 and problem.reduction == "mean"
    assert problem.layers[0].weights == [[0.5, 0.5]] * 3 and problem.layers[0].biases == [-0.25] * 3
    p = Model(problem).forward()
    assert abs(p.loss.data - sum(loss.data for loss in p.losses) / 3) < 1e-15
