"""The `dot` console script: a system Graphviz `dot` when there is one, else the bundled graphviz-pure.

The `graphviz` Python package (and every notebook that uses it, such as micrograd's
trace_graph) runs a program named `dot`; the graphviz-pure wheel installs one named
`graphviz-pure`. `pip install micrograd-lab` installs this script as `dot`, so a plain
`graphviz.Digraph(...).render()` and its inline display in Jupyter work without a system
Graphviz. Arguments, stdin, stdout, stderr and the exit code pass straight through
(the program replaces this process where the OS allows).
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig

PURE = "graphviz-pure"
# Pip writes this module's name into the `dot` script it makes, so any copy of the
# script (another venv's too) can be told from a real Graphviz `dot` and is never run;
# scripts installed before viz had rooms name the module viz.dot_program.
MARKS = (b"viz.draw.dot_program", b"viz.dot_program")
SCRIPT_MAX_BYTES = 1 << 20  # pip's scripts (and Windows launchers) are far smaller than this
# Set while this script hands over to a system `dot`: should that `dot` be a wrapper
# that comes back here, the second run goes straight to graphviz-pure, never round again.
HANDED_OVER = "MICROGRAD_LAB_DOT"
# What graphviz-pure 0.2.2 writes (-T<format>), with the one renderer:formatter it has for each.
PURE_FORMATS = {
    "canon": "dot:core", "dot": "dot:core", "gv": "dot:core", "xdot": "xdot:core",
    "xdot1.2": "xdot:core", "xdot1.4": "xdot:core", "plain": "dot:core", "plain-ext": "dot:core",
    "json": "json:core", "json0": "json:core", "dot_json": "json:core", "xdot_json": "json:core",
    "svg": "svg:core", "png": "cairo:cairo", "jpeg": "cairo:cairo", "jpg": "cairo:cairo",
    "jpe": "cairo:cairo",
}
SYSTEM_GRAPHVIZ = ("install the system Graphviz (`apt install graphviz`, `brew install graphviz`, "
                   "`choco install graphviz`), which this `dot` then runs instead")
OPTIONS_WITH_VALUES = ("-T", "-K", "-o", "-l")  # these may take their value as the next argument


class Unsupported(ValueError):
    """A -T format that graphviz-pure cannot write."""


def is_this_program(path: str) -> bool:
    """Whether `path` is a copy of this console script (so running it would come back here)."""
    try:
        if os.path.getsize(path) > SCRIPT_MAX_BYTES:
            return False
        with open(path, "rb") as file:
            text = file.read()
        return any(mark in text for mark in MARKS)
    except OSError:
        return False


def system_dot(path: str | None = None) -> str | None:
    """The first `dot` on PATH that is a real Graphviz, not this script; None when there is none."""
    folders = (os.environ.get("PATH", os.defpath) if path is None else path).split(os.pathsep)
    for folder in folders:
        found = shutil.which("dot", path=folder) if folder else None
        if found and not is_this_program(found):
            return found
    return None


def script_dirs() -> list[str]:
    """Where pip puts programs for the running interpreter."""
    dirs = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    return [d for d in dict.fromkeys(dirs) if d]


def _from_wheel_record() -> str | None:
    """graphviz-pure where its wheel's record says pip put it (found even off PATH, e.g. --user)."""
    try:
        files = importlib.metadata.files(PURE) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in files:
        if entry.name in (PURE, PURE + ".exe"):
            program = os.path.abspath(str(entry.locate()))
            if os.path.isfile(program) and os.access(program, os.X_OK):
                return program
    return None


def bundled() -> str | None:
    """The graphviz-pure program: next to this interpreter, where its wheel put it, or on PATH."""
    for folder in script_dirs():
        found = shutil.which(PURE, path=folder)
        if found:
            return found
    return _from_wheel_record() or shutil.which(PURE)


def for_pure(args: list[str]) -> list[str]:
    """The same command line for graphviz-pure: each -T in a form it knows, or Unsupported.

    graphviz-pure has one renderer per format; `-Tsvg:cairo` or `-Tpng:gd` (which the
    graphviz package writes when given renderer=) become `-Tsvg` / `-Tpng`, and with -O
    the output keeps the name Graphviz would give it (g.gv.cairo.svg), as the package expects.
    """
    out: list[str] = []
    inputs: list[str] = []
    asked: list[str] = []  # each -T value as given
    changed = False
    i = 0
    while i < len(args):
        arg = args[i]
        flag = next((f for f in OPTIONS_WITH_VALUES if arg.startswith(f)), None)
        if flag is None:
            if not arg.startswith("-") or arg == "-":
                inputs.append(arg)
            out.append(arg)
            i += 1
            continue
        value = arg[len(flag):]
        if not value and i + 1 < len(args):
            i += 1
            value = args[i]
        if flag == "-T":
            asked.append(value)
            new = _pure_format(value)
            changed = changed or new != value
            value = new
        out.append(flag + value)
        i += 1
    if changed and "-O" in out and len(asked) == 1 and len(inputs) == 1:
        # graphviz-pure would name the file after the format it wrote (g.gv.svg)
        suffix = ".".join(reversed(asked[0].split(":")))
        out[out.index("-O")] = f"-o{inputs[0]}.{suffix}"
    return out


def _pure_format(value: str) -> str:
    """A -T value graphviz-pure accepts for `value`: itself, or the bare format."""
    fmt, *rest = value.split(":")
    if fmt not in PURE_FORMATS:
        if fmt in ("", "?"):
            return value  # -T? asks for the list of formats: graphviz-pure answers it
        raise Unsupported(
            f"the bundled Graphviz ({PURE}) cannot write {fmt!r}; it writes svg, png, jpeg, "
            f"json, dot, xdot and plain. For {fmt} {SYSTEM_GRAPHVIZ}."
        )
    return value if rest == PURE_FORMATS[fmt].split(":")[: len(rest)] else fmt


def put_on_path() -> str | None:
    """Append this interpreter's scripts folder to PATH when only there is a `dot`; the folder added.

    For a Jupyter kernel started from a venv's python without the venv on PATH: the
    graphviz package would not find `dot` otherwise. Appended, so any `dot` already
    on PATH keeps winning; nothing changes when PATH already has one.
    """
    if shutil.which("dot"):
        return None
    for folder in script_dirs():
        found = shutil.which("dot", path=folder)
        if found and is_this_program(found):
            os.environ["PATH"] = os.pathsep.join(p for p in (os.environ.get("PATH"), folder) if p)
            return folder
    return None


def run(program: str, args: list[str]) -> int:
    """Run `program` with `args` in this process's place; its exit code where it cannot replace it."""
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execv(program, [program, *args])  # stdin, stdout, stderr and exit code are the program's own
    return subprocess.call([program, *args])  # Windows' execv starts a new process: wait for it


def main(argv: list[str] | None = None) -> int:
    """The `dot` command: run a system Graphviz `dot`, else graphviz-pure with the same arguments."""
    args = sys.argv[1:] if argv is None else list(argv)
    if not os.environ.get(HANDED_OVER):
        system = system_dot()
        if system is not None:
            os.environ[HANDED_OVER] = "1"
            return run(system, args)
    program = bundled()
    if program is None:
        print(f"dot: no Graphviz program found (neither a system `dot` nor {PURE}): "
              f"`pip install graphviz-pure==0.2.2` (SVG, PNG), or {SYSTEM_GRAPHVIZ}", file=sys.stderr)
        return 127
    try:
        args = for_pure(args)
    except Unsupported as error:
        print(f"dot: {error}", file=sys.stderr)
        return 1
    return run(program, args)


if __name__ == "__main__":
    sys.exit(main())
