"""viz: everything a person looks at: graph drawings, network diagrams, derivations, pages.

Names are loaded on first use, so `import viz` stays quick and a missing optional
piece only fails when it is asked for.
"""

from importlib import import_module

_HOME = {
    "draw_dot": "viz.dot",
    "draw_network": "viz.network",
    "derivation": "viz.derivation",
    "render": "viz.render",
    "find_dot": "viz.render",
    "tree": "viz.tree",
    "step_through": "viz.lecture",
}

__all__ = sorted(_HOME)


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module 'viz' has no attribute {name!r}")
    return getattr(import_module(_HOME[name]), name)
