"""Benchmark: this repo's engine (eager and batch) beside micrograd 0.1.0 from PyPI, in one run.

    python tests/benchmarks/bench.py            # everything, 15-20 minutes on 2 busy cores
    python tests/benchmarks/bench.py --quick    # 2 cycles, smaller graphs, one sweep pass: about 5

micrograd 0.1.0 is pip-installed into a scratch directory of its own (--scratch, by
default ~/.cache/micrograd-lab-bench) and, since it is also imported as `micrograd`,
runs in processes of its own (workloads.py). Times are CPU seconds of that process.
This machine's CPU speed changes from one second to the next, so the demo step is
measured in matched time windows (matched.py): one long-lived worker per engine
variant; each of our blocks runs for as much CPU time as the micrograd step before
it and is compared with the mean of the micrograd steps just before and after it.
The other workloads run in a fresh process each; the width sweep runs batch mode and torch
(vectorized, one thread) in turn at each width and size. Prints a Markdown table; --json FILE
also writes every figure (each step's too). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from matched import Worker, measure, summarize  # noqa: E402  (a sibling file, not a package)

WORKER = HERE / "workloads.py"
MICROGRAD = "micrograd==0.1.0"
# our demo variants: (key, engine, L2 term, target ratio, label); the floor is plain Python, no graph
VARIANTS = [("eager", "eager", "sum", 100, "eager, as written"),
            ("eager_l2", "eager", "node", 100, "eager, L2 as one node (nn.l2), nn.SGD"),
            ("batch", "batch", "sum", 2000, "batch, as written"),
            ("batch_l2", "batch", "node", 2000, "batch, L2 as one node (nn.l2), nn.SGD"),
            ("floor", "floor", "sum", None, "graph-free floor: plain floats in lists, backward by hand")]
FLOOR_FACTOR = 3  # eager's target: within 3x of the floor's step
WIDTHS, SWEEP_N = (16, 32, 64, 128), (100, 1000)
SWEEP_FACTOR = 2  # batch's target: within 2x of torch vectorized on one thread
KEYS = [v[0] for v in VARIANTS]
DEMO_TIMEOUT = 120  # seconds a worker may take to start or answer (a micrograd step: about 1.5)


def install_micrograd(scratch: Path) -> Path:
    """micrograd 0.1.0 in scratch/site (installed once), where only its processes look."""
    site = scratch / "site"
    if not (site / "micrograd" / "engine.py").exists():
        print(f"installing {MICROGRAD} into {site} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "--target", str(site), MICROGRAD], check=True)
    return site


def environment(engine: str, site: Path) -> dict:
    """The environment a worker for this engine runs in."""
    env = dict(os.environ)
    if engine == "micrograd":
        env["PYTHONPATH"] = str(site)  # ahead of the editable install of this repo
    return env


def run(engine: str, *args: str, site: Path, timeout: float) -> dict:
    """One workload in a fresh process; {'error': ...} if it fails or runs out of time."""
    env = environment(engine, site)
    cmd = [sys.executable, str(WORKER), engine, *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd="/")
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {last[:100]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:.3g} s" if seconds >= 0.01 else f"{seconds * 1e3:.3g} ms"


def ratio(slow: float | None, fast: float | None) -> str:
    return f"{slow / fast:,.0f}x" if slow and fast else "-"


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def demo_matched(site: Path, data: str, cycles: int) -> dict:
    """The demo step in matched time windows: start the five workers, measure, stop them."""
    print(f"  demo: starting workers, then warm-up and {cycles} cycles ...", file=sys.stderr, flush=True)
    engines = [("micrograd", "micrograd", "sum")] + [(k, e, l2) for k, e, l2, _, _ in VARIANTS]
    workers = {key: Worker(key, [sys.executable, str(WORKER), engine, "serve", data, l2],
                           environment(engine, site), DEMO_TIMEOUT)
               for key, engine, l2 in engines}
    try:
        record = measure(workers, KEYS, cycles, DEMO_TIMEOUT)
    finally:
        for w in workers.values():
            w.close()
    record["workers"] = {k: {"ready": w.ready, "error": w.error} for k, w in workers.items()}
    record["summary"] = summarize(record, KEYS, workers)
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 demo cycles, chains to 1e5, wide 1e5")
    parser.add_argument("--cycles", type=int, help="demo cycles, 4 blocks each (default 5; --quick: 2)")
    parser.add_argument("--scratch", type=Path, default=Path.home() / ".cache" / "micrograd-lab-bench")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    opts = parser.parse_args()
    cycles = (2 if opts.quick else 5) if opts.cycles is None else opts.cycles
    if cycles < 1:
        parser.error(f"--cycles must be at least 1, got {cycles}")
    site = install_micrograd(opts.scratch)
    chains = ["1e3", "1e4", "1e5"] + ([] if opts.quick else ["1e6"])
    wide_n = "1e5" if opts.quick else "1e6"
    out: dict = {"quick": opts.quick, "python": platform.python_version(), "cpus": os.cpu_count(),
                 "cycles": cycles}
    data = str(opts.scratch / "moons.json")
    from workloads import moons

    moons(data)  # micrograd's data, made here: the workers need not import scikit-learn
    began = time.perf_counter()

    def go(key: str, engine: str, *args: str, timeout: float = 600) -> dict:
        print(f"  {key} ...", file=sys.stderr, flush=True)
        return run(engine, *args, site=site, timeout=timeout)

    # 1. the demo step, in matched time windows
    out["demo"] = demo_matched(site, data, cycles)
    # 2. chains; micrograd is expected to stop with RecursionError
    for n in chains:
        out[f"chain_{n}_micrograd"] = go(f"chain_{n}_micrograd", "micrograd", "chain", n, timeout=120)
        out[f"chain_{n}_eager"] = go(f"chain_{n}_eager", "eager", "chain", n)
    # 3. the wide graph: timings and RSS at full size; tracemalloc at 1e5 (per node it is the same)
    out["wide_micrograd"] = go("wide_micrograd", "micrograd", "wide", wide_n, "0")
    out["wide_eager"] = go("wide_eager", "eager", "wide", wide_n, "4")
    out["traced_micrograd"] = go("traced_micrograd", "micrograd", "wide_traced", "1e5")
    out["traced_eager"] = go("traced_eager", "eager", "wide_traced", "1e5")
    # 4. drawings
    out["drawing_eager"] = go("drawing_eager", "eager", "drawing")
    # 5. the width sweep: batch mode and torch, one process each, side by side, twice
    for h in WIDTHS:
        for n in SWEEP_N:
            for rep in (0,) if opts.quick else (0, 1):
                for engine in ("batch", "torch"):
                    out[f"sweep_{engine}_{h}_{n}_{rep}"] = go(f"sweep {engine} H={h} N={n}", engine,
                                                              "sweep", str(h), str(n), timeout=300)
    out["wall_seconds"] = time.perf_counter() - began

    print(header(out))
    print(table(out, chains))
    if opts.json:
        opts.json.write_text(json.dumps(out, indent=1))


def header(out: dict) -> str:
    """What ran where, and how the demo ratios were taken."""
    return (f"Python {out['python']} ({platform.python_implementation()}), {out['cpus']} CPUs, "
            f"{platform.machine()}{', --quick' if out['quick'] else ''}; CPU seconds per process.\n"
            f"Demo step in matched time windows ({out['cycles']} cycles, one long-lived worker per "
            f"variant): each block of our steps runs for as much CPU time as the micrograd step before "
            f"it; its ratio is the mean of the micrograd steps before and after it over our mean step. "
            f"Shown: medians over blocks, the ratio's lowest..highest in brackets.\n")


def demo_rows(row, out: dict) -> None:
    """The demo step's rows: medians over blocks, the blocks' range, the losses against micrograd's."""
    demo = out["demo"]
    s_all = demo["summary"]
    mg_error = demo["workers"]["micrograd"]["error"]
    if mg_error or not s_all["micrograd_times"]:
        row("1. demo step, micrograd 0.1.0 worker", mg_error or "no step measured", "", met=False)
    checked = s_all["micrograd_k"]
    floor = s_all.get("floor", {}).get("ratio_median")
    for key, _, _, goal, label in VARIANTS:
        s = s_all[key]
        if not s["ratios"]:
            row(f"1. demo step, {label}", "", "; ".join(s["errors"]) or "no block measured", met=False)
            continue
        problems = f" ({'; '.join(s['errors'])})" if s["errors"] else ""
        spread = f"{s['ratio_median']:,.0f}x ({s['ratio_min']:,.0f}..{s['ratio_max']:,.0f}x)"
        target, met = (f">= {goal}x", s["ratio_median"] >= goal and not s["errors"]) if goal else ("", None)
        if key == "eager" and floor:  # within 3x of the floor: our ratio at least a third of its
            target += f"; within {FLOOR_FACTOR}x of the floor ({floor / s['ratio_median']:.1f}x)"
            met = met and s["ratio_median"] * FLOOR_FACTOR >= floor
        row(f"1. demo step, {label}: s/step, median of {len(s['ratios'])} blocks{problems}",
            fmt_s(statistics.median(s["micrograd_mean"])), fmt_s(statistics.median(s["per_step"])),
            spread, target, met)
        same = s["max_rel_loss_diff"]
        steps = f"steps {min(checked) + 1}..{max(checked) + 1} of each 20" if checked else "no steps"
        ok = same is not None and same <= 1e-9 and s["repeats_equal"]
        first = s["first_steps_rel_diff"]
        if key == "eager":  # the unfused engine, as written: its first steps agree to the last bits
            ok = ok and first is not None and first <= 1e-14
        row(f"   same losses as micrograd ({steps}, every episode): max relative difference"
            + (", steps 1-2" if key == "eager" else ""), "",
            "-" if same is None else f"{same:.1e}" + (f", {first:.1e}" if key == "eager" else ""),
            "", "<= 1e-9" + (", 1e-14" if key == "eager" else ""), ok)


def table(out: dict, chains: list[str]) -> str:
    """The results as a Markdown table: micrograd's figure beside ours, and the ratio."""
    rows = ["| workload | micrograd 0.1.0 | ours | ratio | target | met |", "|---|---|---|---|---|---|"]

    def row(what, theirs, ours, r="", target="", met=None):
        flag = "" if met is None else ("yes" if met else "**no**")
        rows.append(f"| {what} | {theirs} | {ours} | {r} | {target} | {flag} |")

    demo_rows(row, out)
    for n in chains:
        m, e = out[f"chain_{n}_micrograd"], out[f"chain_{n}_eager"]
        theirs = (f"build {fmt_s(m.get('build'))}, backward {fmt_s(m.get('backward'))}"
                  if m.get("completed") else
                  f"build {fmt_s(m.get('build'))}, backward: {m.get('error', '?').split(':')[0]}")
        if "error" in e:
            row(f"2. chain N={n}", theirs, e["error"], met=False)
            continue
        ok = e["completed"] and e["grad_ok"]
        row(f"2. chain N={n}: build, backward", theirs,
            f"build {fmt_s(e['build'])}, backward {fmt_s(e['backward'])}", "",
            "completes; backward < build" if n == "1e6" else "completes",
            ok and (n != "1e6" or e["backward"] < e["build"]))
    wm, we = out["wide_micrograd"], out["wide_eager"]
    tm, te = out["traced_micrograd"], out["traced_eager"]
    if "error" not in we:
        nodes = f"{we['nodes']:,}"
        row(f"3. wide ({nodes} Values): build", fmt_s(wm.get("build")), fmt_s(we["build"]),
            ratio(wm.get("build"), we["build"]))
        row("   backward", fmt_s(wm.get("backward")), fmt_s(we["backward"]),
            ratio(wm.get("backward"), we["backward"]))
        row("   bytes per node, tracemalloc (graph only)", f"{tm.get('bytes_per_node', 0):.0f}",
            f"{te['bytes_per_node']:.0f}", "", "<= 150", te["bytes_per_node"] <= 150)
        row("   bytes per node, tracemalloc, leaves' floats counted too",
            f"{tm.get('bytes_per_node_with_leaf_floats', 0):.0f}",
            f"{te['bytes_per_node_with_leaf_floats']:.0f}")
        row("   bytes per node, tracemalloc, after backward (each grad a float of its own)",
            f"{tm.get('bytes_per_node_after_backward', 0):.0f}", f"{te['bytes_per_node_after_backward']:.0f}")
        row("   bytes per node, RSS growth over the build",
            f"{wm.get('bytes_per_node_rss', 0):.0f}", f"{we['bytes_per_node_rss']:.0f}", "", "<= 150",
            we["bytes_per_node_rss"] <= 150)
        row("   peak RSS", mb(wm["peak_rss"]) if "peak_rss" in wm else wm.get("error", "-"),
            mb(we["peak_rss"]))
        drops = we["rss_after_drops"]
        # a graph kept alive would add hundreds of MB per rebuild; the allocator may keep a pool or two
        # (a one-time step of some MB), so the last rebuild is compared with the highest before it
        growth = drops[-1] - max(drops[:-1])
        row(f"   RSS after the first drop, then after each of {len(drops) - 1} more build+backward+drop",
            mb(wm["rss_after_drops"][0]) if "rss_after_drops" in wm else "-",
            " / ".join(mb(d) for d in drops), "", "does not grow", growth <= 16 * 2**20)
    d = out["drawing_eager"]
    if "full" in d:
        row(f"4. draw demo MLP, one example ({d['values']} Values) to SVG", "", fmt_s(d["full"]), "", "< 2 s",
            d["full"] < 2)
        row("   collapsed view (one node per neuron) to SVG", "", fmt_s(d["collapsed"]), "", "< 1 s",
            d["collapsed"] < 1)
        row("   network diagram (viz.draw_network) to SVG", "", fmt_s(d["network"]), "", "< 1 s",
            d["network"] < 1)
    else:
        row("4. drawings", "", d.get("skipped") or d.get("error"), "", "", False)
    rows += ["", "| width sweep (MLP 2-H-H-1, hinge + nn.l2, nn.SGD) | torch vectorized, 1 thread | "
             "batch mode | batch / torch | target | met |", "|---|---|---|---|---|---|"]
    for h in WIDTHS:
        for n in SWEEP_N:
            pairs = [(out.get(f"sweep_batch_{h}_{n}_{r}", {}), out.get(f"sweep_torch_{h}_{n}_{r}", {}))
                     for r in (0, 1)]
            ok = [(b["median"], t["median"]) for b, t in pairs if "median" in b and "median" in t]
            if not ok:
                errors = [x.get("error", "?") for pair in pairs for x in pair if "error" in x]
                rows.append(f"| H={h}, N={n} | | {'; '.join(errors)[:80]} | | {SWEEP_FACTOR}x | **no** |")
                continue
            ours, theirs = min(b for b, _ in ok), min(t for _, t in ok)
            factor = ours / theirs
            rows.append(f"| H={h}, N={n} | {fmt_s(theirs)} | {fmt_s(ours)} | {factor:.2f}x | "
                        f"<= {SWEEP_FACTOR}x | {'yes' if factor <= SWEEP_FACTOR else '**no**'} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
