"""The CLI's process keeps the memory it frees (``rnnlm.training.allocator``, glibc only).

Checked by its effect, in fresh processes: a 64 MB tensor allocated and freed again and again
costs a page fault per page with glibc's defaults (a fresh mmap each time) and almost none once
``keep_freed_memory`` has run; the user's own glibc settings and the opt-out are respected.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rnnlm.training.allocator import is_glibc

pytestmark = pytest.mark.skipif(not is_glibc(), reason="mallopt is glibc's")

PROBE = r'''
import ctypes, resource, torch
from rnnlm.training.allocator import keep_freed_memory
class Info(ctypes.Structure):  # struct mallinfo2
    _fields_ = [(name, ctypes.c_size_t) for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc = ctypes.CDLL("libc.so.6")
libc.mallinfo2.restype = Info
print(keep_freed_memory())
mapped_before = libc.mallinfo2().hblks
block = torch.ones(25 << 20)  # 100 MB: above glibc's largest dynamic mmap threshold (32 MiB)
mapped, heap = libc.mallinfo2().hblks - mapped_before, libc.mallinfo2().arena
del block
print(mapped, heap - libc.mallinfo2().arena)  # blocks mmapped while it lived; heap given back when freed
weights = torch.randn(200, 10_000)
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for step in range(40):  # a word model's step: 700 x 10,000 logits and two more of that size
    if step == 30:
        start = faults()
    logits = torch.randn(700, 200) @ weights
    probabilities = logits.softmax(-1)
    gradient = probabilities - 1
    del logits, probabilities, gradient
print((faults() - start) / 10)
'''


def probe(**env: str) -> tuple[bool, int, int, float]:
    """(whether the thresholds were set, mmapped blocks while a 100 MB tensor lives, heap bytes
    given back when it is freed, page faults per step of steps 30-40) in a fresh process."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "RNNLM_KEEP_FREED_MEMORY"}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True,
                          env={**clean, "OMP_NUM_THREADS": "1", **env})
    was_set, mapped, returned, faults = done.stdout.split()
    return was_set == "True", int(mapped), int(returned), float(faults)


def test_large_blocks_come_from_the_heap_and_stay_there():
    was_set, mapped, returned, faults = probe()
    assert was_set
    assert mapped == 0 and returned == 0  # from the heap, and kept when freed
    assert faults < 100, faults  # steps reuse the pages of the last one (the defaults: about 1,400 here)
    opted_out, mapped, _, _ = probe(RNNLM_KEEP_FREED_MEMORY="0")
    assert not opted_out and mapped >= 1  # glibc's defaults: such a block is a fresh mmap


def test_the_users_own_glibc_settings_are_left_alone():
    was_set, *_ = probe(MALLOC_TRIM_THRESHOLD_="1048576")
    assert not was_set
