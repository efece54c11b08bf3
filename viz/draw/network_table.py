"""The weight tables a big network diagram shows beside its picture: one per layer, w_ji in row j, column i.

Each column's heading has the colour of the edges leaving that input in the picture,
so a cell can be matched with its edge.
"""

from __future__ import annotations

from typing import Any

from viz.draw.network_model import Net, Unit
from viz.draw.style import EDGE_COLOURS
from viz.notation.names import typeset

# dark enough for 12 pt text on white, distinct enough to tell four inputs apart
CELL_WIDTH = 100  # points: every column as wide as a 'grad −0.01332' line, so the grid is even


def weight_tables(net: Net, text: Any, show_grads: bool) -> str:
    """An HTML-like label: the tables of every layer, one under the other."""
    rows = [f"<TR><TD>{_table(net, k, layer.units, text, show_grads)}</TD></TR>"
            for k, layer in enumerate(net.layers, 1)]
    note = "row: neuron j, column: input i"
    note += "; each cell: weight, then its grad" if show_grads else "; each cell: the weight"
    rows.append(f'<TR><TD><FONT POINT-SIZE="12">{note}</FONT></TD></TR>')
    return f'<<TABLE BORDER="0" CELLSPACING="10" CELLPADDING="0">{"".join(rows)}</TABLE>>'


def _table(net: Net, k: int, units: list[Unit], text: Any, show_grads: bool) -> str:
    sources = _sources(net, units)
    matrix = typeset(f"W^({k})") if text.unicode else f"W^({k})"
    head = [f'<TD COLSPAN="{len(sources) + 1}" BORDER="0"><B>weights {matrix} into layer {k}</B></TD>']
    top = ['<TD BGCOLOR="#eeeeee"> </TD>']
    for _, name, position in sources:
        colour = EDGE_COLOURS[position % len(EDGE_COLOURS)]
        top.append(f'<TD BGCOLOR="#eeeeee"><FONT COLOR="{colour}"><B>{_escape(name)}</B></FONT></TD>')
    body = []
    for u in units:
        seen = dict(u.weights)
        cells = [f'<TD BGCOLOR="#eeeeee" ALIGN="LEFT">{_escape(u.title)}</TD>']
        for key, _, _ in sources:
            w = seen.get(key)
            if w is None:
                cells.append("<TD>·</TD>")  # no connection: a sparse net (seed 001)
                continue
            value = _escape(text.number(w.data))
            if show_grads:
                value += f'<BR/><FONT POINT-SIZE="12">grad {_escape(text.number(w.grad))}</FONT>'
            cells.append(f'<TD WIDTH="{CELL_WIDTH}">{value}</TD>')
        body.append("<TR>" + "".join(cells) + "</TR>")
    return (f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="5" COLOR="#888888">'
            f'<TR>{"".join(head)}</TR><TR>{"".join(top)}</TR>{"".join(body)}</TABLE>')


def _sources(net: Net, units: list[Unit]) -> list[tuple[str, str, int]]:
    """(key, name, position in its column) of every node the layer reads, in the columns' order."""
    where: dict[str, tuple[int, int, str]] = {}
    for k, s in enumerate(net.inputs):
        where[s.key] = (0, k, s.name)
    for c, layer in enumerate(net.layers, 1):
        for k, u in enumerate(layer.units):
            where[u.key] = (c, k, _output_name(net, u))
    used = {key for u in units for key, _ in u.weights}
    found = sorted((where[key], key) for key in used)
    return [(key, name, position) for (_, position, name), key in found]


def _output_name(net: Net, u: Unit) -> str:
    """a₁⁽¹⁾ (or h₁): what the neuron passes on, as its column heading."""
    if u.activations:
        return net.name(u.activations[0])
    return typeset(u.output) if net.unicode else u.output


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
