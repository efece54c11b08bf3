"""solution.html reads on a projector and on a phone: drawings at their natural size, maths that
wraps only between terms.

The HTML is parsed for every seed: each sub- and superscript sits in a nowrap term with
its base, text between terms is only the space where a line may break, and every term
but the last ends with an operator (= + − · ←). In Chromium (Playwright) at 1920x1080 and
390 px wide, the drawings keep their SVG width (scrolling sideways) with the graph's text
>= 12 px, and every term is one line box. Screenshots go to $LECTURE_SCREENSHOTS when set.
"""

import html.parser
import os
import pathlib
import re
import shutil

import pytest

from viz.draw.render import find_dot
from viz.homework.problem_file import load, shipped
from viz.homework.solve import blocks, solve
from viz.notation.document import write

SEEDS = ["seed_000", "seed_001", "seed_002", "seed_002_q2", "seed_003", "seed_004"]
OPERATORS = ("=", "+", "−", "·", "←", "\u2003")  # a line may break after these (\quad: a list's comma)
needs_dot = pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot or graphviz-pure)")


class _Maths(html.parser.HTMLParser):
    """For each maths element: its terms' texts, scripts outside a term, and text between terms."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []  # 'math', 'term' or '' per open element
        self.terms: list[list[str]] = []
        self.loose_scripts: list[str] = []
        self.between: list[str] = []
        self.style = ""

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        inside = "math" in self.stack
        if tag in ("sub", "sup") and inside and "term" not in self.stack:
            self.loose_scripts.append(tag)
        if "math" in classes or "m" in classes:
            self.stack.append("math")
            self.terms.append([])
        elif "t" in classes and inside:
            self.stack.append("term")
            self.terms[-1].append("")
        else:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "style":
            self.style += data
        if "term" in self.stack:
            self.terms[-1][-1] += data
        elif self.stack and self.stack[-1] == "math":
            self.between.append(data)


def maths(html_text: str) -> _Maths:
    page = _Maths()
    page.feed(html_text)
    return page


@pytest.mark.parametrize("seed", SEEDS)
def test_every_script_sits_in_a_nowrap_term_with_its_base(seed):
    page = maths(write(blocks(load(shipped(seed))), "html"))
    assert re.search(r"\.t\{white-space:nowrap\}", page.style)
    assert len(page.terms) > 10 and all(page.terms)
    assert page.loose_scripts == []  # every <sub>/<sup> is inside a term, with the base before it
    assert {text for text in page.between} <= {" "}  # between terms only the space that may break
    # a term ends where an operator ends it: after = + − · ← (or a list's comma and quad)
    early = [terms[k] for terms in page.terms for k in range(len(terms) - 1)
             if not terms[k].rstrip(" \u00a0").endswith(OPERATORS)]
    assert early == []


def test_a_symbol_and_its_scripts_never_come_apart():
    page = maths(write(blocks(load(shipped("seed_004"))), "html"))
    terms = [t for ts in page.terms for t in ts]
    assert "δ2(1) =" in [t.replace("\u00a0", " ") for t in terms]  # δ₂⁽¹⁾ and its = in one term
    assert "1.3964687×10⁻¹¹ ·" in [t.replace("\u00a0", " ") for t in terms]  # a number with its power of ten


CHROMIUM = next((p for p in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium")
                 if p and os.path.exists(p)), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
MEASURE = """() => {
  const figures = [...document.querySelectorAll('figure svg')].map(svg => {
    const box = svg.getBoundingClientRect(), frame = svg.parentElement;
    // each text's font size on screen: its size in the drawing's units times the drawing's scale
    const sizes = [...svg.querySelectorAll('text')].map(
      t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
    return {attribute: svg.width.baseVal.value, shown: box.width, frame: frame.clientWidth,
            scrolls: frame.scrollWidth > frame.clientWidth + 1,
            text: sizes.filter(h => h > 0).sort((a, b) => a - b)[0]};
  });
  // a term on two lines has a piece entirely below another (pieces of one line overlap in height)
  const lines = t => [...t.getClientRects()].filter(r => r.width > 0);
  const split = t => lines(t).some(a => lines(t).some(b => b.top >= a.bottom - 1));
  const broken = [...document.querySelectorAll('.t')].filter(split).length;
  const rows = [...document.querySelectorAll('div.math')].map(d => d.getClientRects()[0].height);
  return {figures, broken, terms: document.querySelectorAll('.t').length, page: document.body.scrollWidth,
          tallest: Math.max(...rows)};
}"""


@pytest.mark.slow
@needs_dot
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium) to open the page in")
@pytest.mark.parametrize("seed", ["seed_002", "seed_004"])
def test_in_a_browser_drawings_keep_their_size_and_terms_stay_whole(tmp_path, seed):
    sync = pytest.importorskip("playwright.sync_api", reason="no playwright: pip install playwright")
    folder = os.environ.get("LECTURE_SCREENSHOTS")
    shots = pathlib.Path(folder) if folder else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    solve(load(shipped(seed)), tmp_path / seed, fmt="html")
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for width, height in ((1920, 1080), (390, 844)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto((tmp_path / seed / "solution.html").as_uri())
            found = page.evaluate(MEASURE)
            assert len(found["figures"]) == 2 and found["terms"] > 100
            for figure in found["figures"]:
                # never scaled down: the SVG's own width (pt, as px) on screen, scrolling when wider
                assert figure["shown"] >= figure["attribute"] - 0.5, figure
                assert figure["scrolls"] == (figure["attribute"] > figure["frame"] + 1), figure
                assert figure["text"] >= 12, figure  # the drawing's smallest text, in CSS px
            assert found["broken"] == 0  # no term is split over two lines
            assert found["page"] <= width  # the page itself never scrolls sideways: the drawings do
            page.screenshot(path=str(shots / f"solution_{seed}_{width}_top.png"))
            page.locator("figure").last.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / f"solution_{seed}_{width}_graph.png"))
            page.locator("div.math", has_text="δ1(1) =").first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / f"solution_{seed}_{width}_deltas.png"))
            page.close()
        browser.close()
