"""The pipe client: one forked worker serving one exercise, request by request, within its wall time.

``Worker.start`` asks the fork server for a child, moves it into its own cgroups, then sends the
``init`` message; ``Worker.request`` sends one ``wire`` message and waits for the reply, both
framed by ``autograder.worker.framing`` and bounded by a deadline (``select``). A timeout, a
death or a corrupted reply closes the worker (``WorkerError``); ``close`` ends it by EOF first,
then by killing its session and its cgroups.
"""

from __future__ import annotations

import os
import select
import signal
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from autograder import worker as wire
from autograder.worker.framing import read_frame, write_frame
from autograder.sandbox.cgroups import Cgroup
from autograder.sandbox.limits import Limits, WorkerError
from autograder.sandbox.output import CappedOutput

if TYPE_CHECKING:
    from autograder.sandbox.forkserver import ForkServer


class Worker:
    """One forked worker serving one exercise of one submission (request/reply over pipes)."""

    def __init__(self, server: ForkServer, exercise: str, limits: Limits, init: dict):
        self.server, self.exercise, self.limits, self.init = server, exercise, limits, init
        self.pid: int | None = None
        self.cgroup: Cgroup | None = None
        self.to_worker: int | None = None
        self.from_worker: int | None = None
        self.output = CappedOutput(limits.output_bytes)
        self.functions: list[str] = []
        self.status: int | str | None = None
        self.first_reply: dict = {}
        self.closed = False

    def start(self) -> dict:
        """Fork the worker, confine it, import the student module; return the worker's first reply."""
        to_worker_read, self.to_worker = os.pipe()
        self.from_worker, from_worker_write = os.pipe()
        output_read, output_write = os.pipe()
        self.output.drain(os.fdopen(output_read, "rb", buffering=0))
        self.cgroup = Cgroup(self.limits)
        try:
            self.pid = self.server.fork(self.limits, [to_worker_read, from_worker_write, output_write])
        finally:
            for fd in (to_worker_read, from_worker_write, output_write):
                os.close(fd)
        if self.cgroup.procs_files:  # before any student code runs: the child waits for init
            host_pid = self.server.host_pid(self.pid)
            if host_pid is None:
                raise WorkerError("the worker could not be put into its cgroup (process not found)", "died")
            for procs in self.cgroup.procs_files:
                procs.write_text(str(host_pid))
        init = dict(self.init, module_path=self.server.module_path(self.exercise), exercise=self.exercise)
        header, _ = self.request(init, {}, self.limits.start_seconds, what="importing your module")
        self.functions = list(header.get("functions", [])) if type(header.get("functions")) is list else []
        self.first_reply = header
        return header

    def printed(self) -> str:
        """What the student's code printed (capped), for feedback."""
        return self.output.text()

    def request(self, header: dict, arrays: dict, timeout: float, what: str) -> tuple[dict, dict]:
        """Send one message and wait at most ``timeout`` seconds for the reply; a broken worker is closed."""
        try:
            write_frame(self._bounded_write(timeout), wire.pack(header, arrays))
            return wire.unpack(read_frame(self._bounded_read(timeout, what)))
        except EOFError:
            failure = WorkerError(self._death_message(), "died")
        except wire.ProtocolError as error:
            failure = WorkerError(f"the worker's reply was corrupted ({error}); did your code write to file "
                                  "descriptors it does not own?", "protocol")
        except WorkerError as error:
            failure = error
        self.close(grace_seconds=0.0)
        raise failure

    def _bounded_write(self, timeout: float) -> Callable[[memoryview], int]:
        """``write`` for ``write_frame``: waits for the request pipe until ``timeout`` seconds from now."""
        deadline = time.monotonic() + timeout

        def write(view: memoryview) -> int:
            _, ready, _ = select.select([], [self.to_worker], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise WorkerError("timed out while sending the inputs", "timeout")
            try:
                return os.write(self.to_worker, view[: 1 << 16])
            except OSError:  # a broken pipe: the worker is gone
                raise WorkerError(self._death_message(), "died") from None

        return write

    def _bounded_read(self, timeout: float, what: str) -> Callable[[int], bytes]:
        """``read`` for ``read_frame``: waits for the reply pipe until ``timeout`` seconds from now."""
        deadline = time.monotonic() + timeout

        def read(count: int) -> bytes:
            ready, _, _ = select.select([self.from_worker], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise WorkerError(f"timed out after {timeout:g} s while {what}", "timeout")
            return os.read(self.from_worker, min(1 << 20, count))

        return read

    def _exit_status(self, seconds: float) -> int | str | None:
        """Poll the worker's exit status for up to ``seconds``; ``None`` if it still runs."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                status = self.server.wait(self.pid)
            except WorkerError:
                return "gone"
            if status is not None or time.monotonic() >= deadline:
                return status
            time.sleep(0.02)

    def _death_message(self) -> str:
        status = self._exit_status(2.0) if self.pid is not None else None
        self.status = status
        if type(status) is int and status < 0:
            name = signal.Signals(-status).name if -status in signal.Signals._value2member_map_ else str(-status)
            reason = {"SIGXCPU": "it used up its CPU time", "SIGKILL": "it was killed (memory or process limit?)",
                      "SIGXFSZ": "it wrote a file larger than the limit"}.get(name, f"signal {name}")
            return f"the worker stopped: {reason}"
        tail = self.printed().strip().splitlines()[-3:]
        last = ("; its last output: " + " | ".join(line[:200] for line in tail)) if tail else ""
        return (f"the worker process exited (status {status}) before answering: does your module call "
                f"sys.exit/os._exit, or exhaust a limit?{last}")

    def close(self, grace_seconds: float = 1.0) -> None:
        """End the worker: EOF first (an idle worker exits by itself), then kill what remains."""
        if self.closed:
            return
        self.closed = True
        if self.to_worker is not None:
            os.close(self.to_worker)
            self.to_worker = None
        forced = False
        if self.pid is not None:
            status = self.status if self.status is not None else self._exit_status(grace_seconds)
            if status is None:  # still running: kill its session and reap it
                forced = True
                try:
                    status = self.server.kill(self.pid)
                except WorkerError:
                    status = "gone"
            self.status = status
        if self.cgroup is not None:
            self.cgroup.kill_and_remove()  # every process it started, even those that left its session
        if forced and not (self.cgroup and "pids" in self.cgroup.controllers):
            # Without a pids cgroup, processes that left the worker's session are reached only
            # through the PID namespace: stop the whole sandbox (it serves this exercise alone).
            self.server.restart()
        if self.from_worker is not None:
            os.close(self.from_worker)
            self.from_worker = None

    @property
    def alive(self) -> bool:
        """Whether the worker can still take requests (a dead one is found at its next request)."""
        return self.pid is not None and not self.closed
