"""The training process keeps the memory it frees for its next step (Linux, glibc).

A word model's step allocates a few tensors of tens of MB (the logits and their gradient: 28 MB
each for 700 tokens and 10,000 words) and frees them before the next step. With glibc's
defaults such a block is either a fresh ``mmap`` (above the mmap threshold, which glibc raises
by itself only up to 32 MiB) or the top of the heap, given back to the system as soon as more
than the trim threshold is free there. Either way the next step touches new pages, and every
page is a page fault that the kernel zeroes: 2,400-6,600 faults a step of the default model on
this CPU, about 7% of its time (``benchmarks/results/peer_wlm.md``). PyTorch's CUDA caching
allocator keeps freed blocks for the same reason; this does it for the host's allocator.

``keep_freed_memory`` raises both thresholds (``mallopt``): blocks below 256 MiB come from the
heap, and up to 512 MiB freed at its top stay in the process. The cost is that the process holds
what a step freed (its peak, which the next step needs again) instead of returning it at once.
The ``rnnlm`` CLI calls it once at start. It does nothing where the allocator is not glibc's,
when the user tuned glibc already (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``,
``MALLOC_TOP_PAD_``, ``MALLOC_MMAP_MAX_`` or ``GLIBC_TUNABLES``), or with ``RNNLM_KEEP_FREED_MEMORY=0``.

Reference: mallopt(3), M_MMAP_THRESHOLD and M_TRIM_THRESHOLD.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (<malloc.h>)
MMAP_THRESHOLD = 256 << 20  # blocks below this come from the heap, where freed memory can be reused
TRIM_THRESHOLD = 512 << 20  # at most this much freed memory stays at the top of the heap
OPT_OUT = "RNNLM_KEEP_FREED_MEMORY"
USER_TUNING = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_",
               "GLIBC_TUNABLES")


def is_glibc() -> bool:
    """Whether this process runs on GNU libc (``mallopt`` and its thresholds exist)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    except (ValueError, OSError):  # not a glibc system (musl has no such name)
        return False


def keep_freed_memory() -> bool:
    """Make glibc keep freed blocks for reuse (see the module's text); True when it was set."""
    if os.environ.get(OPT_OUT, "1").strip() == "0" or any(name in os.environ for name in USER_TUNING):
        return False
    if not is_glibc():
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # Both or neither: a high trim threshold alone sends every large block to mmap (no dynamic
    # threshold any more), which faults more than the defaults.
    if not mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD):
        return False
    return bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
