"""viz: everything a person looks at: graph drawings, network diagrams, derivations, pages.

>>> from micrograd import Value
>>> from viz import tree
>>> print(tree(Value(2.0, "x") * 3))
#2     *     data 6  grad 0
├─ x   leaf  data 2  grad 0
└─ #1  leaf  data 3  grad 0
"""

# Imported here, once, so that each name is the function even though a submodule
# of the same name exists (importing viz.render would otherwise bind the module).
from viz.derivation import derivation
from viz.dot import draw_dot
from viz.lecture import step_through
from viz.network import draw_network
from viz.render import find_dot, render
from viz.tree import tree

__all__ = ["derivation", "draw_dot", "draw_network", "find_dot", "render", "step_through", "tree"]
