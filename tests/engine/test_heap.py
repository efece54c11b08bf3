"""Batch mode keeps freed memory for its next step (micrograd/heap.py): counted in page faults, not time."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT

STEPS = """
import resource, sys
sys.path.insert(0, {root!r})
import numpy as np
import micrograd.heap
if {undo}:  # batch mode without it: glibc's own setting
    micrograd.heap.keep_freed_memory = lambda: False
import nn
from micrograd.batch import columns
x = columns(np.random.default_rng(0).uniform(-1, 1, (1000, 2)))
model = nn.MLP(2, [32, 32, 1])
opt = nn.SGD(model.parameters(), lr=0.01)
def step():
    loss = (1 + -model(x)).relu().mean() + nn.l2(model, 1e-4)
    opt.zero_grad()
    loss.backward()
    opt.step()
for _ in range(5):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(50):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 50)
"""


def faults_per_step(undo: bool) -> float:
    code = STEPS.format(root=str(ROOT), undo=undo)
    command = [sys.executable, "-c", code]
    run = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    return float(run.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_batch_step_takes_no_fresh_pages_from_the_os():
    from micrograd.heap import keep_freed_memory
    if not keep_freed_memory():
        pytest.skip("not glibc")
    kept, without = faults_per_step(undo=False), faults_per_step(undo=True)
    # glibc's own setting takes 8 to 593 fresh pages a step, depending on how the heap was laid out
    # by what the process did before (measured on one machine): kept, the step takes next to none
    assert kept < 20 and 2 * kept < without, f"page faults a step: {kept} kept, {without} with glibc's own"
