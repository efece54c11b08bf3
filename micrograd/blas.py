"""BLAS on one thread for batch mode's products: they are small, and a second thread only costs.

A layer's product in micrograd.batch is at most a few hundred rows by a thousand
examples: OpenBLAS's second thread then doubles the CPU time spent and, on a busy
machine, the wall time too. With threadpoolctl installed (the `fast` extra), each
forward product and each backward pass runs with the BLAS thread count set to 1 and
set back after, so numpy elsewhere in the program keeps its threads. Without it,
nothing is changed: set OPENBLAS_NUM_THREADS=1 (or OMP_NUM_THREADS=1) before
starting Python for the same effect.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def _blas_libraries() -> list[Any]:
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # an optional extra: without it, BLAS keeps the threads it was given
        return []
    return [lib for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]


_LIBRARIES = _blas_libraries()


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with BLAS on one thread, then give it back the threads it had."""
    before = [lib.get_num_threads() for lib in _LIBRARIES]
    for lib, n in zip(_LIBRARIES, before):
        if n != 1:
            lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, n in zip(_LIBRARIES, before):
            if n != 1:
                lib.set_num_threads(n)
