"""Finding a Graphviz program and turning DOT source into SVG, PNG or PDF files.

A plain `pip install` brings the `graphviz-pure` wheel: a static build of Graphviz
that installs a program named `graphviz-pure` (SVG, PNG, JPEG, JSON; no PDF), and this
package's own `dot` script (viz.draw.dot_program) that runs it for the `graphviz` package.
This module finds the program itself, so drawings render even where that script is
off PATH: a system `dot` first (it also makes PDF), then graphviz-pure.
Bitmaps come out at 150 dpi, sharp on a projector, unless the graph sets its own dpi.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess

import graphviz
from graphviz.backend import dot_command

from micrograd.files import write_atomically
from viz.draw.dot_program import PURE, bundled, script_dirs, system_dot

INSTALL_HINT = (
    "install one with `pip install graphviz-pure==0.2.2` (SVG and PNG), or your system's Graphviz "
    "(`apt install graphviz`, `brew install graphviz`, `choco install graphviz`; also PDF)"
)
FORMATS = ("svg", "png", "jpeg", "jpg", "pdf", "json", "plain")  # json, plain: Graphviz's layout as data
BITMAPS = ("png", "jpeg", "jpg")
SOURCE_FORMATS = ("dot", "gv")
# Past this many edges the default network-simplex and crossing-minimisation budgets
# take minutes (20,000 nodes); these limits bring that to seconds with a fair layout.
BIG_GRAPH_EDGES = 3000
BIG_GRAPH_OPTIONS = ("-Gnslimit=0.2", "-Gnslimit1=0.2", "-Gmclimit=0.2")
BITMAP_DPI = 150  # Graphviz's default is 96: 11 pt text then blurs on a projector
# A bitmap of a huge layout can ask for tens of GB: past this many pixels a side, the
# drawing is shrunk (Graphviz's `size` only ever shrinks), at any dpi.
BITMAP_MAX_PIXELS = 9600
# A graph attribute the graph sets itself (dpi=300, size="7,7"): not inside a quoted string,
# not part of a longer name (fontsize, arrowsize, POINT-SIZE).
_GRAPH_SETS = re.compile(r'(?<![\w-])(dpi|resolution|size)\s*=\s*"?([0-9.]*)')


class RendererNotFound(RuntimeError):
    """No Graphviz program (`dot` or `graphviz-pure`) could be found."""


class RenderError(RuntimeError):
    """The Graphviz program ran and failed."""


def find_dot() -> str | None:
    """The Graphviz program to run: system `dot`, else `graphviz-pure`; None when neither exists.

    This package's own `dot` script is skipped: it would only run graphviz-pure.
    """
    return system_dot() or bundled()


def makes_pdf(program: str) -> bool:
    """Whether `program` can write PDF (a system `dot` can; graphviz-pure cannot)."""
    return not pathlib.Path(program).name.lower().startswith(PURE)


def _require_program(what: str) -> str:
    program = find_dot()
    if program is None:
        looked = ", ".join(script_dirs())
        raise RendererNotFound(
            f"cannot {what}: no Graphviz program found (looked for `dot` on PATH and "
            f"`{PURE}` in {looked} and on PATH); {INSTALL_HINT}. "
            "The DOT source can still be saved: render(graph, 'graph.dot')."
        )
    return program


def source_of(graph: graphviz.Digraph | str) -> str:
    """DOT source text of a Digraph, or the text itself."""
    if isinstance(graph, str):
        return graph
    if hasattr(graph, "source"):
        return graph.source
    raise TypeError(f"expected a graphviz.Digraph or DOT source text, got {type(graph).__name__}")


def _command(program: str, fmt: str, source: str) -> list[str]:
    if fmt == "pdf" and not makes_pdf(program):
        raise RendererNotFound(
            f"PDF needs the system Graphviz `dot` ({program} makes SVG and PNG only): "
            "install Graphviz (`apt install graphviz`, `brew install graphviz`) or ask for .svg / .png"
        )
    cmd = [program, f"-T{fmt}"]
    if source.count("->") > BIG_GRAPH_EDGES:
        cmd += BIG_GRAPH_OPTIONS
    if fmt in BITMAPS:
        cmd += bitmap_options(source)
    return cmd


def bitmap_options(source: str) -> list[str]:
    """-G options for a PNG or JPEG: 150 dpi and the size cap, where the graph sets neither itself.

    (graphviz-pure lets -G override the graph's own attributes; Graphviz lets the graph win.)
    """
    own = graph_sets(source)
    options = []
    dpi = _number(own.get("dpi") or own.get("resolution")) or 96.0
    if "dpi" not in own and "resolution" not in own:
        dpi = BITMAP_DPI
        options.append(f"-Gdpi={BITMAP_DPI}")
    if "size" not in own:
        inches = BITMAP_MAX_PIXELS / dpi
        options.append(f"-Gsize={inches:g},{inches:g}")
    return options


def graph_sets(source: str) -> dict[str, str]:
    """The dpi, resolution and size that DOT source sets, outside quoted strings: {'dpi': '300'}."""
    found: dict[str, str] = {}
    for match in _GRAPH_SETS.finditer(source):
        before = source[: match.start()]
        if (before.count('"') - before.count('\\"')) % 2 == 0:
            found.setdefault(match.group(1), match.group(2))
    return found


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def pipe(graph: graphviz.Digraph | str, format: str = "svg", timeout: float | None = None) -> bytes:
    """The drawing of `graph` as bytes in `format` ('svg', 'png', 'jpeg', 'pdf', or 'json' for its layout).

    PNG and JPEG are drawn at 150 dpi unless the graph sets dpi itself.
    """
    fmt = _check_format(format)
    program = _require_program(f"draw a {fmt.upper()}")
    source = source_of(graph)
    cmd = _command(program, fmt, source)
    try:
        done = subprocess.run(cmd, input=source.encode("utf-8"), capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise RenderError(
            f"{pathlib.Path(program).name} took over {timeout} s on a graph of {source.count('->')} "
            "edges: draw a smaller graph (collapse='neuron') or raise the timeout"
        ) from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{' '.join(cmd)} failed (exit {done.returncode}): {message}")
    return done.stdout


def render(
    graph: graphviz.Digraph | str,
    path: str | os.PathLike,
    format: str | None = None,
    timeout: float | None = None,
) -> pathlib.Path:
    """Write `graph` to `path` as SVG, PNG (150 dpi), JPEG, PDF, JSON or DOT source; returns the path.

    The format comes from `format` or else from the file's suffix. The file is
    written whole or not at all (a temporary file, then a rename).
    """
    path = pathlib.Path(path)
    if format is None:
        if not path.suffix:
            raise ValueError(f"cannot tell the format of {str(path)!r}: "
                             "give a suffix (.svg, .png, .pdf, .dot) or format=")
        format = path.suffix[1:]
    fmt = format.lower()
    if fmt in SOURCE_FORMATS:
        data = source_of(graph).encode("utf-8")
    else:
        data = pipe(graph, fmt, timeout=timeout)
    write_atomically(path, data)
    return path


def _check_format(format: str) -> str:
    fmt = format.lower()
    if fmt not in FORMATS:
        known = ", ".join(FORMATS + SOURCE_FORMATS)
        raise ValueError(f"unknown drawing format {format!r}: use one of {known}")
    return fmt


class Drawing(graphviz.Digraph):
    """A graphviz.Digraph that renders with whichever program find_dot() finds.

    In Jupyter it shows the SVG, or the DOT text with what to install when no
    Graphviz program exists, never a traceback.
    """

    def _repr_mimebundle_(self, include=None, exclude=None, **_) -> dict:
        wanted = set(include) if include is not None else {"image/svg+xml"}
        wanted -= set(exclude or ())
        kinds = {"image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpeg"}
        try:
            bundle: dict = {}
            for mime in sorted(wanted & kinds.keys()):
                data = pipe(self, kinds[mime])
                bundle[mime] = data.decode("utf-8") if mime == "image/svg+xml" else data
            return bundle
        except (RendererNotFound, RenderError) as error:
            return {"text/plain": f"{error}\n\n{self.source}"}

    def pipe(self, *args, **kwargs):
        """graphviz.Digraph.pipe, run with the program find_dot() finds (bitmaps at 150 dpi)."""
        fmt = kwargs.get("format") or (args[0] if args else None) or self.format
        return self._with_program(super().pipe, "draw", fmt, *args, **kwargs)

    def render(self, *args, **kwargs):
        """graphviz.Digraph.render, run with the program find_dot() finds (bitmaps at 150 dpi)."""
        outfile = kwargs.get("outfile")
        fmt = kwargs.get("format") or (pathlib.Path(outfile).suffix[1:] if outfile else self.format)
        return self._with_program(super().render, "render", fmt, *args, **kwargs)

    def _with_program(self, method, what: str, fmt: str, *args, **kwargs):
        program = _require_program(what)
        if fmt == "pdf" and not makes_pdf(program):
            _command(program, "pdf", "")  # raises the error that says what to install
        # the graphviz package passes no -G options: dpi and the size cap go in as graph attributes
        bitmap = bitmap_options(self.source) if str(fmt).lower() in BITMAPS else []
        saved, attributes = dot_command.DOT_BINARY, dict(self.graph_attr)
        dot_command.DOT_BINARY = pathlib.Path(program)  # the graphviz package's one hook
        self.graph_attr.update(option.removeprefix("-G").split("=", 1) for option in bitmap)
        try:
            return method(*args, **kwargs)
        finally:
            dot_command.DOT_BINARY = saved
            self.graph_attr.clear()
            self.graph_attr.update(attributes)
