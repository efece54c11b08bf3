"""derivation(loss, wrt): the chain rule from a loss to one parameter, written out as the documents do.

Every factor is read from the graph: the op that made a node and the local
derivative the engine stored for each input, so the page shows exactly what
backward() multiplies. For a parameter of an nn network the delta form follows:
delta_j^(l) = sum_k delta_k^(l+1) w_kj^(l+1) sigma'(z_j^(l)) and dL/dw_ji = delta_j a_i.
"""

from __future__ import annotations

import re
from typing import TypeAlias

from micrograd import Value, topological_order
from viz.explain.derivation_text import MAX_PATHS, Delta, Derivation, Factor
from viz.notation.maths import latex_name
from viz.notation.names import node_names, one_number_each
from viz.notation.neurons import adjoints, consumers, network_role, role
from viz.notation.numbers import DIGITS
from viz.notation.ops import DOT_OPS, definition, instance, local_template, partner

MAX_NODES = 20_000  # a derivation of a bigger graph takes seconds and is past reading
_Link: TypeAlias = "tuple[tuple[Value, int], _Link] | None"  # a path: its last step, then the rest


def derivation(loss: Value, wrt: Value | str, format: str = "markdown", digits: int = DIGITS,
               max_nodes: int | None = None) -> Derivation:
    """The chain rule from `loss` to `wrt` (a Value or its label); str() gives Markdown+LaTeX or 'text'.

    Its work grows in step with the graph's size; past max_nodes Values (MAX_NODES
    unless given) it is an error, found after counting max_nodes of them, not all.
    """
    if format not in ("markdown", "text"):
        raise ValueError(f"format must be 'markdown' (LaTeX maths) or 'text' (a terminal), got {format!r}")
    if not isinstance(loss, Value):
        raise TypeError(f"derivation needs the loss as a Value, got {type(loss).__name__}")
    one_number_each(loss, "derivation")
    limit = MAX_NODES if max_nodes is None else max_nodes
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"max_nodes must be a whole number > 0, got {max_nodes!r}")
    if _more_than(loss, limit):
        raise ValueError(f"the loss's graph has more than max_nodes={limit} Values: derive on a "
                         "smaller graph (one example, a smaller network), or pass a larger max_nodes "
                         "to write it all")
    order = topological_order(loss)
    wrt = _find(wrt, order)
    names, latex = _names(order, digits)
    adj = adjoints(loss, order)
    on = _computed_from(order, wrt)
    count = _count_paths(order, wrt, on)
    walks = _paths(loss, wrt, on) if count <= MAX_PATHS else []
    paths = [_factors(p, names, latex) for p in walks]
    deltas, delta_input, delta_rest = _delta_form(wrt, order, adj)
    on_paths = {id(f.out): f.out for path in paths for f in path}
    definitions = [_definition(v, names, latex) for v in order if id(v) in on_paths]
    definitions = [d for d in definitions if any(d)]
    return Derivation(loss, wrt, names, latex, paths, count, adj[id(wrt)], deltas, definitions, delta_input,
                      format, digits, delta_rest)


def _more_than(root: Value, limit: int) -> bool:
    """Whether the graph behind `root` has more than `limit` Values; it stops counting there."""
    seen, todo = {id(root)}, [root]
    while todo:
        for u in todo.pop().inputs:
            if id(u) not in seen:
                seen.add(id(u))
                if len(seen) > limit:
                    return True
                todo.append(u)
    return False


def _find(wrt: Value | str, order: list[Value]) -> Value:
    if isinstance(wrt, str):
        found = [v for v in order if v.label == wrt]
        if len(found) != 1:
            labels = ", ".join(sorted({v.label for v in order if v.label}))
            how = "no node" if not found else f"{len(found)} nodes"
            raise ValueError(f"{how} labelled {wrt!r} in the loss's graph: pass the Value itself; "
                             f"labels: {labels}")
        return found[0]
    if not any(v is wrt for v in order):
        raise ValueError(f"{wrt!r} is not in the loss's graph: the loss does not depend on it")
    return wrt


def _names(order: list[Value], digits: int) -> tuple[dict[int, str], dict[int, str]]:
    """Each node's name as text and as LaTeX: viz.notation.names.node_names, ASCII and typeset (ŷ − t)."""
    text = node_names(order, digits, unicode=False)
    typeset = node_names(order, digits, unicode=True)
    return ({id(v): t for v, t in zip(order, text)},
            {id(v): latex_name(t) for v, t in zip(order, typeset)})


def _computed_from(order: list[Value], wrt: Value) -> set[int]:
    on = {id(wrt)}
    for v in order:
        if any(id(u) in on for u in v.inputs):
            on.add(id(v))
    return on


def _count_paths(order: list[Value], wrt: Value, on: set[int]) -> int:
    count = {id(wrt): 1}
    for v in order:
        if v is not wrt and id(v) in on:
            count[id(v)] = sum(count[id(u)] for u in v.inputs if id(u) in on)
    return count[id(order[-1])] if id(order[-1]) in on else 0


def _paths(loss: Value, wrt: Value, on: set[int]) -> list[list[tuple[Value, int]]]:
    """Each path from loss down to wrt as [(node, input position), ...], loss first.

    A growing path is a linked list ((node, position), the path above it), written out
    once it reaches wrt: a chain of n nodes costs n steps, not the n²/2 of copying it.
    """
    found: list[list[tuple[Value, int]]] = []
    stack: list[tuple[Value, _Link]] = [(loss, None)]
    while stack:
        node, link = stack.pop()
        if node is wrt:
            path = []
            while link is not None:
                step, link = link
                path.append(step)
            found.append(path[::-1])
            continue
        for position in reversed(range(len(node.inputs))):
            if id(node.inputs[position]) in on:
                stack.append((node.inputs[position], ((node, position), link)))
    return found


def _factors(path: list[tuple[Value, int]], names: dict[int, str], latex: dict[int, str]) -> list[Factor]:
    factors, running = [], 1.0
    for out, p in path:
        node, local = out.inputs[p], out.local_grads[p]
        running *= local
        other = out.inputs[partner(out.op, p, len(out.inputs))]
        text, tex = local_template(out.op, p, p == len(out.inputs) - 1)
        fill = {"a": names[id(node)], "b": names[id(other)], "o": names[id(out)]}
        fill_tex = {"a": latex[id(node)], "b": latex[id(other)], "o": latex[id(out)]}
        text = text.format(**{k: _operand(v) for k, v in fill.items()})
        tex = tex.format(**{k: _operand(v) for k, v in fill_tex.items()})
        numbers = instance(out.op, p, [u.data for u in out.inputs], out.data)
        factors.append(Factor(out, node, p, text, tex, numbers, local, running))
    return factors


def _operand(name: str) -> str:
    """A name inside a formula: in parentheses when it is a sum or a scaled term (2·(ŷ − t))."""
    depth = 0
    for char in name:
        depth += (char == "(") - (char == ")")
        if char == " " and depth == 0:
            return f"({name})"
    return f"({name})" if name.startswith(("-", "−")) else name


def _definition(v: Value, names: dict[int, str], latex: dict[int, str]) -> tuple[str, str]:
    """What a node named #k (its formula too long for a name) is: ('#12 = ...', LaTeX), '' where not #k."""
    text, tex = definition(v.op, [names[id(u)] for u in v.inputs], [latex[id(u)] for u in v.inputs])
    text = f"{names[id(v)]} = {text}" if re.fullmatch(r"#\d+", names[id(v)]) else ""
    tex = f"{latex[id(v)]} = {tex}" if re.fullmatch(r"\\#\d+", latex[id(v)]) else ""
    return text, tex


def _delta_form(wrt: Value, order: list[Value], adj: dict[int, float]):
    """The deltas from wrt's neuron up to the output, and a_i for a weight (None for a bias)."""
    r = role(wrt.label)
    if r is None or r.kind not in ("w", "b"):
        return [], None, []
    used_by = consumers(order)
    drives = [(z, p) for z, p in used_by[id(wrt)] if z.op in DOT_OPS and role(z.label)]
    if len(drives) != 1:  # not a network parameter, or used once per example: the paths say it all
        return [], None, []
    z, position = drives[0]
    rest = [(c, adj[id(c)], c.local_grads[p]) for c, p in used_by[id(wrt)] if c is not z]
    delta_input = None if r.kind == "b" else z.inputs[position + 1]
    deltas: dict[tuple[int, int], Delta] = {}
    todo = [z]
    while todo:
        zj = todo.pop()
        key = (network_role(zj).layer, network_role(zj).j)
        if key in deltas:
            continue
        delta, upstream = _delta(zj, used_by, adj)
        deltas[key] = delta
        todo.extend(upstream)
    return sorted(deltas.values(), key=lambda d: (-d.layer, d.j)), delta_input, rest


def _delta(z: Value, used_by: dict, adj: dict[int, float]) -> tuple[Delta, list[Value]]:
    """delta of the neuron whose drive is z, and the next layer's drives it is computed from."""
    r = network_role(z)
    activations = [a for a, _ in used_by[id(z)] if (ra := role(a.label)) and ra.kind == "a"]
    a = activations[0] if activations else z  # a linear neuron: its drive is its output
    sigma_prime = a.local_grads[0] if activations else 1.0
    delta = Delta(r.layer, r.j, adj[id(z)], a.op if activations else "linear", z.data, a.data, sigma_prime,
                  output=a)
    fed = used_by[id(a)]
    next_drives = [(zk, p) for zk, p in fed if zk.op in DOT_OPS and role(zk.label)]
    if fed and len(next_drives) == len(fed):  # a hidden neuron: the sum over the next layer
        for zk, p in next_drives:
            w = zk.inputs[p - 1]
            delta.upstream.append((network_role(zk).j, adj[id(zk)], w, w.data))
        delta.upstream.sort(key=lambda u: u[0])
        return delta, [zk for zk, _ in next_drives]
    delta.dl_da = adj[id(a)]
    return delta, []
