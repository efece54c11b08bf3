"""`solve --format html`: a page that needs no network, the documents' numbers on it, lecture.html beside it.

The numbers are read back from the page's text (what a reader sees: each display
equation's left side and the number it ends with) and compared with numbers typed
from ../shared/seeds/README.md (the exact values), at the coarser of the two
precisions. The browser test opens the page from file:// with the network cut
off and records every request; screenshots go to $LECTURE_SCREENSHOTS when set.
"""

import html.parser
import math
import os
import pathlib
import re
import shutil

import pytest

from viz.draw.render import find_dot
from viz.homework.problem_file import load, shipped
from viz.homework.solve import solve
from viz.notation.document import Heading, Math, Para, T, html_page
from viz.notation.mathhtml import Unsupported, to_html

needs_dot = pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot or graphviz-pure)")
THIRD = 1 / 3

# (left side as the page's text shows it, exact value): typed from the seeds' README
SEEDS = {
    "seed_000": [("ŷ", "1"), ("L", "2"), ("∂L∂w11(2)", "100"), ("∂L∂w12(2)", "196"),
                 ("∂L∂w11(1)", "-160"), ("∂L∂w12(1)", "-240"), ("∂L∂w21(1)", "112"), ("∂L∂w22(1)", "168"),
                 ("w11(2)", "-3"), ("w12(2)", "-0.96"), ("w11(1)", "-0.4"), ("w12(1)", "5.4"),
                 ("w21(1)", "0.88"), ("w22(1)", "-0.68")],
    "seed_001": [("h1", "0.78751"), ("h2", "0.9498"), ("ŷ", "0.57869"), ("Div", "0.006192"),
                 ("∂Div∂w1", "0.0008989")],
    "seed_002": [("z3(3)", "0.163961"), ("L", "0.376364")],
    "seed_002_q2": [("ŷ1", repr(THIRD)), ("ŷ2", repr(THIRD)), ("ŷ3", repr(THIRD)), ("L", repr(math.log(3))),
                    ("δ1(3)", repr(THIRD)), ("δ2(3)", repr(-2 * THIRD)), ("δ3(3)", repr(THIRD))],
    "seed_003": [("ŷ", "4.5"), ("ŷ", "2.46575625"), ("ŷ", "1.86544930"),
                 ("L", "6.125"), ("L", "1.07422"), ("L", "0.374501")],
    "seed_004": [("ŷ", "0.1192029"), ("L", "0.3879017"), ("∂L∂w11(2)", "-0.0462390"),
                 ("∂L∂w12(1)", "-0.2311951"), ("w11(2)", "2.0924780"), ("w12(1)", "1.4623902")],
}
LOADING = {"src", "href", "xlink:href", "srcset", "action", "poster", "data", "background"}


class _Page(html.parser.HTMLParser):
    """A page's display equations as text, and every attribute that could make the browser load something."""

    def __init__(self) -> None:
        super().__init__()
        self.equations: list[str] = []
        self.references: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.styles: list[str] = []
        self._math: list[str] | None = None
        self._depth = 0
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.references += [(tag, k, v or "") for k, v in attrs if k in LOADING]
        self.styles += [v or "" for k, v in attrs if k == "style"]
        self._in_style = tag == "style"
        if self._math is not None:
            self._depth += 1
        elif tag == "div" and ("class", "math") in attrs:
            self._math, self._depth = [], 1

    def handle_endtag(self, tag):
        self._in_style = False
        if self._math is not None:
            self._depth -= 1
            if self._depth == 0:
                self.equations.append("".join(self._math).replace("\u00a0", " "))
                self._math = None

    def handle_data(self, data):
        if self._math is not None:
            self._math.append(data)
        if self._in_style:
            self.styles.append(data)


def read(path: pathlib.Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def results(page: _Page) -> dict[str, list[float]]:
    """{left side: the numbers its equations end with}, in the page's order."""
    found: dict[str, list[float]] = {}
    for eq in page.equations:
        parts = eq.split(" = ")
        value = shown_number(parts[-1].strip())
        if len(parts) > 1 and value is not None:
            found.setdefault(parts[0].strip(), []).append(value)
    return found


NUMBER = re.compile(r"(−?\d+(?:\.\d+)?)(?:×10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))?")
SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def shown_number(text: str) -> float | None:
    """A number as the page prints it (−0.5, 1.3964687×10⁻¹¹) as a float; None if `text` is not one."""
    m = NUMBER.fullmatch(text)
    if not m:
        return None
    mantissa = float(m[1].replace("−", "-"))
    return mantissa * 10 ** int(m[2].translate(SUPERSCRIPT)) if m[2] else mantissa


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def agrees(shown: float, exact: str) -> bool:
    """Equal at the coarser precision of the page's number and the README's (each was rounded)."""
    places = min(decimals(repr(shown)), decimals(exact)) if "." in exact else decimals(repr(shown))
    return abs(shown - float(exact)) <= 0.51 * 10**-places + 1e-12


def offline_references(page: _Page) -> list:
    """Everything on the page that names something outside the file: none may be left."""
    outside = [r for r in page.references if re.match(r"^\s*([a-z][a-z0-9+.-]*:|//)", r[2], re.I)]
    outside += [("style", "", s) for s in page.styles if re.search(r"url\(|@import", s)]
    return outside + [("link", "", "")] * page.tags.count("link")


@needs_dot
@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_the_page_needs_no_network_and_shows_the_documents_numbers(tmp_path, seed):
    written = solve(load(shipped(seed)), tmp_path / seed, fmt="html")
    assert {p.name for p in written} >= {"solution.html", "lecture.html", "graph.svg"}
    text = (tmp_path / seed / "solution.html").read_text(encoding="utf-8")
    page = read(tmp_path / seed / "solution.html")
    assert "http://" not in text and "https://" not in text  # not even an SVG namespace
    assert offline_references(page) == []
    assert ("a", "href", "lecture.html") in page.references
    assert page.tags.count("svg") == 2  # network diagram and graph inlined (seed 001: from its formulas)
    assert "\\frac" not in text and "\\cdot" not in text  # no maths left for a typesetter
    lecture = read(tmp_path / seed / "lecture.html")
    assert offline_references(lecture) == [] and "script" in lecture.tags
    found = results(page)
    missing = [(lhs, exact) for lhs, exact in SEEDS[seed] if lhs not in found]
    assert not missing, f"no equation for {missing}; the page has {sorted(found)}"
    wrong = [(lhs, exact, found[lhs]) for lhs, exact in SEEDS[seed]
             if not any(agrees(v, exact) for v in found[lhs])]
    assert not wrong, wrong


@needs_dot
def test_no_diagrams_means_no_lecture_page_and_markdown_is_unchanged(tmp_path):
    written = solve(load(shipped("seed_004")), tmp_path / "html", fmt="html", diagrams=False)
    assert [p.name for p in written] == ["solution.html"]
    assert 'href="lecture.html"' not in written[0].read_text(encoding="utf-8")
    written = solve(load(shipped("seed_004")), tmp_path / "md")
    assert sorted(p.name for p in written) == ["graph.svg", "network.svg", "solution.md"]


@needs_dot
def test_a_graph_too_big_to_step_through_gets_a_note_instead_of_a_page(tmp_path, monkeypatch):
    monkeypatch.setattr("viz.explain.lecture.MAX_NODES", 10)  # seed 004's graph has more Values than that
    written = solve(load(shipped("seed_004")), tmp_path / "out", fmt="html")
    assert sorted(p.name for p in written) == ["graph.svg", "network.svg", "solution.html"]
    page = (tmp_path / "out" / "solution.html").read_text(encoding="utf-8")
    assert "No step-through page: the graph has" in page and 'href="lecture.html"' not in page


def test_scripts_stack_fractions_stack_and_matrices_are_tables():
    w = to_html(r"w_{12}^{(1)}")
    assert w == '<span class="t"><i>w</i><span class="ss"><sub>12</sub><sup>(1)</sup></span></span>'
    frac = to_html(r"\frac{\partial L}{\partial w_{1}}")
    assert frac == ('<span class="t"><span class="frac"><span>∂<i>L</i></span><span>∂<i>w</i><sub>1</sub>'
                    "</span></span></span>")
    matrix = to_html(r"\begin{pmatrix} -2 & 3 \\ 2 & 1 \end{pmatrix}")
    assert re.findall(r"<td>([^<]*)</td>", matrix) == ["−2", "3", "2", "1"] and matrix.count("<tr>") == 2
    assert to_html(r"\hat{y}_{2}") == '<span class="t"><i>ŷ</i><sub>2</sub></span>'
    tanh, log = '<span class="rm">tanh</span>', '<span class="rm">log</span>'
    spaced = f"{tanh}′(<i>z</i>)\u00a0{log}\u2009<i>x</i>"  # LaTeX's spacing
    assert to_html(r"\tanh'(z) \log x") == f'<span class="t">{spaced}</span>'
    for bad in (r"\unknown{x}", r"w_{1", r"\frac{1}", r"a^2^3", r"\begin{align} a \end{align}"):
        with pytest.raises(Unsupported):
            to_html(bad)


def test_an_equation_breaks_only_between_terms_after_an_operator():
    terms = ('<span class="t"><i>a</i>\u00a0=</span> <span class="t"><i>b</i>\u00a0+</span> '
             '<span class="t"><i>c</i></span>')
    assert to_html(r"a = b + c") == terms
    # a short (...) group and a number's power of ten never break; a minus is a real minus
    assert to_html(r"L = \tfrac{1}{2}(t - \hat{y})^2 = -1.3964687\times10^{-11} \cdot 2") == (
        '<span class="t"><i>L</i>\u00a0=</span> <span class="t">½(<i>t</i>\u00a0−\u00a0<i>ŷ</i>)<sup>2</sup>'
        '\u00a0=</span> <span class="t">−1.3964687×10⁻¹¹\u00a0·</span> <span class="t">2</span>')
    # in a side that is a sum, a product a · b stays whole: 1 · 1.5 + 1 · 2.5 breaks after + only
    sum_terms = to_html(r"z = 1 \cdot 1.5 + 1 \cdot 2.5 = 4").split("</span> ")
    assert [re.sub("<[^>]+>", "", t) for t in sum_terms] == ["z\u00a0=", "1\u00a0·\u00a01.5\u00a0+",
                                                             "1\u00a0·\u00a02.5\u00a0=", "4"]
    # a list breaks between its items, never inside x₂ = 1.2
    assert to_html(r"x_{1} = -0.7,\quad x_{2} = 1.2") == (
        '<span class="t"><i>x</i><sub>1</sub>\u00a0=\u00a0−0.7,\u2003</span> '
        '<span class="t"><i>x</i><sub>2</sub>\u00a0=\u00a01.2</span>')


def test_latex_the_page_cannot_show_is_shown_as_plain_text():
    page = html_page([Heading(1, "t"), Math(T(r"\iint f", "∬ f <b>")),
                      Para(T(r"see $\iint$ here", "see ∬ here"))])
    assert '<span class="plain">∬ f &lt;b&gt;</span>' in page and "<p>see ∬ here</p>" in page
    assert "\\iint" not in page


# The browser: the page opened from file:// with the network cut off.
CHROMIUM = next((p for p in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium")
                 if p and os.path.exists(p)), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.mark.slow
@needs_dot
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium) to open the page in")
def test_offline_in_a_browser_the_page_reads_and_the_lecture_page_steps(tmp_path):
    sync = pytest.importorskip("playwright.sync_api", reason="no playwright: pip install playwright")
    folder = os.environ.get("LECTURE_SCREENSHOTS")
    shots = pathlib.Path(folder) if folder else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    solve(load(shipped("seed_004")), tmp_path / "seed_004", fmt="html")
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(offline=True, viewport={"width": 1600, "height": 900})
        requests, errors = [], []
        context.route(re.compile(r"^(?!file:)"), lambda route: route.abort())  # anything not a file fails
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((tmp_path / "seed_004" / "solution.html").as_uri())
        page.wait_for_load_state("load")
        assert page.locator("div.math").count() > 30
        text = page.inner_text("body")
        assert "0.11920292" in text and "2.092478" in text
        # every equation fits the width of a projector's 1600 px: nothing is cut off
        assert page.evaluate("[...document.querySelectorAll('div.math')]"
                             ".filter(d => d.scrollWidth > d.clientWidth + 1).length") == 0
        page.screenshot(path=str(shots / "solution_seed_004_top.png"))
        page.locator("div.math").nth(12).scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "solution_seed_004_backprop.png"))
        page.click("nav a")
        page.wait_for_url("**/lecture.html")
        counter = page.inner_text("#counter")
        page.keyboard.press("ArrowRight")
        assert page.inner_text("#counter") != counter
        page.screenshot(path=str(shots / "lecture_seed_004_from_solution.png"))
        browser.close()
    assert errors == []
    assert requests and all(url.startswith("file://") for url in requests), requests
