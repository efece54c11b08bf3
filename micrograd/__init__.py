"""micrograd: a scalar autograd engine for learning backpropagation by hand and by machine.

micrograd/engine.py is the chain rule; micrograd/drives.py and micrograd/fastwalk.py make
it fast (imported here, so every `import micrograd` gets them).
"""

from micrograd import fastwalk  # noqa: F401  (installs the fast Value.backward)
from micrograd.drives import dot, drives
from micrograd.engine import Value, backward_order, topological_order, values

__all__ = ["Value", "backward_order", "dot", "drives", "topological_order", "values"]
