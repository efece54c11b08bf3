"""Writing the documents' notation: numbers, node names, each op as a formula, document blocks, HTML maths.

The room every other one writes with; it reads Values and nn's labels, and imports
no drawing, explanation or homework.
"""
