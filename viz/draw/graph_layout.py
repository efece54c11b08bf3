"""Where draw_dot puts each node: columns left to right, rows top to bottom, as the documents draw it.

Graphviz alone ranks a leaf next to its first use and orders a column to cut
crossings, which stacks the layers as a staircase and shuffles the neurons. Here
every node gets a column (inputs first, a layer's weights one column right of the
previous layer's activations, the loss last) and a row (the order in which a walk
from the root, inputs in order, first meets it: neuron 1 before 2, w_j1 .. w_jn
before b_j), and `pin` writes both into the DOT source.
"""

from __future__ import annotations

import unicodedata

from micrograd import Value

POINTS = 72.0  # points per inch


def columns(order: list[Value], inputs: set[int]) -> tuple[list[int], list[int | None]]:
    """(column of each Value's box, column of its op oval or None), by index in `order`.

    `inputs` (ids) sit in column 0. A computed node's op comes right after the latest
    box it reads, one column later again when it also reads other leaves (weights,
    biases, targets, numbers): those sit in the column just before their first op.
    """
    index = {id(v): k for k, v in enumerate(order)}
    box: list[int] = [0] * len(order)
    op: list[int | None] = [None] * len(order)
    placed = [bool(v.op) or id(v) in inputs for v in order]  # leaves other than inputs come later
    for k, v in enumerate(order):
        if not v.op:
            continue
        read = [box[index[id(u)]] for u in v.inputs if placed[index[id(u)]]]
        loose = any(not placed[index[id(u)]] for u in v.inputs)
        at = max(read, default=-1) + (2 if loose else 1)
        op[k], box[k] = at, at + 1
    first_use: dict[int, int] = {}
    for v, oval in zip(order, op):
        if oval is None:  # a leaf: it has no inputs
            continue
        for u in v.inputs:
            j = index[id(u)]
            if not placed[j]:
                first_use[j] = min(first_use.get(j, oval), oval)
    for j, col in first_use.items():
        box[j] = col - 1
    return box, op


def rows(order: list[Value]) -> list[int]:
    """Each Value's place top to bottom: when a walk from the root, inputs in order, first meets it."""
    index = {id(v): k for k, v in enumerate(order)}
    seen: list[int | None] = [None] * len(order)
    count = 0
    stack = [order[-1]]
    while stack:  # iterative: a deep graph would overflow Python's recursion
        v = stack.pop()
        k = index[id(v)]
        if seen[k] is not None:
            continue
        seen[k] = count
        count += 1
        stack.extend(reversed(v.inputs))
    return [count + k if s is None else s for k, s in enumerate(seen)]


def pin(g, placed: dict[int, list[tuple[tuple, str]]], boxed: set[str]) -> None:
    """Write the columns into `g`: one rank=same subgraph per column, its nodes chained top to bottom.

    `placed` maps a column to (sort key, DOT node name) pairs; `boxed` names the nodes
    in clusters. The chain is a row of invisible flat edges: Graphviz keeps a flat
    edge's tail above its head (rankdir=LR). An invisible edge from each column's
    middle node to the next keeps the columns in order and the layers level.
    """
    previous = None
    for col in sorted(placed):
        names = [name for _, name in sorted(placed[col])]
        with g.subgraph(name=f"column{col}") as column:
            column.attr(rank="same")
            for name in names:
                column.node(name)
        for upper, lower in zip(names, names[1:]):
            # Graphviz (graphviz-pure) keeps the order of nodes in clusters (`boxed`) only for
            # such an edge with constraint=false, and of the others only without it
            loose = {"constraint": "false"} if upper in boxed and lower in boxed else {}
            g.edge(upper, lower, style="invis", **loose)
        middle = names[(len(names) - 1) // 2]
        if previous is not None:
            g.edge(previous, middle, style="invis", weight="10")
        previous = middle


def text_width(text: str, size: float) -> float:
    """About how wide `text` is in inches at `size` points in Helvetica, counting every character.

    Graphviz has widths for ASCII only and counts any other character (₁, ⁽, −, ŷ) as a
    space, so boxes with typeset names come out too narrow unless they are told this.
    """
    em = 0.0
    for char in text:
        if char in "ijlI.,:;!|'()[] ":
            em += 0.3
        elif char in "mwMW":
            em += 0.85
        elif unicodedata.category(char) == "Mn":  # a combining mark takes no room
            continue
        elif char in "₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾₍₎⁻⁺":
            em += 0.4
        else:
            em += 0.6
    return em * size / POINTS
