"""A network's passes layer by layer, in the documents' order: drives, activations, loss, then deltas.

Read from the graph's labels (nn's notation: x1, z1^(1), a1^(1), w12^(1), b1^(1)),
so it works for any graph an `nn.MLP` built. The delta of neuron j in layer l is
dL/dz_j^(l), the grad the engine gives its drive node, written as the documents
write it: delta_j = (sum_k delta_k w_kj) sigma'(z_j), and dL/dw_ji = delta_j a_i.
Names are the graph's own (viz.notation.names.node_names), numbers viz.notation.numbers.pretty.
"""

from __future__ import annotations

from typing import Any

from micrograd import Value
from viz.notation.names import leaf_kind, typeset
from viz.notation.neurons import network_role, role
from viz.notation.numbers import pretty

MAX_LINES = 10  # lines of weight gradients shown per layer; the rest are counted


def layer_steps(order: list[Value], names: list[str], steps: dict, digits: int) -> dict | None:
    """Columns (inputs, each layer, the loss) and the steps that fill them; None without nn labels."""
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
    columns: list[dict[str, Any]] = [{"title": "inputs", "cells": []}] if inputs else []
    given: list[str] = []
    for i, k in inputs:
        cell = {"id": f"0.{i}", "name": f"input {i}", "fields": [{"key": "x", "symbol": names[k]}]}
        columns[0]["cells"].append(cell)
        values[f"0.{i}.x"] = pretty(order[k].data, digits)
        given.append(f"0.{i}.x")
    layers = sorted({layer for layer, _ in drives})
    forward: list[dict[str, Any]] = []
    backward: list[dict[str, Any]] = []
    for layer in layers:
        js = sorted(j for at, j in drives if at == layer)
        cells: list[dict[str, Any]] = []
        for j in js:
            z = drives[layer, j]
            fields: list[dict[str, Any]] = []
            if order[z].op == "w·x+b":  # the bias is the neuron's own: shown in it, given from the start
                bias = next(k for k, v in enumerate(order) if v is order[z].inputs[-1])
                fields.append({"key": "b", "symbol": "b", "k": bias})  # k: a click shows its derivation
                values[f"{layer}.{j}.b"] = pretty(order[z].inputs[-1].data, digits)
                given.append(f"{layer}.{j}.b")
            fields.append({"key": "z", "symbol": names[z] if names[z].startswith("ŷ") else "z"})
            values[f"{layer}.{j}.z"] = pretty(order[z].data, digits)
            if (layer, j) in acts:
                out = names[acts[layer, j]]
                fields.append({"key": "a", "symbol": out if out.startswith("ŷ") else "a"})
                values[f"{layer}.{j}.a"] = pretty(order[acts[layer, j]].data, digits)
            fields.append({"key": "d", "symbol": "δ"})
            values[f"{layer}.{j}.d"] = pretty(grads[z], digits)
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
    links = _links(order, names, drives, acts, inputs, digits)
    last = layers[-1]
    loss = _loss_column(order, names, steps, {j: acts.get((last, j), z) for (at, j), z in drives.items()
                                              if at == last}, values, given, links, digits)
    if loss:
        columns.append(loss["column"])
        forward.append(loss["step"])
    return {"columns": columns, "values": values, "given": given, "steps": forward + backward, "links": links}


def _loss_column(order, names, steps, outs: dict[int, int], values, given, links, digits) -> dict | None:
    """The column right of the network: the targets and the loss, and the step that computes the loss."""
    network = {k for k, v in enumerate(order) if role(v.label)}
    after = [s for s in steps["forward"] if s["node"] not in network]
    if not after:
        return None
    index = {id(v): k for k, v in enumerate(order)}
    used = set()
    for s in after:
        used.update(s["inputs"])
    targets = [k for k in sorted(used) if order[k].label and leaf_kind(order[k]) == "constant"]
    cells = []
    for n, k in enumerate(targets, 1):
        cells.append({"id": f"t.{n}", "name": "target", "fields": [{"key": "t", "symbol": names[k]}]})
        values[f"t.{n}.t"] = pretty(order[k].data, digits)
        given.append(f"t.{n}.t")
    root = len(order) - 1
    cells.append({"id": "loss", "name": "loss", "fields": [{"key": "L", "symbol": names[root]}]})
    values["loss.L"] = pretty(order[root].data, digits)
    for j in sorted(outs):
        if any(index[id(u)] == outs[j] for s in after for u in order[s["node"]].inputs):
            links.append({"from": f"{_last_layer(order, outs[j])}.{j}", "to": "loss"})
    lines = [" ".join(s["lines"]) for s in after]
    step = {"kind": "loss", "title": "Loss", "show": ["loss.L"], "lines": lines}
    return {"column": {"title": "loss", "cells": cells}, "step": step}


def _last_layer(order: list[Value], k: int) -> int:
    return network_role(order[k]).layer


def _links(order: list[Value], names: list[str], drives: dict, acts: dict, inputs: list, digits: int) -> list:
    """One link per weight: which input or activation each drive reads, through which weight."""
    cell = {k: f"0.{i}" for i, k in inputs}
    for (layer, j), k in drives.items():
        cell.setdefault(acts.get((layer, j), k), f"{layer}.{j}")  # a linear neuron passes its drive on
    pos = {id(v): k for k, v in enumerate(order)}
    links = []
    for (layer, j), z in sorted(drives.items()):
        v = order[z]
        if not v.op.startswith("w·x"):
            continue
        for w, u in zip(v.inputs[0::2], v.inputs[1::2]):
            source = cell.get(pos[id(u)])
            if source is not None:
                k = pos[id(w)]
                links.append({"from": source, "to": f"{layer}.{j}", "weight": names[k], "k": k,
                              "value": pretty(w.data, digits)})
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
    delta = _delta_name(order[z])
    result = pretty(grads[z], digits)
    if a is None:  # a linear neuron: the drive is the output
        return f"{delta} = ∂{names[-1]}/∂{names[z]} = {result}"
    slope = order[a].local_grads[0]
    prime = f"σ′({names[z]})"
    nexts = [(k, p) for k, p in users.get(a, []) if order[k].op.startswith("w·x") and p % 2 == 1]
    nexts = [(k, p) for k, p in nexts if (role(order[k].label) or (None,))[0] == "z"]
    if not nexts:  # the output layer
        da = pretty(grads[a], digits)
        return f"{delta} = ∂{names[-1]}/∂{names[a]}·{prime} = {_s(da)}·{_s(pretty(slope, digits))} = {result}"
    weights = [names[pos[id(order[k].inputs[p - 1])]] for k, p in nexts]
    symbols = " + ".join(f"{_delta_name(order[k])}·{w}" for (k, _), w in zip(nexts, weights))
    numbers = " + ".join(
        f"{_s(pretty(grads[k], digits))}·{_s(pretty(order[k].local_grads[p], digits))}" for k, p in nexts
    )
    return f"{delta} = ({symbols})·{prime} = ({numbers})·{_s(pretty(slope, digits))} = {result}"


def _weight_lines(order, names, grads, zs: list[int], digits: int) -> list[str]:
    """dL/dw_ji = delta_j · a_i (and dL/db_j = delta_j) for the weights into these drives."""
    pos = {id(v): k for k, v in enumerate(order)}
    lines = []
    for z in zs:
        v = order[z]
        delta = _delta_name(v)
        weights = len(v.inputs) // 2
        for i in range(weights):
            w, x = pos[id(v.inputs[2 * i])], pos[id(v.inputs[2 * i + 1])]
            lines.append(
                f"∂{names[-1]}/∂{names[w]} = {delta}·{names[x]} = {_s(pretty(grads[z], digits))}·"
                f"{_s(pretty(order[x].data, digits))} = {pretty(grads[w], digits)}"
            )
        if v.op == "w·x+b":
            b = pos[id(v.inputs[-1])]
            lines.append(f"∂{names[-1]}/∂{names[b]} = {delta} = {pretty(grads[b], digits)}")
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES] + [f"... and {len(lines) - MAX_LINES} more weights, each δ·input"]
    return lines


def _delta_name(z: Value) -> str:
    """δ_j^(l) of the neuron whose drive is z (z's label z_j^(l)), typeset."""
    r = network_role(z)
    return typeset(f"delta{r.j}^({r.layer})")


def _s(text: str) -> str:
    return f"({text})" if text.startswith(("-", "−")) else text
