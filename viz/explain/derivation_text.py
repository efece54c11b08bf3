"""A chain-rule derivation as it is written: its parts (Factor, Delta, Derivation) and their
Markdown with LaTeX maths (the documents' own format) or plain text.

viz.explain.derivation reads the parts off the graph; str(Derivation) writes them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from micrograd import Value
from viz.notation.maths import num
from viz.notation.numbers import DIGITS, number
from viz.notation.ops import sigma_prime_text

MAX_PATHS = 12  # more paths than this are summed without being listed one by one


@dataclass
class Factor:
    """One local derivative d(out)/d(node) along a path, with its formula and number."""

    out: Value
    node: Value
    position: int     # which input of `out` the node is
    formula: str      # in terms of names: 'σ(z1^(1))(1 − σ(z1^(1)))', 'x1', '1'
    latex: str        # the same in LaTeX
    instance: str     # the same with numbers: '0.5 (1 − 0.5)'; '' when that adds nothing
    value: float
    running: float    # product of this path's factors so far: dL/d(node) along this path


@dataclass
class Delta:
    """delta_j^(l) = dL/dz_j^(l) of one neuron, with how it is computed from the next layer."""

    layer: int
    j: int
    value: float
    activation: str   # the activation's op ('sigmoid', 'tanh', 'relu', '**2') or 'linear'
    z: float          # the drive
    a: float          # the activation (= z for a linear neuron)
    sigma_prime: float
    output: Value     # the neuron's output node (a, or z when linear): named ŷ at the top
    # (k, delta_k, the node w_kj, w_kj) for each neuron k of the next layer that this one feeds
    upstream: list[tuple[int, float, Value, float]] = field(default_factory=list)
    dl_da: float | None = None  # set for an output neuron: dL/da, straight from the loss


@dataclass
class Derivation:
    """The chain rule from `loss` to `wrt`: every path's factors, their sum, and the delta form."""

    loss: Value
    wrt: Value
    names: dict[int, str]
    latex_names: dict[int, str]
    paths: list[list[Factor]]
    path_count: int
    total: float
    deltas: list[Delta]
    definitions: list[tuple[str, str]]  # (text, LaTeX) '#12 = ...' for a name too long to write; '' if none
    delta_input: Value | None  # the node a_i for a weight; None for a bias
    format: str = "markdown"
    digits: int = DIGITS
    # the other nodes made from wrt besides its neuron's drive (an L2 term): (node, dL/dnode, dnode/dwrt)
    delta_rest: list[tuple[Value, float, float]] = field(default_factory=list)

    def name(self, v: Value) -> str:
        """The name a node goes by in text: viz.notation.names.node_names' ASCII one (w12^(1), y_hat - t)."""
        return self.names[id(v)]

    def __str__(self) -> str:
        return markdown(self) if self.format == "markdown" else text(self)

    def _repr_markdown_(self) -> str:
        return markdown(self)


def text(d: Derivation) -> str:
    """The derivation as plain text for a terminal."""
    n = lambda x: number(x, d.digits)  # noqa: E731
    loss, wrt = _d(d.name(d.loss)), _d(d.name(d.wrt))
    ends = f"from {d.name(d.loss)} to {d.name(d.wrt)}"
    lines = [f"d{loss}/d{wrt} by the chain rule ({_paths_phrase(d)} {ends}):", ""]
    if any(text for text, _ in d.definitions):
        lines += ["  where " + ", ".join(text for text, _ in d.definitions if text), ""]
    for k, path in enumerate(d.paths, 1):
        if len(d.paths) > 1:
            lines.append(f"path {k}:")
        chain = " · ".join(f"d{_d(d.name(f.out))}/d{_d(d.name(f.node))}" for f in path)
        lines += [f"  d{loss}/d{wrt} = {chain}" if len(d.paths) == 1 else f"  {chain}", ""]
        rows = [("factor", "formula", "with numbers", "value", "product so far")]
        rows += [(f"d{_d(d.name(f.out))}/d{_d(d.name(f.node))}{_which(f)}", f.formula, f.instance,
                  n(f.value), n(f.running)) for f in path]
        widths = [max(len(r[c]) for r in rows) for c in range(5)]
        lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
        product = " · ".join(_paren(n(f.value)) for f in path)
        lines += ["", f"  = {product} = {n(path[-1].running if path else 0.0)}", ""]
    if len(d.paths) > 1:
        terms = " + ".join(_paren(n(p[-1].running)) for p in d.paths)
        lines += [f"sum of the {len(d.paths)} paths: d{loss}/d{wrt} = {terms} = {n(d.total)}", ""]
    elif not d.paths:
        lines += [f"  their sum: d{loss}/d{wrt} = {n(d.total)}", ""]
    if d.deltas:
        lines += _delta_text(d, n)
    return "\n".join(lines).rstrip() + "\n"


def _delta_text(d: Derivation, n) -> list[str]:
    own = d.deltas[-1]
    lines = [f"delta form ({d.name(d.wrt)} belongs to neuron {own.j} of layer {own.layer}):"]
    for delta in d.deltas:
        name = f"δ{delta.j}^({delta.layer})"
        sigma = f"σ'(z{delta.j}^({delta.layer})) = {_sigma_text(delta, n)}"
        if delta.dl_da is not None:
            a = d.name(delta.output)
            lines.append(f"  {name} = d{_d(d.name(d.loss))}/d{_d(a)} · σ'(z{delta.j}^({delta.layer})) "
                         f"= {_paren(n(delta.dl_da))} · {_paren(n(delta.sigma_prime))} = {n(delta.value)}")
        else:
            terms = " + ".join(f"{_paren(n(dk))} · {_paren(n(w))}" for _, dk, _, w in delta.upstream)
            symbols = " + ".join(f"δ{k}^({delta.layer + 1}) {d.name(w)}" for k, _, w, _ in delta.upstream)
            lines.append(f"  {name} = ({symbols}) · σ'(z{delta.j}^({delta.layer})) "
                         f"= ({terms}) · {_paren(n(delta.sigma_prime))} = {n(delta.value)}")
        lines.append(f"      where {sigma}")
    name = f"δ{own.j}^({own.layer})"
    loss = _d(d.name(d.loss))
    symbol, numbers = name, _paren(n(own.value))
    if d.delta_input is not None:
        symbol += f" · {d.name(d.delta_input)}"
        numbers += f" · {_paren(n(d.delta_input.data))}"
    for c, adj, local in d.delta_rest:  # the paths that do not go through the neuron's drive
        symbol += f" + d{loss}/d{_d(d.name(c))} · d{_d(d.name(c))}/d{_d(d.name(d.wrt))}"
        numbers += f" + {_paren(n(adj))} · {_paren(n(local))}"
    equals = f"= {numbers} " if symbol != name else ""
    result = d.total if d.delta_rest else _own(d)
    lines.append(f"  d{loss}/d{_d(d.name(d.wrt))} = {symbol} {equals}= {n(result)}")
    return lines


def _own(d: Derivation) -> float:
    """The delta form's product: delta, times a_i for a weight."""
    own = d.deltas[-1]
    return own.value if d.delta_input is None else own.value * d.delta_input.data


def markdown(d: Derivation) -> str:
    """The derivation as Markdown with LaTeX maths, as the documents write it."""
    t = lambda x: latex_number(x, d.digits)  # noqa: E731
    r = lambda x: latex_number(x, d.digits, paren=False)  # noqa: E731
    loss, wrt = d.latex_names[id(d.loss)], d.latex_names[id(d.wrt)]
    whole = _frac(loss, wrt)
    out = [f"**Chain rule** for ${whole}$: {_paths_phrase(d)} from ${loss}$ to ${wrt}$.", ""]
    if any(tex for _, tex in d.definitions):
        out += ["where " + ", ".join(f"${tex}$" for _, tex in d.definitions if tex), ""]
    for k, path in enumerate(d.paths, 1):
        if len(d.paths) > 1:
            out += [f"*Path {k}:*", ""]
        chain = r"\,".join(_frac(d.latex_names[id(f.out)], d.latex_names[id(f.node)]) for f in path)
        out += [f"$${whole} = {chain}$$" if len(d.paths) == 1 else f"$${chain}$$", ""]
        out += ["| factor | formula | value | product so far |", "|---|---|---|---|"]
        out += [_markdown_row(d, f, r) for f in path]
        product = r" \cdot ".join(t(f.value) for f in path)
        out += ["", f"$$= {product} = {r(path[-1].running if path else 0.0)}$$", ""]
    if len(d.paths) > 1:
        terms = " + ".join(t(p[-1].running) for p in d.paths)
        out += [f"Summing the {len(d.paths)} paths: $${whole} = {terms} = {r(d.total)}$$", ""]
    elif not d.paths:
        out += [f"$${whole} = {r(d.total)}$$ (the sum over every path)", ""]
    if d.deltas:
        out += _delta_markdown(d, t, r)
    return "\n".join(out).rstrip() + "\n"


def _markdown_row(d: Derivation, f: Factor, t) -> str:
    formula = f"${f.latex}$" + (f" $= {_tex(f.instance)}$" if f.instance else "")
    factor = _frac(d.latex_names[id(f.out)], d.latex_names[id(f.node)]) + _which(f)
    return f"| ${factor}$ | {formula} | ${t(f.value)}$ | ${t(f.running)}$ |"


def _delta_markdown(d: Derivation, t, r) -> list[str]:
    own = d.deltas[-1]
    wrt = d.latex_names[id(d.wrt)]
    out = [f"**Delta form** (${wrt}$ belongs to neuron {own.j} of layer {own.layer}):", ""]
    for delta in d.deltas:
        j, layer = delta.j, delta.layer
        name = rf"\delta_{{{j}}}^{{({layer})}}"
        sigma = rf"\sigma'(z_{{{j}}}^{{({layer})}})"
        sigma_value = _tex(_sigma_text(delta, lambda x: number(x, d.digits)))
        if delta.dl_da is not None:
            a = d.latex_names[id(delta.output)]
            out.append(rf"$${name} = {_frac(d.latex_names[id(d.loss)], a)}\,{sigma} = "
                       rf"{t(delta.dl_da)} \cdot {t(delta.sigma_prime)} = {r(delta.value)}$$")
        else:
            symbols = " + ".join(rf"\delta_{{{k}}}^{{({layer + 1})}} {d.latex_names[id(w)]}"
                                 for k, _, w, _ in delta.upstream)
            terms = " + ".join(rf"{t(dk)} \cdot {t(w)}" for _, dk, _, w in delta.upstream)
            out.append(rf"$${name} = \left({symbols}\right) {sigma} = "
                       rf"\left({terms}\right) \cdot {t(delta.sigma_prime)} = {r(delta.value)}$$")
        out += ["", f"with ${sigma} = {sigma_value}$", ""]
    name = rf"\delta_{{{own.j}}}^{{({own.layer})}}"
    loss = d.latex_names[id(d.loss)]
    whole = _frac(loss, wrt)
    symbol, numbers = name, t(own.value)
    if d.delta_input is not None:
        symbol += rf"\,{d.latex_names[id(d.delta_input)]}"
        numbers += rf" \cdot {t(d.delta_input.data)}"
    for c, adj, local in d.delta_rest:  # the paths that do not go through the neuron's drive
        symbol += f" + {_frac(loss, d.latex_names[id(c)])}\\,{_frac(d.latex_names[id(c)], wrt)}"
        numbers += rf" + {t(adj)} \cdot {t(local)}"
    equals = f"= {numbers} " if symbol != name else ""
    out.append(f"$${whole} = {symbol} {equals}= {r(d.total if d.delta_rest else _own(d))}$$")
    return out


def latex_number(x: float, digits: int, paren: bool = True) -> str:
    """An honest number in LaTeX (viz.notation.maths.num); a negative one in parentheses, for products."""
    text = num(x, digits).latex
    return f"({text})" if paren and text.startswith("-") else text


def _sigma_text(delta: Delta, n) -> str:
    """sigma'(z) of a neuron's activation in the documents' terms, its numbers and its value."""
    return sigma_prime_text(delta.activation, n(delta.a), n(delta.z), n(delta.sigma_prime), delta.z > 0)


def _which(f: Factor) -> str:
    """' (input 2)' when the node enters the op more than once (x * x), so two paths read apart."""
    if sum(u is f.node for u in f.out.inputs) < 2:
        return ""
    return f" (input {f.position + 1})"


def _paths_phrase(d: Derivation) -> str:
    count = d.path_count
    listed = "" if d.paths or count == 0 else f", too many to list (more than {MAX_PATHS})"
    return f"{count} path{'s' if count != 1 else ''}{listed}"


def _frac(top: str, bottom: str) -> str:
    """∂top/∂bottom stacked; a name that is an expression in parentheses: ∂(ŷ − t)."""
    return rf"\frac{{\partial {_operand(top)}}}{{\partial {_operand(bottom)}}}"


def _operand(latex: str) -> str:
    """A LaTeX name in parentheses when it has a space outside braces and parentheses (a sum, ½ x)."""
    depth = 0
    for char in latex:
        depth += (char in "({") - (char in ")}")
        if char == " " and depth == 0:
            return rf"\left({latex}\right)"
    return latex


def _d(name: str) -> str:
    """A name after d in dy/dx: in parentheses unless it is one symbol, so d((y_hat - t)^2) reads right."""
    return name if re.fullmatch(r"[\w^(),.]+", name) and not name.startswith("(") else f"({name})"


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def _tex(text: str) -> str:
    """A formula written with numbers in text, in LaTeX."""
    for old, new in (("·", r" \cdot "), ("−", "-"), ("²", "^2"), ("ln ", r"\ln "), ("σ", r"\sigma "),
                     ("≤", r"\leq "), (", since", r",\ \text{since}\ "),
                     (" (a linear neuron: no activation)", r"\ \text{(a linear neuron: no activation)}")):
        text = text.replace(old, new)
    return text
