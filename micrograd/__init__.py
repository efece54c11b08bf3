"""micrograd: a scalar autograd engine for learning backpropagation by hand and by machine."""

from micrograd.engine import Value, dot, topological_order, values

__all__ = ["Value", "dot", "topological_order", "values"]
