"""What the drawings share, so that they read as one set: the font, the ink, the text sizes, the colours.

Sizes are for projection: a drawing is read from the back of a lecture hall.
"""

FONT = "Helvetica"
INK = "#222222"  # text and box titles: dark, so they project
NODE_PT, LABEL_PT, TITLE_PT = 14, 12, 20  # a node's text, an edge's or a key's, a drawing's title
HEADING_PT = 16  # a network diagram's column headings
COLOURS = {  # fill colour of each kind of node, shown in the legend in this order
    "loss": "#f4cccc",
    "parameter": "#cfe2f3",
    "input": "#d9ead3",
    "leaf": "#eeeeee",
}
HIGHLIGHT = "#cc0000"  # the paths from a chosen node to the output
FADED = "#c8c8c8"  # every other node and edge, when paths are highlighted
NOTE = "#b45f06"  # a note in a drawing's key: drawn before backward(), collapsed
# the edges out of each input of a big network diagram, and that input's column in the weight tables
EDGE_COLOURS = ("#1f4e99", "#b34700", "#1b5e20", "#7b1fa2", "#9e1c3f", "#00695c", "#5d4037", "#455a64")
BEFORE_BACKWARD = "all grads are 0: drawn before backward()"
