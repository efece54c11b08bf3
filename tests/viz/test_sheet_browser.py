"""A student's HTML sheet in Chromium: it fits a phone and a projector, and shows the student's numbers.

Needs Debian's `chromium` and the `playwright` package (no browser download).
"""

import os
import shutil

import pytest

from viz.draw.render import find_dot
from viz.homework.classroom import make_class, write_class
from viz.homework.problem_file import PROBLEMS, load
from viz.homework.variants import load_class, student_ids
from viz.notation.numbers import pretty

playwright = pytest.importorskip("playwright.sync_api", reason="no playwright: pip install playwright")
PLACES = (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium")
CHROMIUM = next((p for p in PLACES if p and os.path.exists(p)), None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium) to open the page in"),
    pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot, graphviz-pure) to draw with"),
]


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    out = tmp_path_factory.mktemp("sheets") / "c"
    for seed in ("seed_002", "seed_004"):
        cls = load_class(PROBLEMS / f"variants_{seed}.toml")
        write_class(cls, make_class(cls, student_ids(1), 7), 7, out / seed, formats=("html",))
    return out


@pytest.mark.parametrize("seed, questions", [("seed_002", 126), ("seed_004", 30)])
@pytest.mark.parametrize("width", [390, 1920])
def test_the_sheet_fits_the_window_and_shows_the_students_numbers(sheets, seed, questions, width):
    problem = load(sheets / seed / "key" / "s001" / "problem.toml")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": 1080})
        page.goto((sheets / seed / "sheets" / "s001.html").as_uri())
        page_width = page.evaluate("document.documentElement.scrollWidth")
        text = page.evaluate("document.body.innerText")
        asked = page.evaluate("[...document.querySelectorAll('p')].filter(p => /^\\d+\\. /.test(p.innerText))"
                              ".length")
        drawing = page.evaluate("document.querySelector('figure svg').getBoundingClientRect().width")
        browser.close()
    assert page_width <= width  # the diagram scrolls inside its own frame, the page never sideways
    assert asked == questions and drawing > 300
    for w in problem.layers[0].weights[0]:
        assert pretty(w) in text
    assert "s001.txt" in text and "student s001" in text
