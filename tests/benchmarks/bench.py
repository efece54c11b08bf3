"""Benchmark: this repo's engine (eager and batch) beside micrograd 0.1.0 from PyPI, in one run.

    python tests/benchmarks/bench.py            # everything, about 6 minutes on 2 cores
    python tests/benchmarks/bench.py --quick    # fewer micrograd steps, smaller graphs

micrograd 0.1.0 is pip-installed into a scratch directory of its own (--scratch, by
default ~/.cache/micrograd-lab-bench) and, since it is also imported as `micrograd`,
every workload runs in a fresh process (workloads.py). Times are CPU seconds of
that process (the machine may be shared); ratios come from the same run. Prints a
Markdown table; --json FILE also writes every figure. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKER = HERE / "workloads.py"
MICROGRAD = "micrograd==0.1.0"


def install_micrograd(scratch: Path) -> Path:
    """micrograd 0.1.0 in scratch/site (installed once), where only its processes look."""
    site = scratch / "site"
    if not (site / "micrograd" / "engine.py").exists():
        print(f"installing {MICROGRAD} into {site} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "--target", str(site), MICROGRAD], check=True)
    return site


def run(engine: str, *args: str, site: Path, timeout: float) -> dict:
    """One workload in a fresh process; {'error': ...} if it fails or runs out of time."""
    env = dict(os.environ)
    if engine == "micrograd":
        env["PYTHONPATH"] = str(site)  # ahead of the editable install of this repo
    cmd = [sys.executable, str(WORKER), engine, *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd="/")
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {last[:100]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def per_step(result: dict) -> float:
    """Seconds per training step: the median over the steps run (a slow first step counts less)."""
    return statistics.median(result["times"])


def max_rel_diff(a: list[float], b: list[float]) -> float:
    return max(abs(x - y) / abs(y) for x, y in zip(a, b))


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds:.3g} s" if seconds >= 0.01 else f"{seconds * 1e3:.3g} ms"


def ratio(slow: float | None, fast: float | None) -> str:
    return f"{slow / fast:,.0f}x" if slow and fast else "-"


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 micrograd steps, chains to 1e5, wide 1e5")
    parser.add_argument("--scratch", type=Path, default=Path.home() / ".cache" / "micrograd-lab-bench")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    opts = parser.parse_args()
    site = install_micrograd(opts.scratch)
    steps_mg = 5 if opts.quick else 20
    chains = ["1e3", "1e4", "1e5"] + ([] if opts.quick else ["1e6"])
    wide_n = "1e5" if opts.quick else "1e6"
    out: dict = {"quick": opts.quick}
    data = str(opts.scratch / "moons.json")
    sys.path.insert(0, str(HERE))
    from workloads import moons

    moons(data)  # micrograd's data, made here: the workers need not import scikit-learn

    def go(key: str, engine: str, *args: str, timeout: float = 600) -> dict:
        print(f"  {key} ...", file=sys.stderr, flush=True)
        out[key] = run(engine, *args, site=site, timeout=timeout)
        return out[key]

    # 1. the demo step
    mg = go("demo_micrograd", "micrograd", "demo", str(steps_mg), data, "sum", "1")
    # the same 20 steps, repeated from the same seed: more samples of a fast step
    for engine, repeats in (("eager", "3"), ("batch", "10")):
        go(f"demo_{engine}", engine, "demo", "20", data, "sum", repeats)
        go(f"demo_{engine}_dot", engine, "demo", "20", data, "dot", repeats)
    # 2. chains; micrograd is expected to stop with RecursionError
    for n in chains:
        go(f"chain_{n}_micrograd", "micrograd", "chain", n, timeout=120)
        go(f"chain_{n}_eager", "eager", "chain", n)
    # 3. the wide graph: timings and RSS at full size; tracemalloc at 1e5 (per node it is the same)
    go("wide_micrograd", "micrograd", "wide", wide_n, "0")
    go("wide_eager", "eager", "wide", wide_n, "4")
    go("traced_micrograd", "micrograd", "wide_traced", "1e5")
    go("traced_eager", "eager", "wide_traced", "1e5")
    # 4. drawings
    go("drawing_eager", "eager", "drawing")

    print(table(out, mg, chains))
    if opts.json:
        opts.json.write_text(json.dumps(out, indent=1))


def table(out: dict, mg: dict, chains: list[str]) -> str:
    """The results as a Markdown table: micrograd's figure beside ours, and the ratio."""
    rows = ["| workload | micrograd 0.1.0 | ours | ratio | target | met |", "|---|---|---|---|---|---|"]

    def row(what, theirs, ours, r="", target="", met=None):
        flag = "" if met is None else ("yes" if met else "**no**")
        rows.append(f"| {what} | {theirs} | {ours} | {r} | {target} | {flag} |")

    t_mg = per_step(mg) if "times" in mg else None
    n_mg = len(mg.get("times", []))
    fused = "L2 as one dot node"
    variants = [("eager", "demo_eager", 100, "as written"), ("eager", "demo_eager_dot", 100, fused),
                ("batch", "demo_batch", 1000, "as written"), ("batch", "demo_batch_dot", 1000, fused)]
    for label, key, goal, how in variants:
        res = out[key]
        if "times" not in res:
            row(f"1. demo step, {label} ({how})", fmt_s(t_mg), res.get("error"), met=False)
            continue
        t = per_step(res)
        same = max_rel_diff(res["losses"][:n_mg], mg["losses"]) if t_mg else None
        row(f"1. demo step, {label}, {how}: median of micrograd's {n_mg} steps, of our "
            f"{len(res['times']) // 20} x 20",
            fmt_s(t_mg), fmt_s(t), ratio(t_mg, t), f">= {goal}x", bool(t_mg) and t_mg / t >= goal)
        row("   same losses as micrograd: max relative difference", "",
            "-" if same is None else f"{same:.1e}", "", "<= 1e-9", same is not None and same <= 1e-9)
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
        spread = max(drops[1:]) - min(drops[1:])  # the first rebuild may settle the allocator's pools
        row(f"   RSS after the first drop, then after each of {len(drops) - 1} more build+backward+drop",
            mb(wm["rss_after_drops"][0]) if "rss_after_drops" in wm else "-",
            " / ".join(mb(d) for d in drops), "", "does not grow", spread <= 16 * 2**20)
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
    return "\n".join(rows)


if __name__ == "__main__":
    main()
