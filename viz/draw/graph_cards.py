"""The text of a computation graph drawing: each Value's card, each op's oval, the heading on top.

Cards are HTML-like tables, not records: Graphviz cannot keep records in order with
the flat edges viz.draw.graph_layout uses. Every cell is told its width, as Graphviz
misjudges typeset text (w₁₂⁽¹⁾, ŷ, −) that it has no widths for.
"""

from __future__ import annotations

from micrograd import Value
from viz.draw import graph_layout
from viz.draw.style import INK, LABEL_PT, NODE_PT, TITLE_PT
from viz.notation.formulas import is_function, symbol
from viz.notation.names import formula, typeset
from viz.notation.numbers import pretty

# an operator's symbol in its oval; a function (σ, ln, ReLU) shows its name from the op table
SYMBOLS = {"+": "+", "*": "×", "neg": "−( )", "w·x+b": "w·x + b", "w·x": "w·x"}
ORDERED = ("-", "/", "**")  # ops whose operands cannot be swapped: the oval names them
STAND_INS = ("u", "v")  # an ordered op's operands when their names are too long for the oval
OVAL_CHARS = 14  # an ordered op's oval spells out its operands up to this length
ROOT_FORMULA = 16  # a labelled root (the loss) shows its formula up to this length


def fields(v: Value, names: list[str], k: int, index: dict, show, digits: int, grad: bool) -> list[str]:
    """The lines of a Value's box: its name, data and grad.

    The network's output says it is ŷ (a₁⁽²⁾ = ŷ); a labelled root says what it is made
    of when that is short (L = ½ (ŷ − t)²); a number's name is its data.
    """
    unicode = show is pretty
    title = names[k]
    label = typeset(v.label) if unicode else v.label
    if v.label and title.startswith(("ŷ", "y_hat")) and label != title:
        title = f"{label} = {title}"
    if k == len(names) - 1 and v.op and v.label:
        made = formula(v.op, [names[index[id(u)]] for u in v.inputs], unicode,
                       [u.data if not u.op and not u.label else None for u in v.inputs])
        if len(made) <= ROOT_FORMULA:
            title = f"{title} = {made}"
    grads = [f"grad {show(v.grad, digits)}"] if grad else []
    if not v.op and not v.label:
        return [title] + grads
    return [title, f"data {show(v.data, digits)}"] + grads


def card(fields: list[str], stacked: bool, style: dict, widths: list[float] | None = None) -> str:
    """An HTML-like table: the fields stacked or side by side, one cell each.

    Not a record shape: Graphviz cannot keep records in order with flat edges (viz.draw.graph_layout).
    Each cell is told its width, as Graphviz underestimates typeset text (graph_layout.text_width),
    or is given `widths` (points), so that a column of cards lines up.
    """
    fill = style.pop("fillcolor", None) if style.pop("style", None) == "filled" else None
    colour = style.pop("color", INK)
    points = widths or cell_widths(fields)
    # given widths: fixed, as wide as the column's widest text; centred, since left-aligned text
    # starts on the border in graphviz-pure's PNG (it underestimates typeset text's width)
    fixed = ' FIXEDSIZE="TRUE" HEIGHT="24"' if widths else ""
    pad = 12 if widths else 0
    cells = [f'<TD WIDTH="{w + pad:.0f}"{fixed}>{_escape(f)}</TD>' for f, w in zip(fields, points)]
    rows = "".join(f"<TR>{c}</TR>" for c in cells) if stacked else f"<TR>{''.join(cells)}</TR>"
    back = f' BGCOLOR="{fill}"' if fill else ""
    style.update(shape="plain")
    return (f'<<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="{colour}"{back}>'
            f"{rows}</TABLE>>")


def cell_widths(fields: list[str]) -> list[float]:
    """The width in points each field of a card needs at node size."""
    return [graph_layout.text_width(f, NODE_PT) * graph_layout.POINTS + 14 for f in fields]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def oval(v: Value, args: list[str], unicode: bool) -> str:
    """The op's text: a symbol, or for an op whose operands cannot be swapped, the op over their names."""
    op = v.op
    if op in ORDERED:
        text = formula(op, args, unicode)
        if len(text) > OVAL_CHARS:  # long operand names: stand-ins, the edges say which is which
            text = formula(op, list(STAND_INS), unicode)
        return text
    if op.startswith("**"):
        k = op[2:]
        return formula(op, ["( )"], unicode) if unicode else f"( )^{k}"
    if not unicode:
        return op
    return symbol(op)[0] if is_function(op) else SYMBOLS.get(op, op)


def heading(title: str | None, cells: list[str]) -> str:
    """The label on top of a drawing: the title, then one row of key cells."""
    rows = ""
    if title:
        text = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        span = max(1, len(cells))
        rows += f'<TR><TD COLSPAN="{span}"><FONT POINT-SIZE="{TITLE_PT}"><B>{text}</B></FONT></TD></TR>'
    if cells:
        rows += f'<TR>{"".join(cells)}</TR>'
    return f'<<FONT POINT-SIZE="{LABEL_PT + 1}"><TABLE BORDER="0" CELLSPACING="4">{rows}</TABLE></FONT>>'
