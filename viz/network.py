"""draw_network: the picture the documents ask for, inputs, neurons by layer, one edge per weight."""

from __future__ import annotations

from typing import Any

from viz.collapsed import through_junctions
from viz.dot import COLOURS, FONT
from viz.format import DIGITS, number
from viz.render import Drawing

EDGE_LABEL_LIMIT = 80  # past this many weights, edge labels only hide the picture


def draw_network(mlp: Any, *, digits: int = DIGITS, rankdir: str = "LR",
                 weights: bool | None = None) -> Drawing:
    """A diagram of an nn.MLP: inputs, each layer's neurons (activation, bias), an edge per weight.

    Each edge is labelled with its weight's label and value, and its grad once any
    parameter has one (after backward()). weights=False leaves the labels off; by
    default they are drawn up to 80 weights.
    """
    layers = getattr(mlp, "layers", None)
    if not layers or not hasattr(mlp, "nin"):
        raise TypeError(f"draw_network draws an nn.MLP (with .nin and .layers), got {type(mlp).__name__}")
    count = sum(len(n.w) for layer in layers for n in layer.neurons)
    label_edges = count <= EDGE_LABEL_LIMIT if weights is None else weights
    params = mlp.parameters()
    show_grads = any(p.grad != 0.0 for p in params)

    g = Drawing(name="network", format="svg")
    g.attr(rankdir=rankdir, fontname=FONT, ranksep="1.6" if label_edges else "0.9", nodesep="0.25")
    g.attr("node", fontname=FONT, fontsize="11")
    g.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.6")
    with g.subgraph(name="cluster_inputs") as box:
        box.attr(label="inputs", style="rounded", color="#888888", fontcolor="#666666", fontsize="10")
        for i in range(1, mlp.nin + 1):
            box.node(f"x{i}", f"x{i}", shape="circle", style="filled", fillcolor=COLOURS["input"])
    sources = [f"x{i}" for i in range(1, mlp.nin + 1)]
    for layer in layers:
        names = []
        with g.subgraph(name=f"cluster_layer{layer.index}") as box:
            box.attr(label=f"layer {layer.index} ({layer.activation})", style="rounded", color="#888888",
                     fontcolor="#666666", fontsize="10")
            for neuron in layer.neurons:
                name = f"n{layer.index}_{neuron.index}"
                names.append(name)
                box.node(name, _neuron_label(neuron, layer, digits, show_grads), shape="box",
                         style="rounded,filled", fillcolor="#ffffff")
        plain = []  # unlabelled edges: a big dense layer may draw them through one junction node
        for neuron, name in zip(layer.neurons, names):
            seen = neuron.connections if neuron.connections is not None else range(len(sources))
            for i, w in zip(seen, neuron.w):
                if label_edges:
                    g.edge(sources[i], name, label=_weight_label(w, digits, show_grads))
                else:
                    plain.append((sources[i], name))
        for source, target in through_junctions(g, plain):
            g.edge(source, target)
        sources = names
    if show_grads:
        g.attr(label="edge: weight = value, grad (from the last backward())", labelloc="b", fontsize="10")
    return g


def _neuron_label(neuron: Any, layer: Any, digits: int, show_grads: bool) -> str:
    lines = [f"neuron {neuron.index}", layer.activation]
    b = neuron.b
    if b is not None:
        lines.append(f"{b.label} = {number(b.data, digits)}")
        if show_grads:
            lines.append(f"grad {number(b.grad, digits)}")
    return "\n".join(lines)


def _weight_label(w: Any, digits: int, show_grads: bool) -> str:
    text = f"{w.label} = {number(w.data, digits)}"
    return text + f"\ngrad {number(w.grad, digits)}" if show_grads else text
