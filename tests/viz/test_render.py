"""Finding a Graphviz program and rendering: the pip-only path (graphviz-pure), a system `dot`
when there is one, and the clear failure when there is neither."""

import importlib.metadata
import json
import os
import pathlib
import re
import struct
import subprocess
import sys
import sysconfig

import graphviz
import pytest

from viz.draw.render import (
    BITMAP_MAX_PIXELS,
    Drawing,
    RendererNotFound,
    RenderError,
    find_dot,
    graph_sets,
    makes_pdf,
    pipe,
    render,
)

SOURCE = 'digraph { a [label="left"]; b [label="right"]; a -> b }'


def no_programs(monkeypatch, tmp_path):
    """Neither `dot` nor `graphviz-pure` anywhere find_dot looks."""
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(sysconfig, "get_path", lambda name, *a, **k: str(empty))
    monkeypatch.setattr(sys, "executable", str(empty / "python"))

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "files", not_installed)  # graphviz-pure's wheel record


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
    """viz.draw.render and viz.draw.tree are modules; the package's names must stay the functions."""
    import viz
    import viz.draw.tree  # noqa: F401
    import viz.explain.derivation

    assert viz.render is render and viz.find_dot is find_dot
    assert viz.render(SOURCE, tmp_path / "g.svg").exists()
    assert callable(viz.tree) and callable(viz.derivation)


@pytest.mark.skipif(not os.path.exists("/usr/bin/python3"), reason="needs an interpreter outside the venv")
def test_an_interpreter_outside_the_venv_with_no_path_finds_nothing(tmp_path):
    """The real no-renderer path: another interpreter's scripts folder, an empty PATH."""
    venv_site = pathlib.Path(sysconfig.get_path("purelib"))
    site = tmp_path / "site"  # the venv's packages without graphviz-pure's wheel record
    site.mkdir()
    for entry in venv_site.iterdir():
        if not entry.name.startswith("graphviz_pure"):
            (site / entry.name).symlink_to(entry)
    root = pathlib.Path(__file__).resolve().parents[2]
    code = (
        "import sys, sysconfig; from viz.draw.render import find_dot, render, RendererNotFound\n"
        "assert 'venv' not in sysconfig.get_path('scripts'), sysconfig.get_path('scripts')\n"
        "print(find_dot())\n"
        "try:\n    render('digraph { a }', sys.argv[1])\nexcept RendererNotFound as e:\n    print(e)\n"
    )
    env = {"PATH": str(tmp_path), "PYTHONPATH": os.pathsep.join([str(root), str(site)])}
    done = subprocess.run(["/usr/bin/python3", "-c", code, str(tmp_path / "g.svg")], env=env,
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0 and "No module named" in done.stderr:
        pytest.skip(f"the outside interpreter cannot import the venv's packages: {done.stderr[-200:]}")
    assert done.returncode == 0, done.stderr
    first, message = done.stdout.split("\n", 1)
    assert first == "None"
    assert "pip install graphviz-pure==0.2.2" in message
    assert not (tmp_path / "g.svg").exists()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG's IHDR header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_points(svg: bytes) -> tuple[float, float]:
    """The drawing's width and height in points, from the SVG's root element."""
    match = re.search(rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert match, svg[:300]
    return float(match.group(1)), float(match.group(2))


def test_png_is_drawn_at_150_dpi_by_default(tmp_path):
    source = 'digraph { a [label="a wide label to measure"]; a -> b -> c }'
    width_pt, height_pt = svg_points(pipe(source, "svg"))
    for data in (pipe(source, "png"), render(source, tmp_path / "g.png").read_bytes()):
        width_px, height_px = png_size(data)
        assert abs(width_px - width_pt * 150 / 72) <= 1.5, (width_px, width_pt)
        assert abs(height_px - height_pt * 150 / 72) <= 1.5, (height_px, height_pt)


def test_a_graph_that_sets_its_own_dpi_or_size_keeps_it():
    width_pt, _ = svg_points(pipe("digraph { a -> b }", "svg"))
    width_px, _ = png_size(pipe("digraph { dpi=72; a -> b }", "png"))
    assert abs(width_px - width_pt) <= 1.5  # 72 dpi: one pixel per point, not 150 dpi
    shrunk, _ = png_size(pipe('digraph { graph [size="0.5,0.5"]; a -> b }', "png"))
    assert shrunk <= 0.5 * 150 + 1  # half an inch at 150 dpi; -Gsize must not override the graph's size


def test_only_the_graphs_own_attributes_count_as_set():
    assert graph_sets('digraph { graph [dpi=300 size="7,7"] a }') == {"dpi": "300", "size": "7"}
    assert graph_sets('digraph { dpi = "200"; a [fontsize=14 arrowsize=2] }') == {"dpi": "200"}
    quoted = 'digraph { a [label="dpi=300 size=1"]; b [label=<<FONT POINT-SIZE="9">x</FONT>>] }'
    assert graph_sets(quoted) == {}


def test_a_huge_bitmap_is_capped_at_the_same_pixel_count_at_150_dpi():
    chain = " -> ".join(f"n{i}" for i in range(200))  # about 200 inches tall
    _, height_px = png_size(pipe(f"digraph {{ {chain} }}", "png"))
    assert BITMAP_MAX_PIXELS - 2 <= height_px <= BITMAP_MAX_PIXELS + 2


def test_json_gives_graphvizs_own_coordinates(tmp_path):
    source = "digraph { rankdir=LR; a -> b }"
    layout = json.loads(pipe(source, "json"))
    x = {node["name"]: float(node["pos"].split(",")[0]) for node in layout["objects"]}
    assert x["a"] < x["b"]  # left to right
    assert json.loads(render(source, tmp_path / "g.json").read_text())["objects"]


def test_our_own_dot_script_on_path_is_not_taken_for_a_system_dot(monkeypatch, tmp_path):
    script = tmp_path / "dot"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom viz.draw.dot_program import main\n"
                      "sys.exit(main())\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    found = find_dot()
    assert found is not None and pathlib.Path(found).name == "graphviz-pure"
    assert not makes_pdf(found)
    with pytest.raises(RendererNotFound, match="PDF needs the system Graphviz"):
        pipe("digraph { a }", "pdf")


def test_the_digraph_methods_draw_bitmaps_at_150_dpi_too(tmp_path):
    g = Drawing()
    g.edge("a", "b")
    width_pt, height_pt = svg_points(g.pipe(format="svg"))
    for data in (g.pipe(format="png"), g.pipe("png"),
                 pathlib.Path(g.render(tmp_path / "g", format="png")).read_bytes(),
                 g._repr_mimebundle_(include=["image/png"])["image/png"]):
        width_px, height_px = png_size(data)
        assert abs(width_px - width_pt * 150 / 72) <= 1.5 and abs(height_px - height_pt * 150 / 72) <= 1.5
    assert g.graph_attr == {} and "dpi" not in g.source  # the drawing itself is left as it was
    g.attr(dpi="72")
    assert abs(png_size(g.pipe(format="png"))[0] - width_pt) <= 1.5
