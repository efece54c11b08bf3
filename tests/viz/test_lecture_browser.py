"""viz.step_through in a real browser: keys pressed, numbers read off the page, compared with the engine.

Needs Debian's `chromium` and the `playwright` package (no browser download: Playwright
drives the system Chromium through executable_path). Skips with a reason without them.
Screenshots go to $MICROGRAD_ARTIFACTS (or $LECTURE_SCREENSHOTS) when set (CI keeps them),
else to a pytest temporary folder; never into the repository.
The camera (what each step shows) is tested in test_lecture_camera.py.
"""

import os
import pathlib
import shutil

import pytest
from handmade import seed_004_loss

from micrograd import Value, backward_order, topological_order
from viz.draw.render import find_dot
from viz.explain.lecture import step_through
from viz.homework.problem_file import PROBLEMS, load
from viz.homework.run import Model
from viz.notation.names import leaf_kind
from viz.notation.numbers import pretty

playwright = pytest.importorskip("playwright.sync_api", reason="no playwright: pip install playwright")
PLACES = (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
          "/usr/bin/chromium")
CHROMIUM = next((p for p in PLACES if p and os.path.exists(p)), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium) to open the page in"),
    pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot, graphviz-pure) to draw with"),
]
SEEDS = sorted(p.stem for p in PROBLEMS.glob("seed_*.toml"))

# Everything a step shows, read in one round trip: the counter, the panel, every node's two numbers.
READ = """() => {
  const nodes = [...document.querySelectorAll('#graph g[data-k]')];
  // a constant may be drawn as its number alone, with no data or grad to fill in
  const field = (name) => nodes.filter(g => g.querySelector('tspan.' + name))
    .map(g => [+g.dataset.k, g.querySelector('tspan.' + name).textContent]);
  const seen = (t) => getComputedStyle(t).visibility === 'visible';
  return {
    counter: document.getElementById('counter').textContent,
    phase: document.getElementById('phase').textContent,
    lines: [...document.querySelectorAll('#lines p')].map(p => p.textContent),
    data: field('data'),
    grad: field('grad'),
    locals: [...document.querySelectorAll('g.edge.lit text.local')].some(seen),
  };
}"""


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("MICROGRAD_ARTIFACTS") or os.environ.get("LECTURE_SCREENSHOTS")
    path = pathlib.Path(folder) / "lecture" if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def open_page(browser, path, width=1600, height=900):
    """A page (1600x900: a projector's shape) on the file, with every request and script error recorded.

    Reduced motion: the camera jumps to each step's view instead of gliding, so it can be measured at once.
    """
    page = browser.new_page(viewport={"width": width, "height": height}, reduced_motion="reduce")
    page.requests, page.errors = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    return page


def seed_loss(name):
    return Model(load(PROBLEMS / f"{name}.toml")).forward().loss


def title(name):
    return load(PROBLEMS / f"{name}.toml").title if name in SEEDS else name


def seed_004_by_hand():
    """Seed 004 from plain Values (no nn labels: no layer view), after backward()."""
    loss = seed_004_loss()
    loss.backward()
    return loss


def expected_walk(loss):
    """What the page must show after each step, from the engine's stored data and local derivatives."""
    order = topological_order(loss)
    index = {id(v): k for k, v in enumerate(order)}
    walk = [("forward", k, pretty(v.data)) for k, v in enumerate(order) if v.op]
    grads = [0.0] * len(order)
    grads[-1] = 1.0
    walk.append(("seed", len(order) - 1, "1"))
    for v in backward_order(loss):  # the engine's own order
        k = index[id(v)]
        for u, local in zip(v.inputs, v.local_grads):
            grads[index[id(u)]] += local * grads[k]
            if leaf_kind(u) != "constant":  # no document asks for a constant's or a target's grad
                walk.append(("backward", index[id(u)], pretty(grads[index[id(u)]])))
    assert grads == [v.grad for v in order]  # the walk ends where backward() ended
    return order, walk


def shared():
    """x used three times, twice by one op: two edges between the same two nodes."""
    x = Value(3.0, "x")
    y = x * x + x
    y.label = "y"
    y.backward()
    return y


@pytest.mark.parametrize("name", SEEDS + ["seed_004_by_hand", "shared"])
def test_every_step_shows_the_engines_numbers(browser, shots, tmp_path, name):
    loss = {"seed_004_by_hand": seed_004_by_hand, "shared": shared}.get(name, lambda: seed_loss(name))()
    order, walk = expected_walk(loss)
    path = step_through(loss, tmp_path / f"{name}.html", title=title(name))
    page = open_page(browser, path)
    total = len(walk) + 1
    start = page.evaluate(READ)
    assert start["counter"] == f"0 / {total}"
    assert all(text == ("–" if leaf_kind(order[k]) == "constant" else "?") for k, text in start["grad"])
    assert all((text == "?") == bool(order[k].op) for k, text in start["data"])
    assert {k for k, _ in start["data"]} >= {k for k, v in enumerate(order) if leaf_kind(v) != "constant"}
    for i, (kind, k, expected) in enumerate(walk, 1):
        page.keyboard.press("ArrowRight")
        shown = page.evaluate(READ)
        assert shown["counter"] == f"{i} / {total}"
        field = dict(shown["data"] if kind == "forward" else shown["grad"])
        assert field[k] == expected, f"step {i} ({kind}): node {k} shows {field[k]}, the engine {expected}"
        assert shown["lines"][-1].endswith(expected), f"step {i}: the panel ends {shown['lines'][-1]!r}"
        assert shown["locals"] == (kind == "backward"), f"step {i} ({kind}): local derivative shown wrongly"
        if i == len(order) // 2 or kind == "backward" and walk[i - 2][0] == "seed":
            page.screenshot(path=str(shots / f"{name}_step{i:03d}.png"))
    page.keyboard.press("ArrowRight")
    end = page.evaluate(READ)
    assert end["phase"] == "Done" and end["counter"] == f"{total} / {total}"
    assert dict(end["grad"]) == {k: pretty(v.grad) for k, v in enumerate(order) if k in dict(end["grad"])}
    assert all(leaf_kind(order[k]) == "constant" for k, text in end["grad"] if text == "–")
    page.screenshot(path=str(shots / f"{name}_end.png"))
    assert all(url.startswith("file://") for url in page.requests), page.requests  # nothing fetched
    assert page.errors == []
    page.close()


def test_each_edge_of_a_repeated_input_lights_up_on_its_own(browser, tmp_path):
    path = step_through(shared(), tmp_path / "shared.html")
    page = open_page(browser, path)
    lit = []
    for _ in range(8):
        page.keyboard.press("ArrowRight")
        lit.append(page.evaluate("[...document.querySelectorAll('g.edge.lit')].map(e => e.id)"))
    # steps: x*x, +, then backward: seed, y's two inputs (x*x, x), then x*x's two inputs: x and x again
    first, second = lit[5], lit[6]
    assert len(first) == 1 and len(second) == 1 and first != second
    page.close()


def test_back_retraces_forward_exactly_and_jumps_work(browser, tmp_path):
    loss = seed_loss("seed_000")
    path = step_through(loss, tmp_path / "seed_000.html")
    page = open_page(browser, path)
    seen = [page.evaluate(READ)]
    while not seen[-1]["counter"].startswith(seen[-1]["counter"].split(" / ")[1] + " "):
        page.keyboard.press("PageDown")  # a presentation clicker's key
        seen.append(page.evaluate(READ))
    for before in reversed(seen[:-1]):
        page.keyboard.press("ArrowLeft")
        assert page.evaluate(READ) == before
    page.keyboard.press("End")
    assert page.evaluate(READ) == seen[-1]
    page.click("#first")
    assert page.evaluate(READ) == seen[0]
    page.click("#last")
    assert page.evaluate(READ) == seen[-1]
    page.close()


def test_the_path_of_one_weight(browser, shots, tmp_path):
    loss = seed_loss("seed_004")
    order = topological_order(loss)
    w = next(v for v in order if v.label == "w12^(1)")  # the document's W^1_21
    on = {id(w)}
    for v in order:
        if any(id(u) in on for u in v.inputs):
            on.add(id(v))
    path = step_through(loss, tmp_path / "path.html", wrt=w, title=title("seed_004"))
    page = open_page(browser, path)
    assert page.inner_text("#path") == "Path of w₁₂⁽¹⁾"
    page.keyboard.press("p")
    assert page.evaluate("document.querySelector('#graph svg').classList.contains('path-on')")
    marked = page.evaluate("[...document.querySelectorAll('g.on-path[data-k]')].map(g => +g.dataset.k)")
    assert sorted(marked) == [k for k, v in enumerate(order) if id(v) in on]
    shown = page.evaluate(READ)
    assert shown["phase"] == "Path of w₁₂⁽¹⁾"  # p shows the product at once, from the loss down
    assert shown["lines"][0] == "path L ← (ŷ − t)² ← ŷ − t ← ŷ ← z₁⁽²⁾ ← a₁⁽¹⁾ ← z₁⁽¹⁾ ← w₁₂⁽¹⁾:"
    page.keyboard.press("End")
    lines = page.evaluate(READ)["lines"]
    assert pretty(w.grad) == "−0.2312"  # seed README: dl/dW1_21 = -0.2311951
    assert lines[-1] == f"∂L/∂w₁₂⁽¹⁾ = grad(w₁₂⁽¹⁾) = {pretty(w.grad)}"
    page.click("#zoom")  # follow the step -> the whole graph
    assert page.inner_text("#zoom") == "Zoom: all"
    page.screenshot(path=str(shots / "seed_004_path_end.png"))
    page.close()


def test_layers_step_through_drives_activations_and_deltas(browser, shots, tmp_path):
    loss = seed_loss("seed_000")
    path = step_through(loss, tmp_path / "layers.html")
    page = open_page(browser, path)
    page.keyboard.press("l")
    # a cell's key is 'layer.neuron.field', e.g. '1.2.a' = activation of neuron 2 in layer 1
    cell = "(k) => document.querySelector(`[data-cell='${k.slice(0, 3)}'] [data-field='${k[4]}'] .val`)" \
           ".textContent"
    assert page.evaluate(cell, "1.1.z") == "?"
    seen = {}
    for _ in range(7):  # drives 1, activations 1, drives 2, activations 2, loss, deltas 2, deltas 1
        page.keyboard.press("ArrowRight")
        cells = ("1.1.z", "1.2.a", "2.1.d", "1.1.d")
        seen[page.inner_text("#phase")] = {k: page.evaluate(cell, k) for k in cells}
        if page.inner_text("#phase") == "Layer 1: deltas":
            page.screenshot(path=str(shots / "seed_000_layers_deltas.png"))
    # seed 000: d^(1) = (5, 7), a^(1) = (25, 49), delta^(2) = 4, delta^(1) = (-80, 56)
    assert seen["Layer 1: drives"] == {"1.1.z": "5", "1.2.a": "?", "2.1.d": "?", "1.1.d": "?"}
    assert seen["Layer 1: activations"]["1.2.a"] == "49"
    assert seen["Layer 2: deltas"] == {"1.1.z": "5", "1.2.a": "49", "2.1.d": "4", "1.1.d": "?"}
    assert seen["Layer 1: deltas"]["1.1.d"] == "−80"
    assert "∂L/∂w₁₁⁽¹⁾ = δ₁⁽¹⁾·x₁ = (−80)·2 = −160" in page.evaluate(READ)["lines"]
    page.close()


def test_large_type_for_the_back_row(browser, tmp_path):
    path = step_through(seed_loss("seed_004"), tmp_path / "type.html")
    page = open_page(browser, path, 1920, 1080)
    page.keyboard.press("ArrowRight")
    px = "(sel) => parseFloat(getComputedStyle(document.querySelector(sel)).fontSize)"
    assert page.evaluate(px, "#lines p") >= 28 and page.evaluate(px, "#counter") >= 28
    assert page.evaluate(px, "#next") >= 22
    # the drawing's own text, as drawn on screen while stepping
    height = page.evaluate("document.querySelector('g.current tspan.data').getBoundingClientRect().height")
    assert height >= 18
    colour = "(sel) => getComputedStyle(document.querySelector(sel)).color"
    assert page.evaluate(colour, "#lines p") == "rgb(0, 0, 0)"
    page.close()


def test_a_label_that_looks_like_markup_is_shown_as_text(browser, tmp_path):
    x = Value(2.0, "x</script><!--<script>")
    y = x * 3
    y.label = "y"
    page = open_page(browser, step_through(y, tmp_path / "tricky.html"))
    assert page.errors == []  # the page's own script ran to the end
    page.keyboard.press("ArrowRight")
    assert page.evaluate(READ)["lines"][0] == "y = (x</script><!--<script>)·3"
    page.close()
