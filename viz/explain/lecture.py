"""step_through: one self-contained HTML page that steps through a forward and a backward pass.

The page holds the graph drawn by `draw_dot` (SVG, inline), the steps computed
by `viz.explain.steps` (JSON, inline) and its own script and styles (viz/explain/static,
inline): nothing is fetched, so it works from a USB stick in a lecture hall.
Arrow keys, Page Up/Down (presentation clickers) and two buttons move one step;
the script's camera frames each step's node with its inputs (lecture.js).
"""

from __future__ import annotations

import html
import json
import os
import pathlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

from micrograd import Value, topological_order
from micrograd.files import write_atomically
from nn import Module, labels, losses
from viz.draw.graph import draw_dot
from viz.draw.render import pipe
from viz.explain import training
from viz.explain.layer_steps import layer_steps
from viz.explain.steps import chains, find, path_from
from viz.notation.names import leaf_kind
from viz.notation.neurons import role
from viz.notation.numbers import DIGITS, pretty

STATIC = pathlib.Path(__file__).with_name("static")
SVG = "http://www.w3.org/2000/svg"
SUMMARY_LINES = 12  # leaves listed on the last step
MAX_NODES = 2000  # about a second to draw (viz.draw.render's measurements); beyond, minutes
_EDGE = re.compile(r"^v(\d+)(op)?(?::[\w:]+)?->v(\d+)(op)?(?::[\w:]+)?$")  # ends may have ports: v3->v6op:n


def step_through(
    root: Value | Callable[[], Value] | Module,
    path: str | os.PathLike,
    *,
    wrt: Value | str | None = None,
    title: str | None = None,
    digits: int = DIGITS,
    layers: bool | None = None,
    rankdir: str = "LR",
    max_nodes: int = MAX_NODES,
    constants: bool = False,
    steps: int = 1,
    lr: float | None = None,
    data: tuple[Sequence, Sequence] | None = None,
    loss: Callable | None = None,
    solution: str | None = None,
) -> pathlib.Path:
    """Write an HTML page stepping through training: each step's forward pass, then backward, edge by edge.

    root: the loss (one step), a function building the loss from the current weights,
    or an nn model with `data` = (inputs, targets) and `loss` (default
    nn.losses.half_sum_squares, added up over the examples). steps: training steps,
    each the passes and the SGD update p <- p - lr * dL/dp (lr needed past one step).
    wrt: a leaf (or its label) whose paths to the root the page can highlight. layers:
    also step through a network layer by layer (drive, activation, delta); by default
    when nn's labels are found. max_nodes: refuse bigger graphs (drawing 2,000 Values
    takes about a second). constants: also step through the grads of constants and
    targets. solution: a page to link back to (solution.html beside it).
    The numbers are the engine's; the parameters and grads are left as they were.

    >>> import nn, tempfile, os
    >>> model = nn.MLP(2, [2, 1], activation="sigmoid", init=0.5)
    >>> page = step_through(model, os.path.join(tempfile.mkdtemp(), "net.html"),
    ...                     data=([[1.0, 2.0]], [[1.0]]), steps=3, lr=0.5)
    """
    if not isinstance(steps, int) or isinstance(steps, bool) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be a whole number from 1 to {MAX_STEPS}, got {steps!r}")
    build = _builder(root, data, loss, steps)
    path = pathlib.Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"step_through writes an HTML page: give a path ending in .html, got {str(path)!r}")
    if steps > 1 and lr is None:
        raise ValueError(f"steps={steps} trains the network: give the learning rate, lr=0.1 say")
    first = build()
    count = len(topological_order(first))
    if count > max_nodes:
        raise ValueError(
            f"the graph has {count} Values, more than max_nodes={max_nodes}: a page that big takes long to "
            f"draw and to step through; use a smaller network (its layer view shows the same deltas), "
            f"or pass max_nodes={count}"
        )
    parameters = root.parameters() if isinstance(root, Module) else None
    order = topological_order(first)
    source = find(order, wrt) if wrt is not None else None
    at = next(k for k, v in enumerate(order) if v is source) if source is not None else None

    def more(steps: dict) -> dict:  # read while the weights hold this step's values
        now, names = steps["order"], steps["names"]
        return {
            "layers": layer_steps(now, names, steps, digits) if layers is not False else None,
            "end": _summary(now, names, steps["grads"], digits),
            "path": _path(now, names, now[at], steps["grads"], digits) if at is not None else None,
        }

    table = training.Lines()
    built = [first]  # step 1 uses the loss already built

    def again() -> Value:
        return built.pop() if built else build()

    records = training.run(again, steps, lr, digits, constants, parameters, table, more)
    one = records[0]
    names = one["steps"]["names"]
    by_layer = one["layers"]
    if layers and not by_layer:
        raise ValueError("layers=True needs a network's labels (z1^(1), a1^(1), ...): build it with nn.MLP")
    shown = sum(leaf_kind(v) != "constant" for v in order)  # a constant may be drawn as its number alone
    svg = tag_svg(_drawing(first, one["steps"]["grads"], digits, rankdir, constants), len(order), shown)
    weights = sorted(one["weights"], key=lambda k: _rank(order[k].label))
    data_ = {
        "title": title or f"Backpropagation through {names[-1]}",
        "solution": solution,
        "nodes": [{"name": n, "leaf": not v.op, "grad": constants or leaf_kind(v) != "constant"}
                  for n, v in zip(names, order)],
        "path": {key: one["path"][key] for key in ("node", "name", "nodes")} if one["path"] else None,
        "layers": _structure(by_layer) if by_layer else None,
        "weights": [{"k": k, "name": names[k]} for k in weights],
        "lines": table.table,
        "lr": pretty(lr, digits) if lr is not None else None,
        "train": [_training_step(r) for r in records],
    }
    write_atomically(path, page(data_, svg))
    return path


MAX_STEPS = 200  # a page of 200 steps of seed 004 is about 3 MB


def _builder(root, data, loss, steps) -> Callable[[], Value]:
    """A function building the loss from the current weights, for each kind of `root`."""
    if isinstance(root, Module):
        if data is None:
            raise ValueError("step_through(model, ...) needs the examples: data=(inputs, targets)")
        return lambda: network_loss(root, data, loss)
    if data is not None or loss is not None:
        raise ValueError("data= and loss= go with an nn model: pass the model itself as the first argument")
    if isinstance(root, Value):
        if steps != 1:
            raise ValueError(f"steps={steps} needs the loss built again after each update: pass a function "
                             "that builds it (lambda: ...), or an nn model with data=(inputs, targets)")
        return lambda: root
    if callable(root):
        def build() -> Value:
            made = root()
            if not isinstance(made, Value):
                raise TypeError(f"the function passed to step_through must return the loss as a micrograd "
                                f"Value, it returned {type(made).__name__}")
            return made
        return build
    raise TypeError(f"step_through needs a micrograd Value (the loss), a function building it, or an nn "
                    f"model with data, got {type(root).__name__}")


def network_loss(model: Module, data: tuple[Sequence, Sequence], loss: Callable | None = None) -> Value:
    """The loss of an nn model over its examples, with nn's labels: inputs x1, x2, ..., targets t1, ..."""
    inputs, targets = data
    if len(inputs) != len(targets) or not len(inputs):
        raise ValueError(f"data: {len(inputs)} inputs and {len(targets)} targets; give one target per input")
    each = []
    for x, t in zip(inputs, targets):
        xs = [Value(float(v), labels.network_input(i)) for i, v in enumerate(x, 1)]
        out = model(xs)
        out = out if isinstance(out, list) else [out]
        t = [t] if not isinstance(t, (list, tuple)) else t
        ts = [Value(float(v), f"t{k}") for k, v in enumerate(t, 1)]
        each.append((loss or losses.half_sum_squares)(out, ts))
    total = each[0] if len(each) == 1 else losses.total(each)
    total.label = "loss"
    return total


def _structure(by_layer: dict) -> dict:
    """The layer view's fixed part: its columns, the given cells, the links (each naming its weight)."""
    return {"columns": by_layer["columns"], "given": by_layer["given"],
            "links": [{k: v for k, v in link.items() if k != "value"} for link in by_layer["links"]]}


def _training_step(record: dict) -> dict:
    """What changes from one training step to the next: the numbers, the steps' lines, the derivations."""
    steps, layered = record["steps"], record["layers"]
    return {
        "loss": record["loss"], "shown": record["shown"],
        "data": record["data"], "grads": record["grads"], "locals": record["locals"],
        "steps": steps["forward"] + steps["backward"], "end": record["end"],
        "path": record["path"]["lines"] if record["path"] else None,
        "layers": {"values": layered["values"], "steps": layered["steps"],
                   "links": [link.get("value") for link in layered["links"]]} if layered else None,
        "size": record["size"], "weights": record["weights"], "marks": record["marks"],
    }


def _drawing(root: Value, grads: list[float], digits: int, rankdir: str, constants: bool = False) -> str:
    """draw_dot's SVG of the graph with one backward pass's grads on it, the Values untouched after."""
    order = topological_order(root)
    kept = [v.grad for v in order]
    try:
        for v, g in zip(order, grads):
            v.grad = g
        # the page follows the step, so a graph too big to read whole is still usable: every Value
        # drawn (the steps need each one), however many
        graph = draw_dot(root, digits=digits, local_grads=True, rankdir=rankdir, max_nodes=len(order),
                         collapse=False, constant_grads=constants)
    finally:
        for v, g in zip(order, kept):
            v.grad = g
    return pipe(graph, "svg").decode("utf-8")


def tag_svg(svg: str, count: int, numbered: int | None = None) -> str:
    """The SVG with hooks for the page's script: which group is node k, its op, each edge, each number.

    Value node k gets data-k, its `data`/`grad` numbers a <tspan class="num">;
    its op node data-op; an edge data-from/data-to (and data-nth for a repeated
    input, as in x*x); an edge's local-derivative label class "local".
    count: the graph's Values, each of which must be found; numbered: how many at least
    must show their data (all by default).
    """
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    tree = ET.fromstring(svg)
    seen_edges: dict[tuple, int] = {}
    tagged = groups = 0
    for g in tree.iter(f"{{{SVG}}}g"):
        kind = g.get("class")
        title = g.find(f"{{{SVG}}}title")
        name = (title.text or "") if title is not None else ""
        if kind == "node" and re.fullmatch(r"v\d+op", name):
            g.set("data-op", name[1:-2])
        elif kind == "node" and re.fullmatch(r"v\d+", name):
            g.set("data-k", name[1:])
            groups += 1
            tagged += _tag_numbers(g)
        elif kind == "edge":
            match = _EDGE.match(name.replace("&gt;", ">"))
            if not match:
                continue
            a, a_op, b, b_op = match.groups()
            key = (a, a_op, b, b_op)
            g.set("data-from", a + ("op" if a_op else ""))
            g.set("data-to", b + ("op" if b_op else ""))
            g.set("data-nth", str(seen_edges.get(key, 0)))
            seen_edges[key] = seen_edges.get(key, 0) + 1
            for text in g.iter(f"{{{SVG}}}text"):
                text.set("class", "local")
    needed = count if numbered is None else numbered
    if groups != count or tagged < needed:
        raise RuntimeError(
            f"the drawing has {groups} of {count} Values, {tagged} of them with their data "
            f"(at least {needed} needed): draw_dot's node names or labels changed"
        )
    return ET.tostring(tree, encoding="unicode")


def _tag_numbers(g: ET.Element) -> int:
    """Wrap the numbers of a value node's 'data X' and 'grad Y' texts in tspans the script can rewrite."""
    found = set()
    for text in reversed(list(g.iter(f"{{{SVG}}}text"))):  # from the end: a label may begin with "data"
        content = text.text or ""
        for field in ("data", "grad"):
            if content.startswith(field + " ") and field not in found:
                text.text = field + " "
                span = ET.SubElement(text, f"{{{SVG}}}tspan", {"class": f"num {field}"})
                span.text = content[len(field) + 1:]
                found.add(field)
    return 1 if "data" in found else 0  # a constant's grad may be left out of the drawing


def _path(order: list[Value], names: list[str], source: Value, grads: list[float], digits: int) -> dict:
    """The nodes on the paths from the root to `source`, and d root / d source as a sum of products.

    Each path is read from the loss down to the weight, as the documents and
    viz.derivation() write the chain rule: ∂L/∂w = ∂L/∂u · ∂u/∂v · ... · ∂z/∂w.
    """
    k = next(i for i, v in enumerate(order) if v is source)
    lines = []
    found = chains(order, source)
    if found is None:
        lines.append(f"more than 6 paths lead from {names[-1]} to {names[k]}: their products add up")
    else:
        for chain in found:
            down = [names[n] for n, _ in reversed(chain)] + [names[k]]
            factors = " × ".join(_signed(pretty(local, digits)) for _, local in reversed(chain))
            product = 1.0
            for _, local in reversed(chain):  # the same order as the factors shown
                product *= local
            lines.append(f"path {' ← '.join(down)}:")
            lines.append(f"  {factors} = {pretty(product, digits)}")
    lines.append(f"∂{names[-1]}/∂{names[k]} = grad({names[k]}) = {pretty(grads[k], digits)}")
    return {"node": k, "name": names[k], "nodes": path_from(order, source), "lines": lines}


def _summary(order: list[Value], names: list[str], grads: list[float], digits: int) -> list[str]:
    """The last page: d root / d leaf for every labelled leaf (the parameters and inputs)."""
    root = names[-1]
    leaves = [k for k, v in enumerate(order) if v.label and leaf_kind(v) in ("parameter", "input")]
    leaves.sort(key=lambda k: _rank(order[k].label))
    lines = [f"∂{root}/∂{names[k]} = {pretty(grads[k], digits)}" for k in leaves]
    if len(lines) > SUMMARY_LINES:
        lines = lines[:SUMMARY_LINES] + [f"... and {len(lines) - SUMMARY_LINES} more"]
    return [f"Every grad is known: grad({root}) = 1 went back along every edge."] + lines


def _rank(label: str) -> tuple:
    """Parameters first, last layer first as backpropagation (and the documents) go; other leaves after."""
    r = role(label)
    if r is None or r.kind not in ("w", "b"):
        return (1,)
    return (0, -(r.layer or 0), r.j or 0, r.kind == "b", r.i or 0)


def _signed(text: str) -> str:
    return f"({text})" if text.startswith(("-", "−")) else text


def page(data: dict, svg: str) -> str:
    """The whole page: styles, drawing, panel and script, in one string."""
    css = (STATIC / "lecture.css").read_text(encoding="utf-8")
    js = (STATIC / "lecture.js").read_text(encoding="utf-8")
    # JSON inside <script>: every "<" escaped, so no "</script" or "<!--" in a label can end it early
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    parts = {"title": html.escape(data["title"]), "css": css, "svg": svg, "data": payload, "js": js}
    template = (STATIC / "lecture.html").read_text(encoding="utf-8")
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m[1]], template)  # one pass: no part is read twice
