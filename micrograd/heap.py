"""Batch mode's arrays reuse freed memory instead of taking it from the OS again every step.

A batch step at N = 1,000 examples allocates and frees tens of megabytes of arrays.
glibc's malloc maps a large array on its own and gives freed memory at the top of
its heap back to the OS; the next step then takes it back a page at a time: 630
page faults a step at H = 32, N = 1,000, which made the step up to three times
slower (1.6 ms against 0.52 ms; PyTorch's step suffers the same, 2.1 ms against
1.2 ms at H = 64). So importing micrograd.batch asks glibc (mallopt) to serve arrays
up to 16 MB from its heap and to keep up to 64 MB of freed heap for the next step.
Peak resident memory stayed the same in those runs (39 MB); a program that once
freed more keeps up to 64 MB of it. Where the C library is not glibc nothing is
changed; MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ in the environment before
Python starts do the same by hand.
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h>
KEEP = 64 << 20  # bytes of freed heap kept for the next step
LARGE = 16 << 20  # arrays up to this size come from the heap, not from a mapping of their own


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to serve arrays up to LARGE bytes from its heap and keep KEEP; whether it could."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, LARGE) == 1 and mallopt(M_TRIM_THRESHOLD, KEEP) == 1
