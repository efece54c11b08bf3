"""Instructions per demo step, counted by callgrind: a figure that a busy machine cannot move.

    python tests/benchmarks/instructions.py eager sum      # engine (eager|batch), L2 (sum|dot|node)

Runs workloads.py's demo trainer under `valgrind --tool=callgrind` twice, for 2 + 3 and
2 + 8 steps, and prints the difference over 5 steps: the start-up and the first
steps (which build the model) cancel out. Each change to the fast path in issue 17
was measured this way, alone. Not collected by pytest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUN = """
import sys
sys.path.insert(0, {here!r})
from workloads import demo_trainer, moons
moons({data!r}) if {make} else None
step, _ = demo_trainer({engine!r}, {data!r}, {l2!r})
for _ in range({steps}):
    step()
"""


def count(engine: str, l2: str, steps: int, data: str, make: bool) -> int:
    """Instructions callgrind counts for a process that runs `steps` demo steps."""
    code = RUN.format(here=str(HERE), data=data, make=make, engine=engine, l2=l2, steps=steps)
    # OpenBLAS's threads spin for work, and string hashes order sets: either moves the count by 2x
    env = os.environ | {"OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def main(argv: list[str]) -> None:
    engine, l2 = (argv + ["eager", "sum"][len(argv):])[:2]
    with tempfile.TemporaryDirectory() as tmp:
        data = str(Path(tmp) / "moons.json")
        subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); "
                        f"from workloads import moons; moons({data!r})"], check=True)
        few, many = (count(engine, l2, n, data, False) for n in (5, 10))
    print(f"{engine} {l2}: {(many - few) / 5 / 1e6:.2f}M instructions per step")


if __name__ == "__main__":
    main(sys.argv[1:])
