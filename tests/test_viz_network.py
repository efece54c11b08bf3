"""draw_network: the "draw what our neural network will look like" picture, read back from real SVG."""

import xml.etree.ElementTree as ET

import pytest

import nn
from viz import draw_network
from viz.render import pipe

SVG = "{http://www.w3.org/2000/svg}"


def parts(g):
    svg = ET.fromstring(pipe(g, "svg"))
    found = {"node": {}, "edge": {}}
    for el in svg.iter(f"{SVG}g"):
        if el.get("class") in found:
            found[el.get("class")][el.find(f"{SVG}title").text] = [t.text for t in el.iter(f"{SVG}text")]
    return found["node"], found["edge"]


def seed_004():
    return nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
                  weights=[[[-1, 2], [-2, 1], [1, 4]], [[1], [2], [-4]]], layout="in_out")


def test_seed_004_network_inputs_neurons_biases_and_one_edge_per_weight():
    nodes, edges = parts(draw_network(seed_004()))
    assert sorted(nodes) == ["n1_1", "n1_2", "n2_1", "x1", "x2"]
    # W1 (first row = biases) = [[-1, 2], [-2, 1], [1, 4]]: neuron 1 sees x1 with -2 and x2 with 1
    assert edges["x1->n1_1"] == ["w11^(1) = -2"] and edges["x2->n1_1"] == ["w12^(1) = 1"]
    assert edges["x2->n1_2"] == ["w22^(1) = 4"] and edges["n1_2->n2_1"] == ["w12^(2) = -4"]
    assert len(edges) == 2 * 2 + 2 * 1
    assert nodes["n1_1"] == ["neuron 1", "sigmoid", "b1^(1) = -1"]
    assert nodes["n2_1"] == ["neuron 1", "sigmoid", "b1^(2) = 1"]


def test_after_backward_each_weight_shows_its_grad():
    model = seed_004()
    nn.half_sum_squares(model([2.0, 5.0]), 1.0).backward()
    _, edges = parts(draw_network(model))
    # seed 004 exact: dl/dW1_21 = -0.2311951, dl/dW2_11 = -0.0462390
    assert edges["x2->n1_1"] == ["w12^(1) = 1", "grad -0.2312"]
    assert edges["n1_1->n2_1"] == ["w11^(2) = 2", "grad -0.04624"]


def test_a_sparse_network_draws_only_its_connections():
    model = nn.MLP(4, [2, 1], activation="sigmoid", output_activation="sigmoid", bias=False,
                   mask=[[[1, 1, 0, 0], [0, 0, 1, 1]], None],
                   weights=[[[-1.7, 0.1, 0, 0], [0, 0, -0.6, -1.8]], [-0.2, 0.5]])
    nodes, edges = parts(draw_network(model))
    assert sorted(edges) == ["n1_1->n2_1", "n1_2->n2_1", "x1->n1_1", "x2->n1_1", "x3->n1_2", "x4->n1_2"]
    assert nodes["n1_2"] == ["neuron 2", "sigmoid"]   # no bias


def test_big_networks_drop_the_edge_labels_and_anything_else_is_refused():
    nodes, edges = parts(draw_network(nn.MLP(2, [16, 16, 1])))
    assert len(nodes) == 2 + 16 + 16 + 1 and len(edges) == 2 * 16 + 16 * 16 + 16
    assert all(texts == [] for texts in edges.values())
    with pytest.raises(TypeError, match="draws an nn.MLP"):
        draw_network([1, 2])
