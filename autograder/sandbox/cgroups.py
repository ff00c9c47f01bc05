"""Throw-away cgroups (v2, else v1) capping the processes and memory of one worker.

A ``pids`` cgroup is what stops a fork bomb when grading as root (Linux ignores
``RLIMIT_NPROC`` for root; measured in docs/grading.md); a ``memory`` cgroup caps the sum over
the worker's processes. The grader creates them under its own cgroup where it may write there,
moves the worker in before any student code runs, and on close kills whatever is still inside
and removes them. Cgroups left by a grader killed with SIGKILL are swept once they are empty and
ten minutes old.

References: the kernel's cgroup v1 and v2 documentation (``pids.max``, ``memory.max``,
``memory.limit_in_bytes``, ``cgroup.procs``).
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

from autograder.sandbox.limits import Limits


class Cgroup:
    """A throw-away cgroup capping processes and memory of one worker (v2, else v1)."""

    def __init__(self, limits: Limits):
        self.directories: list[Path] = []
        self.procs_files: list[Path] = []
        name = f"autograder-{uuid.uuid4().hex[:12]}"
        memberships = _own_cgroups()
        for base in set(memberships.values()):
            _sweep_stale(base)
        wanted = {"pids": [("pids.max", str(limits.processes))],
                  # Twice RLIMIT_AS: one process meets its own limit first (a clean MemoryError); the
                  # cgroup caps the sum over forked processes.
                  "memory": [("memory.max", str(2 * limits.memory_bytes)),
                             ("memory.limit_in_bytes", str(2 * limits.memory_bytes))]}
        for controller, settings in wanted.items():
            base = memberships.get(controller)
            if base is None:
                continue
            directory = base / name
            try:
                directory.mkdir()
            except OSError:
                continue
            applied = False
            for file_name, value in settings:
                try:
                    (directory / file_name).write_text(value)
                    applied = True
                except OSError:
                    pass
            if applied:
                self.directories.append(directory)
                self.procs_files.append(directory / "cgroup.procs")
            else:
                _remove_cgroup(directory)
        self.controllers = [d.parent.name for d in self.directories]

    def kill_and_remove(self) -> None:
        """SIGKILL every process still inside, then remove the cgroup directories."""
        for directory in self.directories:
            _remove_cgroup(directory)
        self.directories = []


def pids_cgroup_available() -> bool:
    """Whether this process may create a pids cgroup (what stops a fork bomb when grading as root)."""
    cgroup = Cgroup(Limits())
    available = "pids" in cgroup.controllers
    cgroup.kill_and_remove()
    return available


def _own_cgroups() -> dict[str, Path]:
    """Writable cgroup directories of this process, per controller (``pids``, ``memory``)."""
    found: dict[str, Path] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            base = Path("/sys/fs/cgroup") / path.lstrip("/")
            available = (Path("/sys/fs/cgroup") / "cgroup.controllers")
            if available.exists():
                for controller in ("pids", "memory"):
                    if controller in available.read_text().split():
                        found.setdefault(controller, base)
            continue
        for controller in controllers.split(","):
            if controller in ("pids", "memory"):
                base = Path("/sys/fs/cgroup") / controller / path.lstrip("/")
                if base.is_dir() and os.access(base, os.W_OK):
                    found[controller] = base
    return found


def _sweep_stale(base: Path, age_seconds: float = 600.0) -> None:
    """Remove empty autograder cgroups left by a grader killed with SIGKILL (older than ``age_seconds``)."""
    now = time.time()
    for directory in base.glob("autograder-*"):
        try:
            if now - directory.stat().st_mtime > age_seconds and not (directory / "cgroup.procs").read_text().strip():
                directory.rmdir()  # the kernel refuses while any process is inside
        except OSError:
            continue


def _remove_cgroup(directory: Path) -> None:
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        try:
            pids = [int(p) for p in (directory / "cgroup.procs").read_text().split()]
        except OSError:
            pids = []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            directory.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)
