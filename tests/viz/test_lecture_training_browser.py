"""The lecture page over training in a real browser: the step slider, the keys, the loss chart, clicks on
weights, the network view's edges and marks, and two moons; every number read off the page and compared
with the engine's, from training loops run here. A screenshot of each view is kept (see
test_lecture_browser.py for where), at a projector's 1920x1080 and a phone's 390 px.
"""

import pytest
from test_lecture_browser import CHROMIUM, open_page
from test_lecture_browser import browser as browser  # fixtures: imported to be used by name
from test_lecture_browser import shots as shots
from test_lecture_training import number, scalar_demo, trained

from micrograd import topological_order
from viz import derivation
from viz.draw.render import find_dot
from viz.explain.lecture import step_through
from viz.explain.moons import moons
from viz.homework.problem_file import PROBLEMS, load
from viz.homework.run import Model
from viz.notation.numbers import pretty

playwright = pytest.importorskip("playwright.sync_api", reason="no playwright: pip install playwright")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (apt-get install chromium) to open the page in"),
    pytest.mark.skipif(find_dot() is None, reason="no Graphviz program (dot, graphviz-pure) to draw with"),
]
STEPS = 4
PHONE = (390, 844)

READ = """() => ({
  counter: document.getElementById('counter').textContent,
  label: document.getElementById('step-label').textContent,
  phase: document.getElementById('phase').textContent,
  lines: [...document.querySelectorAll('#lines p')].map(p => p.textContent),
  derivation: (document.querySelector('#lines pre.derivation') || {}).textContent || null,
  now: [...document.querySelectorAll('#loss-chart circle')].findIndex(c => c.classList.contains('now')),
  dots: document.querySelectorAll('#loss-chart circle').length,
  grad: [...document.querySelectorAll('#graph g[data-k]')].filter(g => g.querySelector('tspan.grad'))
    .map(g => [+g.dataset.k, g.querySelector('tspan.grad').textContent]),
  data: [...document.querySelectorAll('#graph g[data-k]')].filter(g => g.querySelector('tspan.data'))
    .map(g => [+g.dataset.k, g.querySelector('tspan.data').textContent]),
})"""
LINKS = """() => [...document.querySelectorAll('#links line[data-k]:not(.hit)')].map(l => ({
  k: +l.dataset.k, sign: l.classList.contains('negative') ? -1 : 1,
  width: parseFloat(l.style.strokeWidth)}))"""


@pytest.fixture(scope="module")
def seed_004(tmp_path_factory):
    """seed 004's page over STEPS training steps, and what each step must show (trained here)."""
    problem, seen = trained("seed_004", STEPS)
    model = Model(problem)
    path = tmp_path_factory.mktemp("pages") / "seed_004.html"
    step_through(lambda: model.forward().loss, path, steps=STEPS, lr=problem.lr, wrt="w12^(1)",
                 title=problem.title, solution="solution.html")
    order = topological_order(Model(problem).forward().loss)
    return path, seen, order


def click_link(page, k):
    """A real click on weight k's link, near the neuron it goes into (where no other link crosses it)."""
    x, y = page.evaluate("""(k) => { const l = document.querySelector(`#links line.hit[data-k='${k}']`);
      const p = l.ownerSVGElement.createSVGPoint(), f = 0.85, at = (n) => +l.getAttribute(n);
      p.x = at('x1') + f * (at('x2') - at('x1')); p.y = at('y1') + f * (at('y2') - at('y1'));
      const s = p.matrixTransform(l.getScreenCTM()); return [s.x, s.y]; }""", k)
    page.mouse.click(x, y)


def slide(page, t):
    """Move the step slider to training step t (from 0), as a drag of its thumb does: an input event."""
    moved = "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }"
    page.eval_on_selector("#step", moved, t + 1)


def test_the_slider_and_the_chart_show_each_steps_loss_and_grads(browser, shots, seed_004):
    path, seen, order = seed_004
    page = open_page(browser, path, 1920, 1080)
    assert page.is_visible("#training") and page.evaluate(READ)["dots"] == STEPS
    for t in range(STEPS):
        slide(page, t)
        page.keyboard.press("End")  # this step's backward pass, done
        shown = page.evaluate(READ)
        assert shown["label"] == f"Training step {t + 1} of {STEPS}: loss {pretty(seen[t]['loss'])}"
        assert shown["now"] == t  # the chart marks the current step
        assert dict(shown["grad"]) == {k: seen[t]["grads"][k] for k in dict(shown["grad"])}
        assert dict(shown["data"]) == {k: seen[t]["data"][k] for k in dict(shown["data"])}
    page.click("#loss-chart circle >> nth=1")  # a click on the chart goes to that step
    assert page.evaluate(READ)["now"] == 1 and page.evaluate("lecture.state.t") == 1
    page.keyboard.press("[")
    assert page.evaluate("lecture.state.t") == 0
    page.keyboard.press("]")
    page.keyboard.press("Home")
    page.screenshot(path=str(shots / "training_seed_004_graph_1920.png"))
    assert page.errors == [] and all(url.startswith("file://") for url in page.requests)
    page.close()


def test_right_arrow_alone_walks_through_all_of_training_and_back(browser, seed_004):
    path, seen, order = seed_004
    page = open_page(browser, path, 1600, 900)
    inner = page.evaluate("lecture.steps().length")
    states = [page.evaluate(READ)]
    while not page.is_disabled("#next"):  # a presenter's clicker: → (Page Down) only
        page.keyboard.press("PageDown")
        states.append(page.evaluate(READ))
    assert len(states) == STEPS * inner  # every step of every training step, once
    for t in range(STEPS):
        start, end = states[t * inner], states[(t + 1) * inner - 1]
        assert start["counter"] == f"0 / {inner - 1}" and end["phase"] == "Done"
        assert start["label"].startswith(f"Training step {t + 1} of")
        assert all(text == "?" for _, text in start["grad"] if text != "–")
        assert dict(end["grad"]) == {k: seen[t]["grads"][k] for k in dict(end["grad"])}
    for before in reversed(states[:-1]):
        page.keyboard.press("PageUp")
        assert page.evaluate(READ) == before
    page.close()


def factors(text):
    """The 'value' column of each factor table in a derivation as viz.derivation writes it."""
    values, inside = [], False
    for line in text.splitlines():
        if line.strip().startswith("factor"):
            inside = True
        elif inside and not line.strip():
            inside = False
        elif inside:
            values.append(float(line.split()[-2]))  # ... value, product so far
    return values


def engine_factors(loss, w):
    """Every path's local derivatives, as the engine stored them (Value.local_grads), loss to w."""
    return [f.out.local_grads[f.position] for path in derivation(loss, w).paths for f in path]


@pytest.mark.parametrize("view", ["graph", "network"])
def test_a_click_on_a_weight_shows_its_derivation_and_update(browser, shots, seed_004, view):
    path, seen, order = seed_004
    problem = load(PROBLEMS / "seed_004.toml")
    model = Model(problem)
    losses = []
    for _ in range(STEPS):  # each step's loss graph, kept with its weights' values of the time
        losses.append(model.forward().loss)
        data = {p.label: (p.data, p.grad) for p in model.parameters}
        local = {p.label: engine_factors(losses[-1], p) for p in model.parameters}
        losses[-1] = (losses[-1], data, local, {p.label: str(derivation(losses[-1], p, format="text"))
                                                   for p in model.parameters})
        model.step()
    page = open_page(browser, path, 1920, 1080)
    if view == "network":
        page.keyboard.press("l")
    for t in (0, 2):
        slide(page, t)
        for label in ("w12^(1)", "w11^(2)", "b1^(2)"):
            k = next(k for k, v in enumerate(order) if v.label == label)
            if view == "graph":
                page.click(f"#graph g.weight[data-k='{k}']")
            elif label.startswith("b"):  # a bias is in its neuron's box
                page.click(f"#layers .field.weight[data-k='{k}']")
            else:
                click_link(page, k)
            shown = page.evaluate(READ)
            _, data, local, written = losses[t]
            assert shown["derivation"] == written[label].rstrip("\n")  # exactly as viz.derivation() writes it
            values = factors(shown["derivation"])
            assert len(values) == len(local[label])
            for got, stored in zip(values, local[label]):  # each factor's number is the engine's
                assert got == pytest.approx(stored, rel=5e-4, abs=1e-12)
            w, g = data[label]
            assert shown["lines"][-1] == f"= {pretty(w)} − 2·{pretty(g) if g >= 0 else f'({pretty(g)})'} " \
                                         f"= {pretty(w - problem.lr * g)}"
            if t == 2 and label == "w12^(1)":
                page.screenshot(path=str(shots / f"training_seed_004_{view}_derivation_1920.png"))
    page.keyboard.press("Escape")
    assert page.evaluate(READ)["derivation"] is None
    page.keyboard.press("w")  # the keyboard alone: W picks the first weight, Tab and Enter any
    first = page.evaluate("lecture.state.selected")
    assert page.evaluate(READ)["derivation"].startswith(f"dloss/d{order[first].label} by the chain rule")
    page.keyboard.press("Escape")
    k = next(k for k, v in enumerate(order) if v.label == "w22^(1)")
    page.focus(f"#graph g.weight[data-k='{k}']" if view == "graph" else f"#links line.hit[data-k='{k}']")
    page.keyboard.press("Enter")
    assert page.evaluate("lecture.state.selected") == k
    page.keyboard.press("ArrowRight")  # the next step: back to explaining the step
    assert page.evaluate(READ)["derivation"] is None
    assert page.errors == []
    page.close()


def test_the_network_view_shows_sign_and_size_of_weights_or_grads_and_marks(browser, shots, seed_004):
    path, seen, order = seed_004
    page = open_page(browser, path, 1920, 1080)
    page.keyboard.press("l")
    for t in range(STEPS):
        slide(page, t)
        for mode, field in (("weight", "data"), ("grad", "grads")):
            if page.evaluate("lecture.state.edges") != mode:
                page.keyboard.press("e")
            links = page.evaluate(LINKS)
            assert len(links) == sum(v.label.startswith("w") for v in order)
            values = {link["k"]: number(seen[t][field][link["k"]]) for link in links}
            assert all(link["sign"] == (-1 if values[link["k"]] < 0 else 1) for link in links)
            ranked = sorted(links, key=lambda link: abs(values[link["k"]]))
            # thicker: larger
            assert [link["width"] for link in ranked] == sorted(link["width"] for link in links)
            labels = page.eval_on_selector_all("#links text", "ts => ts.map(t => t.textContent)")
            names = page.evaluate("JSON.parse(document.getElementById('lecture-data').textContent)"
                                  ".nodes.map(n => n.name)")
            prefix = "∂L/∂" if mode == "grad" else ""
            assert sorted(labels) == sorted(f"{prefix}{names[k]} = {seen[t][field][k]}" for k in values)
            if t == 1:
                page.screenshot(path=str(shots / f"training_seed_004_network_{mode}_1920.png"))
    # seed 004's neuron 2 of layer 1: z = 24, sigma'(24) = 3.8e-11: saturated, as the legend says
    assert page.get_attribute("[data-cell='1.2']", "class") == "neuron saturated"
    assert page.inner_text("[data-cell='1.2'] .badge") == "saturated"
    assert page.is_visible("#legend") and "saturated" in page.inner_text("#legend")
    page.close()


@pytest.fixture(scope="module")
def two_moons(tmp_path_factory):
    steps = 5
    path = moons(tmp_path_factory.mktemp("moons") / "moons.html", steps=steps)
    return path, scalar_demo(steps)[1]


def test_two_moons_in_the_browser(browser, shots, two_moons):
    path, seen = two_moons
    for width, height in ((1920, 1080), PHONE):
        page = open_page(browser, path, width, height)
        assert page.evaluate("lecture.state.view") == "layers" and page.is_hidden("#view")
        for t in range(len(seen)):
            slide(page, t)
            shown = page.evaluate(READ)
            loss = number(shown["label"].split("loss ")[1].split(",")[0])
            assert loss == pytest.approx(seen[t][0], rel=1e-3)
            # the boundary image as painted: each cell's colour is the sign the page's grid says
            cells = page.evaluate("""(t) => {
              const c = document.getElementById('boundary'), g = c.getContext('2d');
              const D = JSON.parse(document.getElementById('lecture-data').textContent), n = D.boundary.size;
              const out = [];
              for (let r = 0; r < n; r++) for (let q = 0; q < n; q++) {
                const x = Math.floor((q + 0.5) * c.width / n), y = Math.floor((r + 0.5) * c.height / n);
                const d = g.getImageData(x, y, 1, 1).data;
                out.push([D.train[t].boundary[r * n + q], d[0] + ',' + d[1] + ',' + d[2]]);
              }
              return out; }""", t)
            colour = {"1": "158,202,225", "0": "253,208,162"}  # lecture.js: light blue +1, light orange -1
            background = [(sign, seen_) for sign, seen_ in cells if seen_ in colour.values()]
            assert len(background) > 0.8 * len(cells)  # the rest under a data point
            assert all(colour[sign] == seen_ for sign, seen_ in background)
        dead = page.eval_on_selector_all(".neuron.dead", "cs => cs.map(c => c.dataset.cell)")
        assert sorted(dead) == sorted(page.evaluate(
            "Object.keys(JSON.parse(document.getElementById('lecture-data').textContent).train[4].marks)"))
        tag = "1920" if width == 1920 else "390"
        page.screenshot(path=str(shots / f"moons_network_{tag}.png"))
        k = 40  # a weight of layer 2; 16 links end on each neuron, too close to tell apart by a pointer
        page.dispatch_event(f"#links line.hit[data-k='{k}']", "click")
        shown = page.evaluate(READ)
        w, g = seen[-1][1][k], seen[-1][2][k]
        first, middle, last = shown["derivation"].splitlines()[:3]
        assert number(last.split(" = ")[-1]) == pytest.approx(g, rel=1e-3, abs=1e-7)  # ... = dL/dw
        assert number(shown["lines"][-1].split(" = ")[-1]) == pytest.approx(w - 0.964 * g, rel=1e-3, abs=1e-7)
        page.screenshot(path=str(shots / f"moons_derivation_{tag}.png"))
        assert page.errors == [] and all(url.startswith("file://") for url in page.requests)
        page.close()


@pytest.mark.parametrize("view", ["graph", "network", "derivation"])
def test_a_phone_width_fits_and_nothing_is_cut(browser, shots, seed_004, view):
    path, seen, order = seed_004
    page = open_page(browser, path, *PHONE)
    page.keyboard.press("ArrowRight")
    if view != "graph":
        page.keyboard.press("l")
    if view == "derivation":
        page.keyboard.press("w")
    fits = page.evaluate("""() => ({ page: document.documentElement.scrollWidth,
      title: [document.getElementById('title').scrollWidth, document.getElementById('title').clientWidth],
      label: document.getElementById('step-label').getBoundingClientRect().right })""")
    assert fits["page"] <= PHONE[0] and fits["title"][0] <= fits["title"][1] and fits["label"] <= PHONE[0]
    page.screenshot(path=str(shots / f"training_seed_004_{view}_390.png"))
    page.close()


def test_a_long_title_wraps_and_the_solution_is_linked(browser, tmp_path, seed_004):
    path, seen, order = seed_004
    page = open_page(browser, path, 1920, 1080)
    assert page.get_attribute("#solution", "href") == "solution.html" and page.is_visible("#solution")
    page.close()
    title = "A network with a title long enough to need two lines at a projector's width: " * 3
    loss = Model(load(PROBLEMS / "seed_003.toml")).forward().loss
    page = open_page(browser, step_through(loss, tmp_path / "long.html", title=title.strip()), 1920, 1080)
    box = page.evaluate("""() => { const h = document.getElementById('title');
      return [h.scrollWidth, h.clientWidth, h.getBoundingClientRect().height,
              parseFloat(getComputedStyle(h).lineHeight) || parseFloat(getComputedStyle(h).fontSize)]; }""")
    assert box[0] <= box[1] and box[2] > 1.5 * box[3]  # every word shown, over several lines
    assert page.inner_text("#title") == title.strip() and page.is_hidden("#solution")
    page.close()
