"""What one exercise's worker may use (``Limits``), how that becomes ``setrlimit`` values, and how a worker fails.

Wall times are enforced by the grader, which kills the worker; CPU seconds, address space and
file size by ``setrlimit`` in the worker's process (``resource_limits``); processes and the sum
of memory by the worker's cgroups (``autograder.sandbox.cgroups``), with ``RLIMIT_NPROC`` as the
fallback for non-root graders. A worker that cannot answer raises ``WorkerError``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """Resource limits of one exercise's worker (the hidden suite may override any of them)."""

    call_seconds: float = 20.0
    """Wall time for one call of a student function."""
    start_seconds: float = 40.0
    """Wall time to start the sandbox (Python, NumPy, PyTorch), and again to import the student's module."""
    exercise_seconds: float = 120.0
    """Wall time for all calls of one exercise; later calls fail once it is spent."""
    cpu_seconds: int = 120
    """CPU seconds for the worker's whole life (``RLIMIT_CPU``)."""
    memory_bytes: int = 4 * 1024**3
    """Address space of each process (``RLIMIT_AS``) and the memory cgroup's cap."""
    processes: int = 32
    """Processes and threads in the sandbox (pids cgroup, else ``RLIMIT_NPROC``)."""
    output_bytes: int = 16 * 1024
    """How much of the worker's stdout/stderr is kept (the rest is read and dropped)."""
    file_bytes: int = 64 * 1024**2
    """Largest file the worker may write, and the size of its private /tmp."""


class WorkerError(Exception):
    """The worker could not answer: it timed out, died, or broke the protocol."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind
        """``"timeout"``, ``"died"`` or ``"protocol"``."""


def widest(limits: list[Limits]) -> Limits:
    """The element-wise largest of several limits (a fork server's own limits bound its workers')."""
    if not limits:
        return Limits()
    return Limits(**{f.name: max(getattr(item, f.name) for item in limits) for f in fields(Limits)})


def resource_limits(limits: Limits) -> dict[str, tuple[int, int]]:
    """The ``setrlimit`` values of ``limits``: ``{name: (soft, hard)}``.

    The CPU limit's soft value sends ``SIGXCPU`` (reported as "used up its CPU time"), the hard one
    five seconds later ``SIGKILL``. ``RLIMIT_NPROC`` only for non-root graders: Linux ignores it
    for root, where the pids cgroup does the job.
    """
    values = {
        "RLIMIT_CPU": (limits.cpu_seconds, limits.cpu_seconds + 5),
        "RLIMIT_AS": (limits.memory_bytes, limits.memory_bytes),
        "RLIMIT_FSIZE": (limits.file_bytes, limits.file_bytes),
        "RLIMIT_CORE": (0, 0),
    }
    if os.geteuid() != 0:
        values["RLIMIT_NPROC"] = (limits.processes, limits.processes)
    return values

