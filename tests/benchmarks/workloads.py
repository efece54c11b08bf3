"""The benchmark's workloads, one per process: `python workloads.py ENGINE WORKLOAD [N]` prints JSON.

`python workloads.py ENGINE serve DATA L2` is instead a long-lived demo worker driven
over stdin/stdout with JSON lines (see serve): bench.py pairs its steps in time.

ENGINE is 'micrograd' (micrograd 0.1.0 from PyPI, importable from PYTHONPATH: bench.py
sets it), 'eager' (this repo's Value) or 'batch' (micrograd.batch). Both engines are
imported as `micrograd`, so each run gets a process of its own. Not collected by pytest.
"""

from __future__ import annotations

import gc
import json
import os
import random
import resource
import sys
import time

# CPU time of this process: the machine is shared, and waiting for a core is not the engine's cost
clock = time.process_time
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def rss() -> int:
    """The process's resident memory now, in bytes (from /proc: what the OS has given it)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss() -> int:
    """The most resident memory the process has had, in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def engine(name: str):
    """(Value, MLP, module file) for the engine asked for, checking it is the one we meant."""
    if name == "micrograd":
        from micrograd.engine import Value
        from micrograd.nn import MLP
    else:
        sys.path.insert(0, REPO)
        from micrograd import Value
        from nn import MLP
    import micrograd
    ours = micrograd.__file__.startswith(REPO)
    if ours == (name == "micrograd"):
        raise SystemExit(f"wrong micrograd imported for {name}: {micrograd.__file__}")
    return Value, MLP, micrograd.__file__


# ---- 1. micrograd's demo: two moons, MLP 2-16-16-1, hinge + L2, SGD ----------------------------

def moons(path: str) -> None:
    """micrograd's demo data, made once by bench.py: make_moons(100, noise=0.1) after np.random.seed(1337)."""
    import numpy as np
    from sklearn.datasets import make_moons

    np.random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    with open(path, "w") as f:
        json.dump({"X": X.tolist(), "y": y.tolist()}, f)


EPISODE = 20  # steps from random.seed(1337); the demo's learning rate 1 - 0.9k/100 assumes k < 100


def demo_trainer(name: str, data: str, l2: str = "sum"):
    """A function running one step of micrograd's demo.ipynb training loop: -> (k, CPU seconds, loss).

    The model restarts from random.seed(1337) every EPISODE steps, so step k of an
    episode computes the same loss in every episode and on every engine.
    The data comes from a file (see moons), so that the process does not carry
    scikit-learn's 70,000 objects, which every full collection would walk.
    l2='dot' writes the L2 term as one fused node, alpha * dot(params, params):
    the same number (summed in the same order), 1 node instead of 674.
    """
    import numpy as np

    if name == "floor":
        return floor_trainer(data)
    Value, MLP, where = engine(name)
    if l2 == "node":  # the L2 term as one node over the layers' arrays (nn.l2), and nn.SGD
        import nn

        def l2_sum(params):
            return nn.l2(model)
    elif l2 == "dot":
        from micrograd import dot

        def l2_sum(params):
            return dot(params, params)
    else:
        def l2_sum(params):
            return sum(p * p for p in params)

    with open(data) as f:
        moons = json.load(f)
    X, y = np.array(moons["X"]), np.array(moons["y"])
    y = y * 2 - 1  # make y be -1 or 1
    model = None

    def loss():  # micrograd's demo, full batch
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * l2_sum(model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    if name == "batch":
        from micrograd.batch import columns
        inputs = columns(X)  # x1, x2: one Batch of 100 numbers each

        def loss():  # noqa: F811  the same, one Batch per input instead of one Value per example
            scores = model(inputs)
            losses = (1 + -y * scores).relu()
            data_loss = losses.sum() * (1.0 / len(losses))
            alpha = 1e-4
            reg_loss = alpha * l2_sum(model.parameters())
            total_loss = data_loss + reg_loss
            accuracy = (y > 0) == (scores.data > 0)
            return total_loss, accuracy.mean()

    done = 0  # steps run by this process
    optimiser = None

    def step() -> tuple[int, float, float]:
        nonlocal model, done, optimiser
        k = done % EPISODE
        if k == 0:
            random.seed(1337)
            model = MLP(2, [16, 16, 1])  # 2-layer neural network
            if l2 == "node":
                import nn
                optimiser = nn.SGD(model.parameters(), lr=1.0)
        start = clock()
        total_loss, acc = loss()
        learning_rate = 1.0 - 0.9 * k / 100
        if optimiser is not None:  # the layers' arrays at once
            optimiser.zero_grad()
            total_loss.backward()
            optimiser.lr = learning_rate
            optimiser.step()
        else:
            model.zero_grad()
            total_loss.backward()
            for p in model.parameters():
                p.data -= learning_rate * p.grad
        seconds = clock() - start
        done += 1
        return k, seconds, float(total_loss.data)

    return step, where


def floor_trainer(data: str):
    """micrograd's demo step on plain floats in lists, with no graph: the floor a graph engine stands on.

    The same model (drawn as micrograd 0.1.0 draws it), the same sums in the same order, and
    the backward pass written out by hand; so the same losses as micrograd.
    """
    with open(data) as f:
        moons = json.load(f)
    X = moons["X"]
    y = [2.0 * t - 1.0 for t in moons["y"]]
    sizes = [2, 16, 16, 1]
    layers: list = []
    done = 0

    def step() -> tuple[int, float, float]:
        nonlocal layers, done
        k = done % EPISODE
        if k == 0:
            random.seed(1337)
            layers = [[([random.uniform(-1, 1) for _ in range(nin)], 0.0) for _ in range(nout)]
                      for nin, nout in zip(sizes, sizes[1:])]  # [(w, b) per neuron] per layer
        start = clock()
        W = [[w for w, _ in layer] for layer in layers]
        B = [[b for _, b in layer] for layer in layers]
        gW = [[[0.0] * len(w) for w in Wl] for Wl in W]
        gB = [[0.0] * len(Bl) for Bl in B]
        last = len(layers) - 1
        total = 0.0
        scale = 1.0 / len(X)
        for xi, yi in zip(X, y):
            acts = [xi]
            for li, (Wl, Bl) in enumerate(zip(W, B)):  # z = b + w1 x1 + ..., micrograd's order
                a = acts[-1]
                z = [sum(map(float.__mul__, w, a), b) for w, b in zip(Wl, Bl)]
                acts.append(z if li == last else [v if v > 0.0 else 0.0 for v in z])
            margin = 1.0 + -yi * acts[-1][0]
            if margin <= 0.0:
                continue
            total += margin
            delta = [-yi * scale]  # d loss / d score
            for li in range(last, -1, -1):
                a, out = acts[li], acts[li + 1]
                if li != last:
                    delta = [d if o > 0.0 else 0.0 for d, o in zip(delta, out)]
                for gw, d in zip(gW[li], delta):
                    for i, ai in enumerate(a):
                        gw[i] += ai * d
                for j, d in enumerate(delta):
                    gB[li][j] += d
                if li:
                    delta = [sum(Wl_j[i] * d for Wl_j, d in zip(W[li], delta)) for i in range(len(a))]
        params = [v for Wl, Bl in zip(W, B) for w, b in zip(Wl, Bl) for v in (*w, b)]
        loss = total * scale + 1e-4 * sum(p * p for p in params)
        lr = 1.0 - 0.9 * k / 100
        layers = [[([w - lr * (g + 2e-4 * w) for w, g in zip(w_j, g_j)], b_j - lr * (gb + 2e-4 * b_j))
                   for w_j, b_j, g_j, gb in zip(Wl, Bl, gWl, gBl)]
                  for Wl, Bl, gWl, gBl in zip(W, B, gW, gB)]
        seconds = clock() - start
        done += 1
        return k, seconds, loss

    return step, "plain Python floats"


# ---- the width sweep: batch mode against torch, vectorized, on one thread ------------------------

def sweep(name: str, width: int, n: int, budget: float = 0.4) -> dict:
    """Per-step CPU seconds of an MLP 2-H-H-1 on N examples: hinge + L2 as one node, SGD."""
    import numpy as np

    rng = np.random.default_rng(width * 7919 + n)
    X = rng.uniform(-1.5, 1.5, (n, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, 1.0, -1.0)
    if name == "torch":
        import torch

        torch.set_num_threads(1)
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(2, width), torch.nn.ReLU(), torch.nn.Linear(width, width),
                                    torch.nn.ReLU(), torch.nn.Linear(width, 1)).double()
        params = list(model.parameters())
        opt = torch.optim.SGD(params, lr=0.05)
        tx, ty = torch.tensor(X), torch.tensor(y)

        def step() -> float:
            scores = model(tx)[:, 0]
            loss = torch.relu(1 + -ty * scores).mean() + 1e-4 * sum((p * p).sum() for p in params)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()
    else:
        sys.path.insert(0, REPO)
        import nn
        from micrograd.batch import columns

        random.seed(0)
        model = nn.MLP(2, [width, width, 1])
        opt = nn.SGD(model.parameters(), lr=0.05)
        inputs = columns(X)

        def step() -> float:
            scores = model(inputs)
            loss = (1 + -y * scores).relu().mean() + nn.l2(model, 1e-4)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return float(loss.data)
    for _ in range(3):  # warm-up: the first steps allocate and move grads into arrays
        step()
    times, spent = [], 0.0
    while spent < budget or len(times) < 5:
        start = clock()
        step()
        times.append(clock() - start)
        spent += times[-1]
    times.sort()
    return {"median": times[len(times) // 2], "steps": len(times)}


def reply(answer: dict) -> None:
    """One JSON line to the driving process."""
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def serve(name: str, data: str, l2: str) -> None:
    """A long-lived demo worker: JSON lines in, JSON lines out, until 'quit' or end of input.

    {"cmd": "steps", "n": N} runs N steps; {"cmd": "run", "cpu": S} runs steps until
    their CPU time adds up to S seconds (at least one step). The answer lists each
    step's index k in its episode, CPU seconds and loss.
    """
    step, where = demo_trainer(name, data, l2)
    reply({"ready": True, "engine_file": where, "pid": os.getpid()})
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd.get("cmd") == "quit":
            break
        if cmd.get("cmd") not in ("steps", "run"):
            reply({"error": f"unknown command {cmd!r}: steps, run or quit"})
            continue
        n, budget = cmd.get("n"), cmd.get("cpu")
        ks, times, losses, spent = [], [], [], 0.0
        while True:
            k, seconds, value = step()
            ks.append(k)
            times.append(seconds)
            losses.append(value)
            spent += seconds
            if (n is not None and len(ks) >= n) or (budget is not None and spent >= budget):
                break
        reply({"k": ks, "times": times, "losses": losses, "cpu": spent})


# ---- 2. a chain x = x*0.999 + 0.001 of N steps ----------------------------------------------------

def chain(name: str, n: int) -> dict:
    """Build the chain, back-propagate, and check dx_N/dx_0 = 0.999**N."""
    Value, _, _ = engine(name)
    leaf = x = Value(1.0)
    start = clock()
    for _ in range(n):
        x = x * 0.999 + 0.001
    built = clock()
    result = {"build": built - start}
    try:
        x.backward()
    except RecursionError as error:
        result.update(completed=False, error=f"RecursionError: {error}"[:80],
                      backward=clock() - built)
    else:
        expected = 0.999 ** n  # 0.0 for N = 1e6: e**-1000 is below the smallest float
        result.update(completed=True, backward=clock() - built,
                      grad_ok=abs(leaf.grad - expected) <= 1e-9 * expected + 1e-300)
    return result


# ---- 3. a wide graph: N products of fresh leaves, summed as a pairwise tree -------------------

def wide_graph(Value, numbers: list[float]):
    """sum over i of a_i * b_i, added up pairwise (depth log2 N) so that micrograd can run it too."""
    level = [Value(a) * Value(b) for a, b in zip(numbers[0::2], numbers[1::2])]
    while len(level) > 1:
        pairs = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            pairs.append(level[-1])
        level = pairs
    return level[0]


def wide(name: str, n: int, repeats: int) -> dict:
    """Build, backward, memory per node (RSS), peak RSS; then build and drop `repeats` more times."""
    Value, _, _ = engine(name)
    rnd = random.Random(1)
    numbers = [rnd.random() for _ in range(2 * n)]  # the data: exists before the graph
    nodes = 2 * n + n + (n - 1)  # leaves, products, sums
    gc.collect()
    before = rss()
    start = clock()
    root = wide_graph(Value, numbers)
    built = clock()
    after_build = rss()
    root.backward()
    done = clock()
    after_backward = rss()
    expected = sum(a * b for a, b in zip(numbers[0::2], numbers[1::2]))
    result = {
        "nodes": nodes, "build": built - start, "backward": done - built,
        "bytes_per_node_rss": (after_build - before) / nodes,
        "bytes_per_node_rss_after_backward": (after_backward - before) / nodes,
        "value_ok": abs(root.data - expected) <= 1e-9 * abs(expected),
    }
    del root
    gc.collect()  # micrograd's graph is all cycles: only the collector frees it
    drops = [rss()]
    for _ in range(repeats):
        root = wide_graph(Value, numbers)
        root.backward()
        del root
        gc.collect()
        drops.append(rss())
    result.update(peak_rss=peak_rss(), rss_before=before, rss_after_drops=drops)
    return result


def wide_traced(name: str, n: int) -> dict:
    """Bytes per node as tracemalloc counts them (every allocation the build makes, unrounded)."""
    import tracemalloc

    Value, _, _ = engine(name)
    rnd = random.Random(1)
    numbers = [rnd.random() for _ in range(2 * n)]
    nodes = 2 * n + n + (n - 1)
    gc.collect()
    tracemalloc.start()
    root = wide_graph(Value, numbers)
    built, _ = tracemalloc.get_traced_memory()
    root.backward()
    after_backward, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    leaf_floats = 2 * n * sys.getsizeof(1.0)  # if each leaf's number were counted as its own
    return {"nodes": nodes, "bytes_per_node": built / nodes,
            "bytes_per_node_with_leaf_floats": (built + leaf_floats) / nodes,
            "bytes_per_node_after_backward": after_backward / nodes, "root_alive": root is not None}


# ---- 4. drawings of the demo MLP ------------------------------------------------------------------

def drawing(name: str) -> dict:
    """The demo MLP's graph for one example as SVG, and the collapsed (one node per neuron) view."""
    Value, MLP, _ = engine(name)
    import viz
    from viz.draw.render import find_dot, pipe

    if find_dot() is None:
        return {"skipped": "no dot program (graphviz-pure or graphviz) found"}
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    loss = (1 + -1.0 * model([0.5, -0.25])).relu()
    loss.backward()
    result = {}
    for key, draw in [("full", lambda: viz.draw_dot(loss)),
                      ("collapsed", lambda: viz.draw_dot(loss, collapse="neuron")),
                      ("network", lambda: viz.draw_network(model))]:
        start = time.perf_counter()
        svg = pipe(draw(), "svg")
        result[key] = time.perf_counter() - start
        result[key + "_bytes"] = len(svg)
    from micrograd import topological_order
    result["values"] = len(topological_order(loss))
    return result


def main(argv: list[str]) -> None:
    name, workload, *args = argv
    if name not in ("micrograd", "eager", "batch", "floor", "torch"):
        raise SystemExit(f"unknown engine {name!r}: micrograd, eager, batch, floor or torch")
    if workload == "serve":
        serve(name, args[0], args[1])
        os._exit(0)
    if workload == "chain":
        result = chain(name, int(float(args[0])))
    elif workload == "wide":
        result = wide(name, int(float(args[0])), int(args[1]))
    elif workload == "wide_traced":
        result = wide_traced(name, int(float(args[0])))
    elif workload == "sweep":
        result = sweep(name, int(args[0]), int(float(args[1])))
    elif workload == "drawing":
        result = drawing(name)
    else:
        raise SystemExit(f"unknown workload {workload!r}")
    print(json.dumps(result))
    sys.stdout.flush()
    os._exit(0)  # skip tearing down huge graphs at exit: the numbers are out


if __name__ == "__main__":
    main(sys.argv[1:])
