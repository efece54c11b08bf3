"""The nn contract others code against: structure, labels, activations, weights set exactly."""

import math
import random

import numpy as np
import pytest

import nn
from micrograd import Value
from nn import labels


def test_default_mlp_draws_weights_like_micrograd():
    random.seed(7)
    model = nn.MLP(3, [4, 2])
    random.seed(7)
    # micrograd 0.1.0: random.uniform(-1, 1) per weight, neuron by neuron, layer by layer
    expected = [[random.uniform(-1, 1) for _ in range(nin)] for nin, nout in ((3, 4), (4, 2))
                for _ in range(nout)]
    got = [[w.data for w in n.w] for layer in model.layers for n in layer.neurons]
    assert got == expected
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)
    assert [layer.activation for layer in model.layers] == ["relu", "linear"]


def test_single_output_is_a_value_and_several_are_a_list():
    assert isinstance(nn.MLP(2, [3, 1])([1.0, 2.0]), Value)
    out = nn.MLP(2, [3, 2])([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2


def test_structure_and_labels_follow_the_documents():
    model = nn.MLP(2, [3, 1], init=0.5)
    assert model.nin == 2
    assert [layer.index for layer in model.layers] == [1, 2]
    assert [n.index for n in model.layers[0].neurons] == [1, 2, 3]
    assert [p.label for p in model.layers[0].neurons[1].parameters()] == ["w21^(1)", "w22^(1)", "b2^(1)"]
    y = model([1.0, 2.0])
    assert y.label == "z1^(2)"  # linear output: the drive is the output
    hidden = y.inputs[1]
    assert hidden.label == "a1^(1)" and hidden.op == "relu"
    assert hidden.inputs[0].label == "z1^(1)"
    assert [v.label for v in hidden.inputs[0].inputs[1::2][:2]] == ["x1", "x2"]


def test_labels_with_two_digit_indices_use_a_comma_and_parse_back():
    model = nn.MLP(12, [11, 1], init=0.0)
    w = model.layers[0].neurons[10].w[11]
    assert w.label == "w11,12^(1)"
    assert labels.parse(w.label) == ("w", 1, 11, 12)
    for p in model.parameters():
        kind, layer, j, i = labels.parse(p.label)
        assert kind in "wb" and labels.weight(layer, j, i) == p.label if kind == "w" else \
            labels.bias(layer, j) == p.label


@pytest.mark.parametrize("text, parsed", [
    ("w12^(1)", ("w", 1, 1, 2)), ("b3^(2)", ("b", 2, 3, None)), ("z1^(3)", ("z", 3, 1, None)),
    ("a2^(1)", ("a", 1, 2, None)), ("x4", ("x", 0, 4, None)), ("w10,2^(1)", ("w", 1, 10, 2)),
    ("w123^(1)", None), ("loss", None), ("", None), ("b1", None),
])
def test_parse(text, parsed):
    assert labels.parse(text) == parsed


def test_drive_is_one_dot_node_and_linear_adds_no_node():
    neuron = nn.Neuron(3, "linear", init=1.0, bias_init=0.5)
    z = neuron([1.0, 2.0, 3.0])
    assert z.op == "w·x+b" and len(z.inputs) == 7 and z.data == 6.5
    no_bias = nn.Neuron(2, "tanh", bias=False, init=1.0)([1.0, 1.0])
    assert no_bias.op == "tanh" and no_bias.inputs[0].op == "w·x"
    assert no_bias.inputs[0].data == 2.0


@pytest.mark.parametrize("name, f", [
    ("tanh", math.tanh), ("relu", lambda z: max(z, 0.0)),
    ("sigmoid", lambda z: 1 / (1 + math.exp(-z))), ("square", lambda z: z * z), ("linear", lambda z: z),
])
def test_activation_by_name(name, f):
    for z in (-1.5, 0.3, 2.0):
        out = nn.Neuron(1, name, init=1.0, bias_init=0.0)([z])
        assert out.data == pytest.approx(f(z), rel=1e-15)


def test_activation_by_function():
    layer = nn.Layer(2, 2, Value.tanh, init=0.1)
    assert layer.activation == "tanh"
    assert nn.Layer(2, 1, nn.activations.square).activation == "square"

    def cube(z):
        return z ** 3
    custom = nn.Layer(1, 1, cube, init=2.0, bias_init=0.0)
    assert custom.activation == "cube" and custom([3.0]).data == 216.0


def test_unknown_activation_says_what_to_use():
    with pytest.raises(ValueError, match="unknown activation 'softmax'.*cross_entropy"):
        nn.MLP(2, [2], output_activation="softmax")


def test_constant_init_sets_weights_and_biases():
    model = nn.MLP(4, [4, 3, 3], activation="tanh", init=0.1)
    assert {p.data for p in model.parameters()} == {0.1}
    model = nn.MLP(1, [2, 2, 1], init=1.0, bias_init=-0.5)
    assert [layer.b for layer in model.layers] == [[-0.5, -0.5], [-0.5, -0.5], [-0.5]]
    assert model.layers[1].W == [[1.0, 1.0], [1.0, 1.0]]


def test_weights_in_both_layouts_and_numpy_give_the_same_net():
    W1, b1, W2, b2 = [[-1.0, -2.0], [2.0, 1.0]], [0.5, -0.5], [[3.0, -4.0]], [0.25]
    torch_like = nn.MLP(2, [2, 1], "sigmoid", weights=[(W1, b1), (W2, b2)])
    # the documents' W^T x: one column per neuron, the biases in the first row
    in_out = nn.MLP(2, [2, 1], "sigmoid", layout="in_out",
                    weights=[[[0.5, -0.5], [-1.0, 2.0], [-2.0, 1.0]], [[0.25], [3.0], [-4.0]]])
    arrays = nn.MLP(2, [2, 1], "sigmoid",
                    weights=[{"W": np.array(W1), "b": np.array(b1)}, (np.array(W2), np.array(b2))])
    for model in (torch_like, in_out, arrays):
        assert [layer.W for layer in model.layers] == [W1, W2]
        assert [layer.b for layer in model.layers] == [b1, b2]
    assert in_out(np.array([2.0, 5.0])).data == torch_like([2.0, 5.0]).data


def test_flat_list_is_a_single_neurons_weights():
    model = nn.MLP(2, [2, 1], "square", "square", bias=False, weights=[[[-2, 3], [2, 1]], [-2, 1]])
    assert model.layers[1].W == [[-2.0, 1.0]]


@pytest.mark.parametrize("weights, layout, message", [
    ([([[1, 2, 3], [4, 5, 6]], [0, 0]), ([1, 1], 0)], "out_in",
     r"layer 1: W has shape \(2, 3\) but this layer needs \(2, 2\)"),
    ([([[1, 2], [4, 5]], [0, 0, 0]), ([1, 1], 0)], "out_in",
     r"layer 1: b has shape \(3,\) but the layer has 2 neurons: it needs shape \(2,\)"),
    ([[[1, 2], [3, 4], [5, 6]], [1, 2]], "in_out",
     r"layer 2: W has shape \(2, 1\) but this layer needs \(3, 1\)"),
    ([[[1, 2], [3, 4]], [1, 2, 3]], "in_out", r"layer 1: W has shape \(2, 2\) but this layer needs \(3, 2\)"),
    ([([[1, 2], [4, 5]], [0, 0])], "out_in", "weights has 1 entries but the MLP has 2 layers"),
    ([[[1, 2], [4, 5]], ([1, 1], 0)], "out_in", "layer 1 has biases: give \\(W, b\\)"),
    ([([[1, 2], [4]], [0, 0]), ([1, 1], 0)], "out_in", "layer 1: the rows of W have different lengths"),
    ([([[1, 2], [3, 4]], [0, 0]), ([1, 1], 0)], "W^T x", "unknown layout 'W\\^T x'"),
])
def test_bad_weights_name_the_layer_and_both_shapes_and_change_nothing(weights, layout, message):
    model = nn.MLP(2, [2, 1], init=0.5)
    with pytest.raises(ValueError, match=message):
        model.set_weights(weights, layout)
    assert {p.data for p in model.parameters()} == {0.5}


def test_bias_given_to_a_layer_without_biases_is_an_error():
    with pytest.raises(ValueError, match="layer 1 has no biases"):
        nn.MLP(1, [1], bias=False, weights=[{"W": [[1.0]], "b": [0.0]}])


def test_wrong_number_of_inputs_is_an_error():
    with pytest.raises(ValueError, match="the MLP takes 2 inputs, got 3"):
        nn.MLP(2, [1])([1.0, 2.0, 3.0])


def test_bare_number_for_a_one_input_net():
    model = nn.MLP(1, [1], init=2.0, bias_init=1.0)
    assert model(3.0).data == model([3.0]).data == 7.0


def test_mask_connects_only_what_it_says():
    model = nn.MLP(4, [2, 1], "sigmoid", "sigmoid", bias=False,
                   mask=[[[1, 1, 0, 0], [0, 0, 1, 1]], None])
    h2 = model.layers[0].neurons[1]
    assert [w.label for w in h2.w] == ["w23^(1)", "w24^(1)"]
    model.set_weights([[[-1.7, 0.1, 0, 0], [0, 0, -0.6, -1.8]], [[-0.2, 0.5]]])
    assert model.layers[0].W == [[-1.7, 0.1, 0.0, 0.0], [0.0, 0.0, -0.6, -1.8]]
    with pytest.raises(ValueError, match=r"layer 1: W\[1\]\[3\] = 0.5 but the mask has no connection"):
        model.set_weights([[[-1.7, 0.1, 0.5, 0], [0, 0, -0.6, -1.8]], [[-0.2, 0.5]]])
    assert model.layers[0].W[0] == [-1.7, 0.1, 0.0, 0.0]


def test_zero_grad_clears_parameters():
    model = nn.MLP(2, [2, 1], init=0.3)
    model([1.0, -1.0]).backward()
    assert any(p.grad for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_micrograd_nn_reexports_the_same_classes():
    import micrograd.nn as mnn
    assert (mnn.Module, mnn.Neuron, mnn.Layer, mnn.MLP) == (nn.Module, nn.Neuron, nn.Layer, nn.MLP)
    assert nn.Neuron(2, nonlin=False).activation == "linear"
    assert nn.Layer(2, 3).activation == "relu"


def test_micrograd_positional_nonlin():
    assert nn.Neuron(2, False).activation == "linear"
    assert nn.Neuron(2, True).activation == "relu"


def test_parameters_follow_every_change_and_are_the_callers_own_list():
    random.seed(2)
    model = nn.MLP(2, [3, 1])
    first = model.parameters()
    first.clear()  # the caller's list: the next call is whole again
    assert len(model.parameters()) == 2 * 3 + 3 + 3 + 1
    neuron = model.layers[0].neurons[1]
    new = (Value(1.0), Value(2.0))
    neuron.w = new  # deep in the tree: the model's listing sees it
    assert [p for p in model.parameters() if p in new] == list(new)
    model.extra = nn.Neuron(1)  # a submodule added later comes last
    assert model.parameters()[-2:] == [model.extra.w[0], model.extra.b]
    expected = [p for layer in model.layers for n in layer.neurons for p in (*n.w, n.b)]
    assert model.parameters()[:-2] == expected
