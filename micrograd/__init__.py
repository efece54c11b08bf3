"""micrograd: a scalar autograd engine for learning backpropagation by hand and by machine."""

from micrograd.engine import Value, backward_order, dot, drives, topological_order, values

__all__ = ["Value", "backward_order", "dot", "drives", "topological_order", "values"]
