"""Finding a Graphviz program and rendering: the pip-only path (graphviz-pure), a system `dot`
when there is one, and the clear failure when there is neither."""

import os
import pathlib
import subprocess
import sys
import sysconfig

import graphviz
import pytest

from viz.render import Drawing, RendererNotFound, RenderError, find_dot, makes_pdf, pipe, render

SOURCE = 'digraph { a [label="left"]; b [label="right"]; a -> b }'


def no_programs(monkeypatch, tmp_path):
    """Neither `dot` nor `graphviz-pure` anywhere find_dot looks."""
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sysconfig, "get_path", lambda name, *a, **k: str(empty))
    monkeypatch.setattr(sys, "executable", str(empty / "python"))


def test_the_pip_installed_program_is_found_next_to_the_interpreter(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on PATH: only the scripts folder has a program
    found = find_dot()
    assert found is not None
    assert pathlib.Path(found).name == "graphviz-pure"
    assert pathlib.Path(found).parent == pathlib.Path(sysconfig.get_path("scripts"))


def test_a_system_dot_on_path_is_preferred(monkeypatch, tmp_path):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_dot() == str(fake)
    assert makes_pdf(str(fake))
    assert not makes_pdf("/x/graphviz-pure")


def test_renders_svg_and_png_with_the_real_program(tmp_path):
    svg = render(SOURCE, tmp_path / "g.svg")
    text = svg.read_text()
    assert "<svg" in text and ">left<" in text and ">right<" in text
    png = render(graphviz.Digraph(body=["a -> b"]), tmp_path / "g.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.png", "g.svg"]  # no temporary files left


def test_the_format_comes_from_the_argument_or_the_suffix(tmp_path):
    out = render(SOURCE, tmp_path / "drawing", format="svg")
    assert out.read_text().lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match="give a suffix"):
        render(SOURCE, tmp_path / "drawing2")
    with pytest.raises(ValueError, match="unknown drawing format 'bmp'"):
        render(SOURCE, tmp_path / "g.bmp")


def test_pdf_with_graphviz_pure_says_to_install_system_graphviz(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RendererNotFound, match="PDF needs the system Graphviz"):
        render(SOURCE, tmp_path / "g.pdf")
    assert not list(tmp_path.iterdir())


def test_a_failed_render_leaves_no_file(tmp_path):
    with pytest.raises(RenderError, match="failed"):
        render("digraph { a -> }", tmp_path / "broken.svg")
    assert not list(tmp_path.iterdir())


def test_without_any_program_the_error_says_what_to_install(monkeypatch, tmp_path):
    no_programs(monkeypatch, tmp_path)
    assert find_dot() is None
    with pytest.raises(RendererNotFound) as error:
        render(SOURCE, tmp_path / "g.svg")
    message = str(error.value)
    assert "pip install graphviz-pure==0.2.2" in message and "apt install graphviz" in message
    assert "render(graph, 'graph.dot')" in message
    assert not (tmp_path / "g.svg").exists()
    saved = render(SOURCE, tmp_path / "g.dot")  # the source can still be saved
    assert saved.read_text() == SOURCE


def test_without_any_program_jupyter_shows_the_dot_text(monkeypatch, tmp_path):
    no_programs(monkeypatch, tmp_path)
    g = Drawing()
    g.edge("a", "b")
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "pip install graphviz-pure" in bundle["text/plain"] and g.source in bundle["text/plain"]
    with pytest.raises(RendererNotFound):
        g.pipe(format="svg")


def test_jupyter_shows_svg_and_the_digraph_methods_use_the_found_program(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # graphviz-pure only: graphviz's own lookup of `dot` would fail
    g = Drawing()
    g.edge("a", "b")
    assert isinstance(g, graphviz.Digraph)
    assert g._repr_mimebundle_()["image/svg+xml"].lstrip().startswith("<?xml")
    assert g.pipe(format="svg").startswith(b"<?xml")
    written = g.render(tmp_path / "out", format="png")
    assert pathlib.Path(written).read_bytes()[:4] == b"\x89PNG"
    assert pipe(g, "png")[:4] == b"\x89PNG"


def test_top_level_names_are_the_functions_whatever_was_imported_first(tmp_path):
    """viz.render and viz.tree name submodules too; the package's names must stay the functions."""
    import viz
    import viz.derivation
    import viz.tree  # noqa: F401

    assert viz.render is render and viz.find_dot is find_dot
    assert viz.render(SOURCE, tmp_path / "g.svg").exists()
    assert callable(viz.tree) and callable(viz.derivation)


@pytest.mark.skipif(not os.path.exists("/usr/bin/python3"), reason="needs an interpreter outside the venv")
def test_an_interpreter_outside_the_venv_with_no_path_finds_nothing(tmp_path):
    """The real no-renderer path: another interpreter's scripts folder, an empty PATH."""
    site = sysconfig.get_path("purelib")
    root = pathlib.Path(__file__).resolve().parents[1]
    code = (
        "import sys, sysconfig; from viz.render import find_dot, render, RendererNotFound\n"
        "assert 'venv' not in sysconfig.get_path('scripts'), sysconfig.get_path('scripts')\n"
        "print(find_dot())\n"
        "try:\n    render('digraph { a }', sys.argv[1])\nexcept RendererNotFound as e:\n    print(e)\n"
    )
    env = {"PATH": str(tmp_path), "PYTHONPATH": os.pathsep.join([str(root), site])}
    done = subprocess.run(["/usr/bin/python3", "-c", code, str(tmp_path / "g.svg")], env=env,
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0 and "No module named" in done.stderr:
        pytest.skip(f"the outside interpreter cannot import the venv's packages: {done.stderr[-200:]}")
    assert done.returncode == 0, done.stderr
    first, message = done.stdout.split("\n", 1)
    assert first == "None"
    assert "pip install graphviz-pure==0.2.2" in message
    assert not (tmp_path / "g.svg").exists()
