"""Explanations of a pass: the chain-rule derivation, the forward and backward steps, and the
lecture page that steps through them (with the drawing from viz.draw).
"""
