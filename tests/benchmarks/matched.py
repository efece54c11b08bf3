"""The demo step in matched time windows: persistent workers, each of our blocks between two micrograd steps.

This machine's CPU speed changes from one second to the next, so a ratio is only
fair between figures taken in the same seconds. One long-lived process per engine
variant (workloads.py serve) is driven over JSON lines. A cycle runs, for each of
our variants: a micrograd step, then that variant for as much CPU time as the step
took. A block's ratio is the mean of the two micrograd steps around it over our
mean step in it (total CPU time / steps: collector pauses count, as in micrograd's).
"""

from __future__ import annotations

import json
import queue
import statistics
import subprocess
import tempfile
import threading

WARMUP_CPU = 0.3  # seconds of our steps thrown away per worker before measuring
EAGER_EXACT = 2  # eager's first steps must equal micrograd's to 1e-14 (later ones to 1e-9)


class Worker:
    """One workloads.py serve process; every read has a timeout, and a failure is kept, not raised."""

    def __init__(self, key: str, cmd: list[str], env: dict, timeout: float) -> None:
        self.key, self.error = key, None
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, text=True, env=env, cwd="/")
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.ready = self._answer(timeout)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)  # end of output: the process has exited

    def _fail(self, why: str) -> None:
        self.error = why
        if self.proc.poll() is None:
            self.proc.kill()

    def _answer(self, timeout: float) -> dict | None:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self._fail(f"no answer in {timeout:.0f} s (killed)")
            return None
        if line is None:
            code = self.proc.wait()
            self.stderr.seek(0)
            last = (self.stderr.read().strip().splitlines() or ["no message"])[-1]
            self._fail(f"exited with code {code}: {last[:100]}")
            return None
        answer = json.loads(line)
        if "error" in answer:
            self._fail(answer["error"])
            return None
        return answer

    def ask(self, cmd: dict, timeout: float) -> dict | None:
        """The worker's answer to one command, or None (and self.error says why)."""
        if self.error:
            return None
        try:
            self.proc.stdin.write(json.dumps(cmd) + "\n")
            self.proc.stdin.flush()
        except OSError as error:
            self._fail(f"could not be sent a command: {error}")
            return None
        return self._answer(timeout)

    def close(self) -> None:
        """Ask the worker to quit; kill it if it does not."""
        if self.error is None:
            try:
                self.proc.stdin.write('{"cmd": "quit"}\n')
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


def measure(workers: dict[str, Worker], keys: list[str], cycles: int, timeout: float) -> dict:
    """Warm-up, then `cycles` cycles of (micrograd step, our block) per variant; every raw answer kept."""
    mg = workers["micrograd"]
    record: dict = {"micrograd_warmup": mg.ask({"cmd": "steps", "n": 1}, timeout),
                    "warmup": {k: workers[k].ask({"cmd": "run", "cpu": WARMUP_CPU}, timeout) for k in keys},
                    "micrograd": [], "blocks": []}

    def micrograd_step() -> dict | None:
        answer = mg.ask({"cmd": "steps", "n": 1}, timeout)
        if answer:
            record["micrograd"].append(answer)
        return answer

    before = micrograd_step()
    for cycle in range(1, cycles + 1):
        for key in keys:
            if before is None:  # micrograd's worker is gone: nothing left to pair with
                return record
            block = workers[key].ask({"cmd": "run", "cpu": before["times"][0]}, timeout)
            entry = {"variant": key, "cycle": cycle, "before": len(record["micrograd"]) - 1,
                     "after": None, "block": block or {"error": workers[key].error}}
            record["blocks"].append(entry)
            if block is None:
                continue  # the next variant pairs with the same micrograd step
            before = micrograd_step()
            if before is not None:
                entry["after"] = entry["before"] + 1
    return record


def max_rel_diff(pairs: list[tuple[float, float]]) -> float | None:
    return max((abs(x - y) / abs(y) for x, y in pairs), default=None)


def summarize(record: dict, keys: list[str], workers: dict[str, Worker]) -> dict:
    """Per variant: each block's ratio, their median and range, and the losses against micrograd's."""
    mg_times = [s["times"][0] for s in record["micrograd"]]
    theirs: dict[int, float] = {}  # micrograd's loss for each step index k it ran
    for answer in [record["micrograd_warmup"], *record["micrograd"]]:
        if answer:
            theirs.setdefault(answer["k"][0], answer["losses"][0])
    summary: dict = {"micrograd_times": mg_times, "micrograd_k": sorted(theirs)}
    for key in keys:
        blocks = [b for b in record["blocks"] if b["variant"] == key]
        answers = [record["warmup"][key], *(b["block"] for b in blocks)]
        ours: dict[int, list[float]] = {}
        for a in answers:
            if a and "losses" in a:
                for k, loss in zip(a["k"], a["losses"]):
                    ours.setdefault(k, []).append(loss)
        pairs = [(mine, theirs[k]) for k, losses in ours.items() if k in theirs for mine in losses]
        exact = [(mine, theirs[k]) for k, losses in ours.items() if k in theirs and k < EAGER_EXACT
                 for mine in losses]
        paired = [b for b in blocks if "times" in b["block"] and b["after"] is not None]
        mg_mean = [(mg_times[b["before"]] + mg_times[b["after"]]) / 2 for b in paired]
        per_step = [b["block"]["cpu"] / len(b["block"]["times"]) for b in paired]
        ratios = [m / o for m, o in zip(mg_mean, per_step)]
        errors = [f"cycle {b['cycle']}: {b['block']['error']}" for b in blocks if "error" in b["block"]]
        if workers[key].error and not errors:
            errors.append(workers[key].error)
        summary[key] = {
            "micrograd_mean": mg_mean, "per_step": per_step,
            "steps": [len(b["block"]["times"]) for b in paired], "ratios": ratios, "errors": errors,
            "ratio_median": statistics.median(ratios) if ratios else None,
            "ratio_min": min(ratios, default=None), "ratio_max": max(ratios, default=None),
            "max_rel_loss_diff": max_rel_diff(pairs),
            "first_steps_rel_diff": max_rel_diff(exact),
            # every episode of ours starts from the same seed: a step index gives one loss, always
            "repeats_equal": all(len(set(losses)) == 1 for losses in ours.values()),
            "steps_checked": sorted(k for k in ours if k in theirs)}
    return summary
