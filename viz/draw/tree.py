"""The graph behind a Value as indented text, for a terminal or a bare REPL.

The root comes first and each node's inputs are indented below it, in the order
the op took them. A node reached a second time (a shared sub-expression) is not
printed again: its line says where it was shown, so the text grows with the
number of nodes, never with the number of paths.

>>> from micrograd import Value
>>> x = Value(3.0, "x")
>>> y = x * x
>>> y.label = "y"
>>> print(tree(y))
y     *     data 9  grad 0
├─ x  leaf  data 3  grad 0
└─ x  (shown above)
"""

from __future__ import annotations

from micrograd import Value, topological_order
from viz.notation.names import one_number_each
from viz.notation.numbers import DIGITS, number

MAX_LINES = 200  # a screenful or two; past this the text says how much was left out


def unique_names(root: Value) -> dict[Value, str]:
    """A name for every node: its label, made unique with #k where labels repeat, else #k.

    k is the node's index in `topological_order(root)`, the same index the DOT
    drawings use (node v{k}), so a name can be found on a drawing.
    """
    order = topological_order(root)
    counts: dict[str, int] = {}
    for v in order:
        if v.label:
            counts[v.label] = counts.get(v.label, 0) + 1
    names = {}
    for k, v in enumerate(order):
        if v.label and counts[v.label] == 1:
            names[v] = v.label
        else:
            names[v] = f"{v.label}#{k}"
    return names


def tree(root: Value, digits: int = DIGITS, max_lines: int = MAX_LINES) -> str:
    """The graph behind `root` as indented lines: name, op, data and grad of each node.

    Unlabelled nodes are named #k (their index in topological order). A node
    already printed is referred to by name. Past `max_lines` lines the text
    stops and says how many nodes were not shown.
    """
    if not isinstance(root, Value):
        kind = type(root).__name__
        raise TypeError(f"tree needs a micrograd Value, got {kind}: build the graph from Values first")
    one_number_each(root, "tree")
    if not isinstance(max_lines, int) or isinstance(max_lines, bool) or max_lines < 1:
        raise ValueError(f"max_lines must be a whole number >= 1, got {max_lines!r}")
    names = unique_names(root)
    rows: list[tuple[str, str, str, str]] = []  # (indent + name, op, data, grad)
    shown: set[Value] = set()
    cut = False
    # Depth-first with an explicit stack, so graphs deeper than Python's recursion limit print too.
    stack: list[tuple[Value, str, str]] = [(root, "", "")]  # node, its own prefix, its children's prefix
    while stack:
        v, prefix, child_prefix = stack.pop()
        if len(rows) == max_lines:
            cut = True
            break
        if v in shown:
            rows.append((prefix + names[v], "(shown above)", "", ""))
            continue
        shown.add(v)
        rows.append((prefix + names[v], v.op or "leaf", number(v.data, digits), number(v.grad, digits)))
        last = len(v.inputs) - 1
        for i in range(last, -1, -1):  # pushed in reverse, so the first input is printed first
            branch, extend = ("└─ ", "   ") if i == last else ("├─ ", "│  ")
            stack.append((v.inputs[i], child_prefix + branch, child_prefix + extend))
    lines = _columns(rows)
    if cut:
        left_out = len(names) - len(shown)
        lines.append(
            f"... {left_out} more node{'s' if left_out != 1 else ''} not shown "
            f"({len(names)} in all): pass max_lines= to see more"
        )
    return "\n".join(lines)


def _columns(rows: list[tuple[str, str, str, str]]) -> list[str]:
    """Rows as aligned text: the name column as wide as its widest entry, data and grad right-aligned."""
    name_width = max(len(r[0]) for r in rows)
    op_width = max(len(r[1]) for r in rows if r[2])
    data_width = max((len(r[2]) for r in rows if r[2]), default=0)
    grad_width = max((len(r[3]) for r in rows if r[2]), default=0)
    lines = []
    for name, op, data, grad in rows:
        if not data:  # a reference to a node printed above
            lines.append(f"{name:<{name_width}}  {op}".rstrip())
        else:
            numbers = f"data {data:>{data_width}}  grad {grad:>{grad_width}}"
            lines.append(f"{name:<{name_width}}  {op:<{op_width}}  {numbers}")
    return lines
