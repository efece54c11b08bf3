"""A network's passes layer by layer, in the documents' order: drives, activations, then deltas.

Read from the graph's labels (nn's notation: x1, z1^(1), a1^(1), w12^(1), b1^(1)),
so it works for any graph an `nn.MLP` built. The delta of neuron j in layer l is
dL/dz_j^(l), the grad the engine gives its drive node, written as the documents
write it: delta_j = (sum_k delta_k w_kj) sigma'(z_j), and dL/dw_ji = delta_j a_i.
"""

from __future__ import annotations

from micrograd import Value
from viz.format import number
from viz.neurons import role

MAX_LINES = 10  # lines of weight gradients shown per layer; the rest are counted


def layer_steps(order: list[Value], names: list[str], steps: dict, digits: int) -> dict | None:
    """Columns (inputs, then each layer's neurons) and the steps that fill them; None without nn labels."""
    roles = {k: role(v.label) for k, v in enumerate(order) if v.label}
    drives = {(r.layer, r.j): k for k, r in roles.items() if r and r.kind == "z"}
    if not drives:
        return None
    acts = {(r.layer, r.j): k for k, r in roles.items() if r and r.kind == "a"}
    inputs = sorted((r.i if r.j is None else r.j, k) for k, r in roles.items() if r and r.kind == "x")
    grads = steps["grads"]
    formula = {s["node"]: " ".join(s["lines"]) for s in steps["forward"]}
    users = _users(order)

    values: dict[str, str] = {}
    columns = [{"title": "inputs", "cells": []}] if inputs else []
    given = []
    for i, k in inputs:
        cell = {"id": f"0.{i}", "name": f"input {i}", "fields": [{"key": "x", "symbol": names[k]}]}
        columns[0]["cells"].append(cell)
        values[f"0.{i}.x"] = number(order[k].data, digits)
        given.append(f"0.{i}.x")
    layers = sorted({layer for layer, _ in drives})
    forward, backward = [], []
    for layer in layers:
        js = sorted(j for at, j in drives if at == layer)
        cells = []
        for j in js:
            fields = [{"key": "z", "symbol": "z"}]
            values[f"{layer}.{j}.z"] = number(order[drives[layer, j]].data, digits)
            if (layer, j) in acts:
                fields.append({"key": "a", "symbol": "a"})
                values[f"{layer}.{j}.a"] = number(order[acts[layer, j]].data, digits)
            fields.append({"key": "d", "symbol": "δ"})
            values[f"{layer}.{j}.d"] = number(grads[drives[layer, j]], digits)
            cells.append({"id": f"{layer}.{j}", "name": f"neuron {j}", "fields": fields})
        columns.append({"title": f"layer {layer}", "cells": cells})
        forward.append({
            "kind": "drive", "title": f"Layer {layer}: drives", "show": [f"{layer}.{j}.z" for j in js],
            "lines": [formula[drives[layer, j]] for j in js],
        })
        if any((layer, j) in acts for j in js):
            forward.append({
                "kind": "activation", "title": f"Layer {layer}: activations",
                "show": [f"{layer}.{j}.a" for j in js if (layer, j) in acts],
                "lines": [formula[acts[layer, j]] for j in js if (layer, j) in acts],
            })
        lines = [_delta(order, names, grads, users, drives[layer, j], acts.get((layer, j)), digits)
                 for j in js]
        lines += _weight_lines(order, names, grads, [drives[layer, j] for j in js], digits)
        show = [f"{layer}.{j}.d" for j in js]
        backward.insert(0, {"kind": "delta", "title": f"Layer {layer}: deltas", "show": show, "lines": lines})
    links = _links(order, drives, acts, inputs)
    return {"columns": columns, "values": values, "given": given, "steps": forward + backward, "links": links}


def _links(order: list[Value], drives: dict, acts: dict, inputs: list) -> list[tuple[str, str]]:
    """(from cell, to cell) for every weight: which input or activation each drive reads."""
    cell = {k: f"0.{i}" for i, k in inputs}
    for (layer, j), k in drives.items():
        cell.setdefault(acts.get((layer, j), k), f"{layer}.{j}")  # a linear neuron passes its drive on
    pos = {id(v): k for k, v in enumerate(order)}
    links = []
    for (layer, j), z in sorted(drives.items()):
        for u in order[z].inputs[1::2] if order[z].op.startswith("w·x") else ():
            source = cell.get(pos[id(u)])
            if source is not None:
                links.append((source, f"{layer}.{j}"))
    return links


def _users(order: list[Value]) -> dict[int, list[tuple[int, int]]]:
    """For each node, the (node, input position) pairs that read it."""
    index = {id(v): k for k, v in enumerate(order)}
    users: dict[int, list[tuple[int, int]]] = {}
    for k, v in enumerate(order):
        for p, u in enumerate(v.inputs):
            users.setdefault(index[id(u)], []).append((k, p))
    return users


def _delta(order, names, grads, users, z: int, a: int | None, digits: int) -> str:
    """delta_j = dL/dz_j, written from the next layer's deltas and weights (or dL/da at the output)."""
    pos = {id(v): k for k, v in enumerate(order)}
    delta = "δ" + names[z][1:]
    result = number(grads[z], digits)
    if a is None:  # a linear neuron: the drive is the output
        return f"{delta} = ∂{names[-1]}/∂{names[z]} = {result}"
    slope = order[a].local_grads[0]
    prime = f"σ'({names[z]})"
    nexts = [(k, p) for k, p in users.get(a, []) if order[k].op.startswith("w·x") and p % 2 == 1]
    nexts = [(k, p) for k, p in nexts if (role(order[k].label) or (None,))[0] == "z"]
    if not nexts:  # the output layer
        da = number(grads[a], digits)
        return f"{delta} = ∂{names[-1]}/∂{names[a]}·{prime} = {_s(da)}·{_s(number(slope, digits))} = {result}"
    symbols = " + ".join(f"δ{names[k][1:]}·{names[pos[id(order[k].inputs[p - 1])]]}" for k, p in nexts)
    numbers = " + ".join(
        f"{_s(number(grads[k], digits))}·{_s(number(order[k].local_grads[p], digits))}" for k, p in nexts
    )
    return f"{delta} = ({symbols})·{prime} = ({numbers})·{_s(number(slope, digits))} = {result}"


def _weight_lines(order, names, grads, zs: list[int], digits: int) -> list[str]:
    """dL/dw_ji = delta_j · a_i (and dL/db_j = delta_j) for the weights into these drives."""
    pos = {id(v): k for k, v in enumerate(order)}
    lines = []
    for z in zs:
        v = order[z]
        delta = "δ" + names[z][1:]
        weights = len(v.inputs) // 2
        for i in range(weights):
            w, x = pos[id(v.inputs[2 * i])], pos[id(v.inputs[2 * i + 1])]
            lines.append(
                f"∂{names[-1]}/∂{names[w]} = {delta}·{names[x]} = {_s(number(grads[z], digits))}·"
                f"{_s(number(order[x].data, digits))} = {number(grads[w], digits)}"
            )
        if v.op == "w·x+b":
            b = pos[id(v.inputs[-1])]
            lines.append(f"∂{names[-1]}/∂{names[b]} = {delta} = {number(grads[b], digits)}")
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + [f"... and {len(lines) - MAX_LINES} more weights, each δ·input"]
    return lines


def _s(text: str) -> str:
    return f"({text})" if text.startswith("-") else text
