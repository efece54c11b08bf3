"""The `dot` console script: the graphviz package renders and displays through it with no system
Graphviz, a system `dot` is preferred, and it never runs itself."""

import os
import pathlib
import re
import subprocess
import sys

import graphviz
import pytest

from viz.draw.dot_program import PURE_FORMATS, Unsupported, bundled, for_pure, is_this_program, system_dot

ROOT = pathlib.Path(__file__).resolve().parents[2]


def dot_script(folder: pathlib.Path) -> pathlib.Path:
    """A `dot` like the one pip writes for the entry point `dot = viz.draw.dot_program:main`."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "dot"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom viz.draw.dot_program import main\n"
                      "if __name__ == '__main__':\n    sys.exit(main())\n")
    script.chmod(0o755)
    return script


def fake_system_dot(folder: pathlib.Path, exit_code: int = 0) -> pathlib.Path:
    """A stand-in for a system Graphviz `dot` that records its arguments and stdin."""
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / "dot"
    program.write_text(f'#!/bin/sh\necho "system dot $*"\n/bin/cat\necho "to stderr" >&2\nexit {exit_code}\n')
    program.chmod(0o755)
    return program


def run_dot(script: pathlib.Path, args: list[str], path: str, stdin: bytes = b""):
    """Run a `dot` script as the graphviz package would, with only `path` as PATH."""
    env = {"PATH": path, "PYTHONPATH": str(ROOT)}
    return subprocess.run([str(script), *args], input=stdin, capture_output=True, env=env, timeout=60)


@pytest.fixture
def only_our_dot(tmp_path, monkeypatch):
    """PATH holds this package's `dot` script and nothing else: no system Graphviz."""
    script = dot_script(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(script.parent))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.delenv("MICROGRAD_LAB_DOT", raising=False)
    return script


def test_the_graphviz_package_renders_and_displays_through_our_dot(only_our_dot, tmp_path):
    g = graphviz.Digraph(format="svg")
    g.edge("left", "right")
    written = pathlib.Path(g.render(tmp_path / "out" / "g"))  # dot -Kdot -Tsvg -O g
    assert written.name == "g.svg" and ">left<" in written.read_text()
    svg = g._repr_mimebundle_()["image/svg+xml"]  # Jupyter's inline display: dot -Kdot -Tsvg, stdin
    assert svg.lstrip().startswith("<?xml") and ">right<" in svg
    assert g._repr_image_svg_xml() == svg
    png = g.pipe(format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out = pathlib.Path(g.render(outfile=tmp_path / "o.png"))  # dot -Kdot -Tpng -o o.png g
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_a_renderer_graphviz_pure_lacks_still_writes_the_file_the_package_expects(only_our_dot, tmp_path):
    g = graphviz.Digraph()
    g.edge("a", "b")
    for renderer, head in (("cairo", b"<?xml"), ("svg", b"<?xml")):
        written = pathlib.Path(g.render(tmp_path / f"g_{renderer}", format="svg", renderer=renderer))
        assert written.name == f"g_{renderer}.{renderer}.svg"
        assert written.read_bytes()[:5] == head
    written = pathlib.Path(g.render(tmp_path / "p", format="png", renderer="gd"))
    assert written.name == "p.gd.png" and written.read_bytes()[:4] == b"\x89PNG"


def test_pdf_without_system_graphviz_fails_saying_what_to_install(only_our_dot, tmp_path):
    g = graphviz.Digraph(format="pdf")
    g.edge("a", "b")
    with pytest.raises(graphviz.CalledProcessError) as error:
        g.render(tmp_path / "g")
    assert error.value.returncode == 1
    assert b"cannot write 'pdf'" in error.value.stderr and b"apt install graphviz" in error.value.stderr


def test_output_errors_and_exit_codes_pass_through(tmp_path):
    script = dot_script(tmp_path / "bin")
    done = run_dot(script, ["-Tsvg"], str(script.parent), b"digraph { a -> b }")
    assert done.returncode == 0 and done.stdout.startswith(b"<?xml")
    broken = run_dot(script, ["-Tsvg"], str(script.parent), b"digraph { a -> }")
    assert broken.returncode == 1 and broken.stdout == b"" and b"syntax error" in broken.stderr.lower()
    version = run_dot(script, ["-V"], str(script.parent))
    assert version.returncode == 0 and b"graphviz-pure" in version.stderr


def test_a_system_dot_is_run_with_the_same_arguments_stdin_and_exit_code(tmp_path):
    script = dot_script(tmp_path / "ours")
    system = fake_system_dot(tmp_path / "usr" / "bin", exit_code=3)
    # ours first on PATH, as in an activated venv: it must hand over to the system dot behind it
    path = f"{script.parent}:{system.parent}"
    done = run_dot(script, ["-Kdot", "-Tpdf", "-O", "g.gv"], path, b"graph data")
    assert done.returncode == 3
    assert done.stdout == b"system dot -Kdot -Tpdf -O g.gv\ngraph data"
    assert done.stderr == b"to stderr\n"


def test_it_never_runs_itself(tmp_path):
    first = dot_script(tmp_path / "venv1")
    second = dot_script(tmp_path / "venv2")  # another venv's copy of the script, also on PATH
    assert is_this_program(str(first)) and is_this_program(str(second))
    assert system_dot(f"{first.parent}:{second.parent}") is None
    done = run_dot(first, ["-Tsvg"], f"{first.parent}:{second.parent}", b"digraph { a }")
    assert done.returncode == 0 and done.stdout.startswith(b"<?xml")


def test_a_system_dot_that_comes_back_here_ends_in_graphviz_pure(tmp_path):
    """A shim `dot` that runs whatever `dot` comes next (pyenv-like) must not loop."""
    ours = dot_script(tmp_path / "ours")
    shim = tmp_path / "shim" / "dot"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{ours}" "$@"\n')
    shim.chmod(0o755)
    done = run_dot(ours, ["-Tsvg"], f"{shim.parent}:{ours.parent}", b"digraph { a }")
    assert done.returncode == 0 and done.stdout.startswith(b"<?xml")


def test_formats_are_translated_or_refused_clearly():
    assert for_pure(["-Kdot", "-Tsvg"]) == ["-Kdot", "-Tsvg"]
    assert for_pure(["-Kdot", "-Tpng:cairo", "-O", "g.gv"]) == ["-Kdot", "-Tpng:cairo", "-O", "g.gv"]
    assert for_pure(["-Tsvg:cairo", "-O", "g.gv"]) == ["-Tsvg", "-og.gv.cairo.svg", "g.gv"]
    assert for_pure(["-T", "png:gd", "-o", "x.png", "g.gv"]) == ["-Tpng", "-ox.png", "g.gv"]
    assert for_pure(["-T?"]) == ["-T?"]
    for fmt in ("pdf", "gif", "ps"):
        with pytest.raises(Unsupported, match=f"cannot write '{fmt}'.*apt install graphviz"):
            for_pure(["-Kdot", f"-T{fmt}", "g.gv"])


def test_the_table_of_formats_is_graphviz_pures_own():
    """Fails when a new graphviz-pure writes other formats or renderers than the table says."""
    program = bundled()
    assert program is not None
    listed = subprocess.run([program, "-Tnone"], input=b"digraph {}", capture_output=True).stderr.decode()
    assert set(re.search(r"Use one of: (.*)", listed).group(1).split()) == set(PURE_FORMATS)
    for fmt, renderer in PURE_FORMATS.items():
        asked = subprocess.run([program, f"-T{fmt}:"], input=b"digraph {}", capture_output=True)
        assert f"Use one of: {fmt}:{renderer}" in asked.stderr.decode()


def test_without_any_program_it_says_what_to_install(tmp_path):
    script = dot_script(tmp_path / "bin")
    code = ("import sys, viz.draw.dot_program as d\n"
            "d.script_dirs = lambda: []; d._from_wheel_record = lambda: None\n"
            "sys.exit(d.main(sys.argv[1:]))")
    env = {"PATH": str(script.parent), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code, "-Tsvg"], capture_output=True, env=env, timeout=60)
    assert done.returncode == 127 and b"pip install graphviz-pure==0.2.2" in done.stderr


@pytest.mark.skipif(os.name != "posix", reason="the stand-in programs are shell scripts")
def test_the_venv_script_runs_from_a_path_without_the_venv(tmp_path):
    """The script finds graphviz-pure next to its interpreter even when PATH lacks that folder."""
    script = dot_script(tmp_path / "bin")
    done = run_dot(script, ["-Tsvg"], "/usr/bin:/bin", b"digraph { a }")
    assert done.returncode == 0 and done.stdout.startswith(b"<?xml")


def test_a_kernel_without_the_venv_on_path_can_be_given_our_dot(tmp_path, monkeypatch):
    import viz.draw.dot_program as program

    venv_bin = tmp_path / "venv" / "bin"
    dot_script(venv_bin)
    monkeypatch.setattr(program, "script_dirs", lambda: [str(venv_bin)])
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # the kernel's PATH: no `dot` anywhere on it
    assert program.put_on_path() == str(venv_bin)
    assert os.environ["PATH"] == f"{empty}:{venv_bin}"  # appended: a system dot would still win
    assert program.put_on_path() is None  # `dot` is reachable now: nothing more added
    assert os.environ["PATH"] == f"{empty}:{venv_bin}"
    monkeypatch.setenv("PATH", str(fake_system_dot(tmp_path / "usr" / "bin").parent))
    assert program.put_on_path() is None  # a system dot on PATH: left alone
