"""Drawings: the computation graph (graph.py), the network diagram (network.py), one node
per neuron (collapsed.py), the graph as text (tree.py), and turning DOT into files (render.py).

Built on viz.notation; the colours, fonts and sizes the drawings share are in style.py.
"""
