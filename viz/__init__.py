"""viz: everything a person looks at: graph drawings, network diagrams, derivations, pages.

Its rooms, each importing only the ones before it: viz.notation (numbers, names, op
notation, documents), viz.draw (the drawings), viz.explain (derivations, steps, the
lecture page), viz.homework (problem files, worked solutions, answer checking), and on
top the `micrograd` command (viz.cli) and the README's pictures (viz.gallery).

>>> from micrograd import Value
>>> from viz import tree
>>> print(tree(Value(2.0, "x") * 3))
#2     *     data 6  grad 0
├─ x   leaf  data 2  grad 0
└─ #1  leaf  data 3  grad 0
"""

from viz.draw.graph import draw_dot
from viz.draw.network import draw_network
from viz.draw.render import find_dot, render
from viz.draw.tree import tree
from viz.explain.derivation import derivation
from viz.explain.lecture import step_through

__all__ = ["derivation", "draw_dot", "draw_network", "find_dot", "render", "step_through", "tree"]
