"""The lecture page's camera in a real browser: what each view shows, measured on the page and its screenshot.

For every seed at 1280x800 and 1920x1080 (and a phone's 390 px): the first view is not blank and
shows the whole graph or its first layer (or, when even that is too tall to read, the first
step's node and inputs), readable; after each of the first forward and backward
steps the step's node, its op and its inputs lie wholly inside the visible pane, and the
screenshot shows their highlight colours there; End and p show the whole path; the title is
not cut. Screenshots are kept as artefacts ($MICROGRAD_ARTIFACTS, else a pytest folder).
"""

import io

import numpy as np
import pytest
from test_lecture_browser import CHROMIUM, open_page
from test_lecture_browser import shots as shots  # a fixture: imported to be used by name

from micrograd import topological_order
from viz.draw.render import find_dot
from viz.homework import solve
from viz.homework.problem_file import PROBLEMS, load
from viz.homework.run import Model

playwright = pytest.importorskip("playwright.sync_api", reason="no playwright: pip install playwright")
Image = pytest.importorskip("PIL.Image", reason="no Pillow to read the screenshots")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium) to open the page in"),
    pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot, graphviz-pure) to draw with"),
]
SEEDS = sorted(p.stem for p in PROBLEMS.glob("seed_*.toml"))
SIZES = [(1280, 800), (1920, 1080)]
FIRST = 6  # forward steps checked, and backward steps after the seed
CURRENT, SOURCE = (0xD5, 0x5E, 0x00), (0x00, 0x72, 0xB2)  # lecture.css --current and --source

# The visible pane and the on-screen box of each node (data-k) and op (data-op) group, in one trip.
BOXES = """() => {
  const r = (el) => { const b = el.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const out = { pane: r(document.getElementById('graph')), nodes: {}, ops: {}, text: {} };
  document.querySelectorAll('#graph g[data-k]').forEach((g) => {
    out.nodes[g.dataset.k] = r(g);
    const t = g.querySelector('text');
    if (t) out.text[g.dataset.k] = t.getBoundingClientRect().height;
  });
  document.querySelectorAll('#graph g[data-op]').forEach((g) => { out.ops[g.dataset.op] = r(g); });
  return out;
}"""


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        yield chromium
        chromium.close()


def inside(box, pane, slack=0.5):
    return box[0] >= pane[0] - slack and box[1] >= pane[1] - slack and \
        box[2] <= pane[2] + slack and box[3] <= pane[3] + slack


def outside(boxes, ks, pane):
    """The node indices among ks whose box is not wholly in the pane."""
    return [k for k in ks if str(k) in boxes and not inside(boxes[str(k)], pane)]


def has_colour(shot, box, colour, tolerance=40):
    """Whether the screenshot shows `colour` somewhere in box (a highlight's stroke)."""
    x0, y0, x1, y1 = (round(v) for v in box)
    region = shot.crop((max(x0, 0), max(y0, 0), max(x1, 1), max(y1, 1))).convert("RGB")
    pixels = np.asarray(region, dtype=int).reshape(-1, 3)
    return bool((np.abs(pixels - np.array(colour)) <= tolerance).all(axis=1).any())


def screenshot(page, path):
    return Image.open(io.BytesIO(page.screenshot(path=str(path))))


def first_layer(order):
    """The nodes computed from leaves alone, with those leaves: what a first view may show instead of all."""
    index = {id(v): k for k, v in enumerate(order)}
    found = set()
    for k, v in enumerate(order):
        if v.op and all(not u.op for u in v.inputs):
            found.add(k)
            found.update(index[id(u)] for u in v.inputs)
    return sorted(found)


def lecture_page(name, tmp_path):
    """The page as `micrograd lecture NAME` writes it (the first parameter's path), and the graph's order."""
    problem = load(PROBLEMS / f"{name}.toml")
    path = solve.lecture(problem, tmp_path / f"{name}.html")
    return path, topological_order(Model(problem).forward().loss)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", SEEDS)
def test_every_view_shows_the_step_and_its_inputs(browser, shots, tmp_path, name, size):
    path, order = lecture_page(name, tmp_path)
    page = open_page(browser, path, *size)
    tag = f"{name}_{size[0]}x{size[1]}"
    steps = page.evaluate("lecture.steps()")

    # the first view: not blank, the whole graph or at least its first layer, readable
    view = page.evaluate(BOXES)
    shot = screenshot(page, shots / f"{tag}_000_start.png")
    pane = view["pane"]
    region = shot.crop(tuple(round(v) for v in pane)).convert("L")
    inked = float((np.asarray(region) < 200).mean())
    assert inked > 0.02, f"{tag}: the first view is blank ({inked:.1%} inked)"
    first = steps[1]
    views = {"whole": range(len(order)), "first layer": first_layer(order),
             "first step": [first["node"]] + first["inputs"]}
    seen = [what for what, ks in views.items() if not outside(view["nodes"], ks, pane)]
    assert seen, f"{tag}: the first view shows not the whole graph, nor its first layer, nor the first step"
    shown = [k for k in views[seen[0]] if str(k) in view["text"]]
    assert min(view["text"][str(k)] for k in shown) >= 12, f"{tag}: the first view's text is too small"

    forward = [i for i, s in enumerate(steps) if s["kind"] == "forward"][:FIRST]
    seed = next(i for i, s in enumerate(steps) if s["kind"] == "seed")
    backward = list(range(seed, min(seed + FIRST + 1, len(steps) - 1)))
    for i in forward + backward:
        page.evaluate("(i) => lecture.go(0, i)", i)
        step, view = steps[i], page.evaluate(BOXES)
        shot = screenshot(page, shots / f"{tag}_{i:03d}_{step['kind']}.png")
        pane = view["pane"]
        if step["kind"] == "backward":  # the grad goes from `out`, through its op, into `node`
            current, sources, op = step["node"], [step["out"]], step["out"]
        else:
            current, op = step["node"], step["node"]
            sources = step.get("inputs", [])
        missing = outside(view["nodes"], [current] + sources, pane)
        assert not missing, f"{tag} step {i} ({step['kind']}): nodes {missing} are off-screen"
        if str(op) in view["ops"]:
            assert inside(view["ops"][str(op)], pane), f"{tag} step {i}: the op is off-screen"
        # the screenshot itself: the current node drawn in the current colour, each input in the source one
        assert has_colour(shot, view["nodes"][str(current)], CURRENT), f"{tag} step {i}: no current node seen"
        for k in sources:
            assert has_colour(shot, view["nodes"][str(k)], SOURCE), f"{tag} step {i}: input {k} not seen"

    data = page.evaluate("JSON.parse(document.getElementById('lecture-data').textContent)")
    on_path = data["path"]["nodes"]
    page.keyboard.press("End")
    view = page.evaluate(BOXES)
    screenshot(page, shots / f"{tag}_end.png")
    assert not outside(view["nodes"], on_path, view["pane"]), f"{tag}: End leaves part of the path off-screen"
    page.keyboard.press("Home")
    page.keyboard.press("p")
    view = page.evaluate(BOXES)
    screenshot(page, shots / f"{tag}_path.png")
    assert not outside(view["nodes"], on_path, view["pane"]), f"{tag}: p leaves part of the path off-screen"
    assert page.errors == []
    page.close()


@pytest.mark.parametrize("name", SEEDS)
def test_the_title_is_whole_at_1280(browser, tmp_path, name):
    path, _ = lecture_page(name, tmp_path)
    page = open_page(browser, path, 1280, 800)
    title = page.evaluate("""() => { const h = document.getElementById('title');
      return {text: h.textContent, fits: h.scrollWidth <= h.clientWidth + 1,
              px: parseFloat(getComputedStyle(h).fontSize), width: h.getBoundingClientRect().width}; }""")
    assert title["text"] == load(PROBLEMS / f"{name}.toml").title
    assert title["fits"] and title["px"] >= 20 and title["width"] > 300, title
    page.close()


def test_a_phone_sees_each_step_too(browser, shots, tmp_path):
    path, order = lecture_page("seed_004", tmp_path)
    page = open_page(browser, path, 390, 844)
    steps = page.evaluate("lecture.steps()")
    header = page.evaluate("document.querySelector('header').getBoundingClientRect().height")
    assert header < 844 / 5  # the buttons keep to a row or two: the drawing and the panel get the rest
    for i in [1, 2, 3] + [k for k, s in enumerate(steps) if s["kind"] == "backward"][:3]:
        page.evaluate("(i) => lecture.go(0, i)", i)
        step, view = steps[i], page.evaluate(BOXES)
        page.screenshot(path=str(shots / f"seed_004_phone_{i:03d}.png"))
        needed = [step["node"]] + (step.get("inputs", []) if step["kind"] == "forward" else [step["out"]])
        assert not outside(view["nodes"], needed, view["pane"]), f"phone step {i}: part of it off-screen"
        panel = page.evaluate("document.getElementById('panel').getBoundingClientRect()")
        assert panel["top"] >= view["pane"][3] - 1  # the panel under the drawing, not over it
    page.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", ["seed_000", "seed_002", "seed_004"])
def test_the_layer_view_shows_every_weight_apart_and_the_loss(browser, shots, tmp_path, name, size):
    path, order = lecture_page(name, tmp_path)
    page = open_page(browser, path, *size)
    page.keyboard.press("l")
    page.keyboard.press("End")
    page.screenshot(path=str(shots / f"{name}_{size[0]}x{size[1]}_layers_end.png"))
    seen = page.evaluate("""() => {
      const r = (el) => { const b = el.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
      return { pane: r(document.getElementById('layers-pane')),
               labels: [...document.querySelectorAll('#links text')].map((t) => [t.textContent, r(t)]),
               cells: [...document.querySelectorAll('#layers .neuron')].map((c) => [c.dataset.cell, r(c)]) };
    }""")
    weights = {v.label for v in order if v.label.startswith("w")}
    assert len(seen["labels"]) == len(weights)  # one label per weight, each "w₁₂⁽¹⁾ = value"
    boxes = [box for _, box in seen["labels"]]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:  # no two labels overlap: each can be read and told apart
            assert a[2] <= b[0] + 1 or b[2] <= a[0] + 1 or a[3] <= b[1] + 1 or b[3] <= a[1] + 1, (a, b)
    cells = dict(seen["cells"])
    assert "loss" in cells and all(inside(box, seen["pane"], 1) for box in cells.values())  # all in view
    assert page.inner_text("[data-cell='loss'] .val") == page.evaluate(
        "JSON.parse(document.getElementById('lecture-data').textContent).train[0].layers.values['loss.L']")
    page.close()


def test_the_glide_ends_on_the_same_view_as_the_jump(browser, tmp_path):
    path, _ = lecture_page("seed_004", tmp_path)
    views = []
    for motion in ("reduce", "no-preference"):
        page = browser.new_page(viewport={"width": 1920, "height": 1080}, reduced_motion=motion)
        page.goto(path.resolve().as_uri())
        for key in ("ArrowRight", "ArrowRight", "End"):
            page.keyboard.press(key)
        if motion == "no-preference":
            assert page.evaluate("lecture.camera.moving")  # it glides...
        page.wait_for_function("!lecture.camera.moving", timeout=5000)  # ...and then stops
        views.append(page.evaluate("document.querySelector('#graph svg').getAttribute('viewBox')"))
        page.close()
    jump, glide = ([float(x) for x in v.split()] for v in views)
    assert all(abs(a - b) < 1e-6 for a, b in zip(jump, glide)), (jump, glide)
