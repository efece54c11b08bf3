"""Benchmark: this repo's engine (eager and batch) beside micrograd 0.1.0 from PyPI, in one run.

    python tests/benchmarks/bench.py            # everything, about 5 minutes on 2 cores
    python tests/benchmarks/bench.py --quick    # 3 rounds, smaller graphs: about 1 minute

micrograd 0.1.0 is pip-installed into a scratch directory of its own (--scratch, by
default ~/.cache/micrograd-lab-bench) and, since it is also imported as `micrograd`,
every workload runs in a fresh process (workloads.py). Times are CPU seconds of
that process. On a shared machine the same step takes up to 1.8x as long from one
minute to the next, and micrograd (memory-bound: its cycle collector) and ours
(CPU-bound) feel it differently, so the demo step runs in interleaved rounds: each
round runs micrograd for a few steps, then each of our four variants, in fresh
processes; a round's ratio compares medians from the same minute, and the table
gives the median of the rounds' ratios and their range. Prints a Markdown table;
--json FILE also writes every figure (each round's too). Not collected by pytest.
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
WORKER = HERE / "workloads.py"
MICROGRAD = "micrograd==0.1.0"
# our four demo variants: (key, engine, L2 term, repeats of the 20 steps, target ratio, label)
VARIANTS = [("eager", "eager", "sum", "3", 100, "eager, as written"),
            ("eager_dot", "eager", "dot", "3", 100, "eager, L2 as one dot node"),
            ("batch", "batch", "sum", "10", 1000, "batch, as written"),
            ("batch_dot", "batch", "dot", "10", 1000, "batch, L2 as one dot node")]


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


def demo_rounds(go, rounds: int, steps_mg: int, data: str) -> list[dict]:
    """The demo step, interleaved in time: per round micrograd, then each of our variants."""
    results = []
    for r in range(1, rounds + 1):
        here = {"load_average": os.getloadavg()[0]}  # context only: CPU time is the clock
        here["micrograd"] = go(f"round {r}/{rounds}: micrograd", "micrograd", "demo",
                               str(steps_mg), data, "sum", "1")
        for key, engine, l2, repeats, _, _ in VARIANTS:
            # the same 20 steps, repeated from the same seed: more samples of a fast step
            here[key] = go(f"round {r}/{rounds}: {key}", engine, "demo", "20", data, l2, repeats)
        results.append(here)
    return results


def summarize_demo(rounds: list[dict]) -> dict:
    """Per variant: each round's medians and ratio, their median and range, the losses' agreement."""
    mg = [per_step(r["micrograd"]) if "times" in r["micrograd"] else None for r in rounds]
    timed = [i for i, t in enumerate(mg) if t is not None]
    summary: dict = {"micrograd_per_step": mg,
                     "quiet_round": min(timed, key=lambda i: mg[i]) + 1 if timed else None}
    for key, *_ in VARIANTS:
        ours, ratios, diffs, errors = [], [], [], []
        for i, r in enumerate(rounds):
            res, theirs = r[key], r["micrograd"]
            if "times" not in res:
                ours.append(None)
                errors.append(f"round {i + 1}: {res.get('error')}")
                continue
            ours.append(per_step(res))
            if mg[i] is not None:
                ratios.append(mg[i] / ours[-1])
                n = len(theirs["losses"])
                diffs.append(max_rel_diff(res["losses"][:n], theirs["losses"]))
        summary[key] = {
            "per_step": ours, "ratios": ratios, "errors": errors,
            "ratio_median": statistics.median(ratios) if ratios else None,
            "ratio_min": min(ratios, default=None), "ratio_max": max(ratios, default=None),
            "max_rel_loss_diff": max(diffs, default=None)}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="3 rounds of 3 micrograd steps, chains to 1e5, wide 1e5")
    parser.add_argument("--rounds", type=int, help="interleaved demo rounds (default 5; --quick: 3)")
    parser.add_argument("--scratch", type=Path, default=Path.home() / ".cache" / "micrograd-lab-bench")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    opts = parser.parse_args()
    rounds = (3 if opts.quick else 5) if opts.rounds is None else opts.rounds
    if rounds < 1:
        parser.error(f"--rounds must be at least 1, got {rounds}")
    site = install_micrograd(opts.scratch)
    # per round about 1.5 s a step, so 5 x 4 = 20 steps in all; at least 3, because micrograd's
    # first step is short (about 1.0 s: no earlier graph yet for its cycle collector to walk) and
    # the median must be a step of a training loop under way
    steps_mg = 3 if opts.quick else 4
    chains = ["1e3", "1e4", "1e5"] + ([] if opts.quick else ["1e6"])
    wide_n = "1e5" if opts.quick else "1e6"
    out: dict = {"quick": opts.quick, "python": platform.python_version(), "cpus": os.cpu_count(),
                 "rounds": rounds, "micrograd_steps_per_round": steps_mg}
    data = str(opts.scratch / "moons.json")
    sys.path.insert(0, str(HERE))
    from workloads import moons

    moons(data)  # micrograd's data, made here: the workers need not import scikit-learn
    began = time.perf_counter()

    def go(key: str, engine: str, *args: str, timeout: float = 600) -> dict:
        print(f"  {key} ...", file=sys.stderr, flush=True)
        return run(engine, *args, site=site, timeout=timeout)

    # 1. the demo step, in interleaved rounds
    out["demo_rounds"] = demo_rounds(go, rounds, steps_mg, data)
    out["demo"] = summarize_demo(out["demo_rounds"])
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
    out["wall_seconds"] = time.perf_counter() - began

    print(header(out))
    print(table(out, chains))
    if opts.json:
        opts.json.write_text(json.dumps(out, indent=1))


def header(out: dict) -> str:
    """What ran where, and how the demo ratios were taken."""
    return (f"Python {out['python']} ({platform.python_implementation()}), {out['cpus']} CPUs, "
            f"{platform.machine()}{', --quick' if out['quick'] else ''}; CPU seconds per process.\n"
            f"Demo-step figures are medians over {out['rounds']} interleaved rounds (each round: "
            f"micrograd {out['micrograd_steps_per_round']} steps, then each of ours 20 steps, "
            f"fresh processes): the ratio is the median of the rounds' ratios (in brackets their "
            f"lowest..highest), not the quotient of the two medians beside it.\n")


def demo_rows(row, out: dict) -> None:
    """The demo step's rows: medians over rounds, the rounds' range, the losses, the quiet round."""
    demo, rounds = out["demo"], out["demo_rounds"]
    mg = [t for t in demo["micrograd_per_step"] if t is not None]
    t_mg = statistics.median(mg) if mg else None
    if t_mg is None:
        row("1. demo step, micrograd 0.1.0", rounds[0]["micrograd"].get("error"), "", met=False)
    for key, _, _, _, goal, label in VARIANTS:
        s = demo[key]
        ours = [t for t in s["per_step"] if t is not None]
        if not ours or not s["ratios"]:
            row(f"1. demo step, {label}", fmt_s(t_mg), "; ".join(s["errors"]) or "-", met=False)
            continue
        spread = f"{s['ratio_median']:,.0f}x ({s['ratio_min']:,.0f}..{s['ratio_max']:,.0f}x)"
        row(f"1. demo step, {label}: s/step, median over rounds", fmt_s(t_mg),
            fmt_s(statistics.median(ours)), spread, f">= {goal}x",
            s["ratio_median"] >= goal and not s["errors"])
        same = s["max_rel_loss_diff"]
        n = out["micrograd_steps_per_round"]
        row(f"   same losses as micrograd (first {n} steps, every round): max relative difference",
            "", f"{same:.1e}", "", "<= 1e-9", same <= 1e-9)
    q = demo["quiet_round"]
    if q is not None:
        pair = rounds[q - 1]
        cells = [(key, demo[key]["per_step"][q - 1]) for key, *_ in VARIANTS]
        row(f"   quiet pairing, for information: round {q} of {len(rounds)}, where micrograd was fastest "
            f"(load average {pair['load_average']:.2f}); eager / eager dot / batch / batch dot",
            fmt_s(demo["micrograd_per_step"][q - 1]), " / ".join(fmt_s(t) for _, t in cells),
            " / ".join(ratio(demo["micrograd_per_step"][q - 1], t) for _, t in cells))


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
