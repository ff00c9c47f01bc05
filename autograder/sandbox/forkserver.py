"""The fork-server protocol, grader side: start a sandbox whose zygote forks one worker per exercise.

The zygote (``autograder.worker.zygote``) imports NumPy and PyTorch once and runs no student code.
The grader talks to it over a Unix ``SOCK_SEQPACKET`` socket in small JSON datagrams: ``fork``
(with the worker's three pipe ends passed by ``SCM_RIGHTS`` and its resource limits), ``wait``
and ``kill``. A sandbox that failed to start keeps its reason and is not retried; one whose
zygote died (a worker may signal it: they share a PID namespace) is started again once.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from autograder.sandbox.bwrap import WORKER_ENVIRONMENT, Sandbox, make_job_dir
from autograder.sandbox.client import Worker
from autograder.sandbox.limits import Limits, WorkerError, resource_limits
from autograder.sandbox.output import CappedOutput

CONTROL_SECONDS = 30.0
"""How long the grader waits for the fork server to answer a control request."""


class ForkServer:
    """One sandbox whose zygote imports PyTorch once and forks a fresh worker per exercise.

    The zygote (``worker.zygote``) runs no student code. ``spawn`` asks it for a child process,
    hands the child its three pipes over a Unix socket, moves it into the worker's own cgroup,
    and only then sends the ``init`` message that imports the student's module. Starting the
    sandbox is lazy (the first ``spawn``) and repeated after ``restart``; a server that failed
    to start keeps its reason and does not retry.
    """

    def __init__(self, sandbox: Sandbox, files: dict[str, Path], limits: Limits, import_torch: bool):
        self.sandbox, self.files, self.limits, self.import_torch = sandbox, dict(files), limits, import_torch
        self.process: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.job_dir: Path | None = None
        self.output = CappedOutput(limits.output_bytes)
        self.failure: str | None = None
        self.zygote_pid: int | None = None
        self._lock = threading.Lock()

    def module_path(self, exercise: str) -> str:
        """Where the worker finds the student's file of ``exercise``."""
        return f"{self.sandbox.grader_dir(self.job_dir)}/{exercise}.py"

    def spawn(self, exercise: str, limits: Limits, init: dict) -> Worker:
        """A started worker for ``exercise`` (``WorkerError`` if it could not start)."""
        worker = Worker(self, exercise, limits, init)
        try:
            worker.start()
        except BaseException:
            worker.close(grace_seconds=0.0)
            raise
        return worker

    # -- the zygote ----------------------------------------------------------------------------

    def start(self) -> float:
        """Start the sandbox now (otherwise the first ``spawn`` does); the seconds it took."""
        started = time.monotonic()
        with self._lock:
            if self.control is None:
                self._start()
        return time.monotonic() - started

    def _start(self) -> None:
        """Start the sandbox and wait for the zygote's imports (under ``_lock``)."""
        if self.failure:
            raise WorkerError(self.failure, "died")
        self.job_dir = make_job_dir(self.files)
        grader_end, sandbox_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = self.sandbox.zygote_command(self.job_dir, self.limits, sandbox_end.fileno())
        rlimits = resource_limits(self.limits)

        def confine() -> None:  # runs in the child between fork and exec: system calls only
            for name, values in rlimits.items():
                resource.setrlimit(getattr(resource, name), values)

        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                pass_fds=(sandbox_end.fileno(),), env=dict(WORKER_ENVIRONMENT),
                cwd=self.job_dir if self.sandbox.bwrap is None else "/", preexec_fn=confine, start_new_session=True,
            )
        except OSError as error:
            grader_end.close()
            self.failure = f"the sandbox could not start ({error})"
            self._stop()
            raise WorkerError(self.failure, "died") from None
        finally:
            sandbox_end.close()
        self.control = grader_end
        self.output.drain(self.process.stdout)
        try:
            reply = self._exchange({"import_torch": self.import_torch}, (), self.limits.start_seconds,
                                   "starting Python and importing PyTorch")
        except WorkerError as error:
            reply = {"status": "error", "error": str(error)}
        self.zygote_pid = reply.get("pid")
        if reply.get("status") != "ready":
            printed = self.output.text().strip()
            self.failure = (f"the sandbox could not start ({reply.get('error')})"
                            + (f"; it printed: {printed[-1000:]}" if printed else ""))
            self._stop()
            raise WorkerError(self.failure, "died")

    def _exchange(self, request: dict, fds, timeout: float, what: str) -> dict:
        """Send one control request (with file descriptors) and read the zygote's answer."""
        try:
            self.control.settimeout(timeout)
            socket.send_fds(self.control, [json.dumps(request).encode()], list(fds))
            answer = self.control.recv(65536)
        except TimeoutError:
            raise WorkerError(f"the sandbox did not answer within {timeout:g} s while {what}", "timeout") from None
        except OSError as error:
            raise WorkerError(f"the sandbox stopped while {what} ({error})", "died") from None
        if not answer:
            raise WorkerError(f"the sandbox stopped while {what}", "died")
        return json.loads(answer)

    def request(self, request: dict, fds=(), what: str = "asking the sandbox") -> dict:
        """One control request, starting the sandbox first if needed; a broken sandbox is stopped."""
        with self._lock:
            if self.control is None:
                self._start()
            try:
                return self._exchange(request, fds, max(CONTROL_SECONDS, self.limits.start_seconds), what)
            except WorkerError:
                self._stop()
                raise

    def fork(self, limits: Limits, fds: list[int]) -> int:
        """A new worker process on ``fds`` (its read, write and output pipe ends); its PID in the sandbox.

        A sandbox that died since the last request (a worker may signal its zygote: they share a
        PID namespace) is started again once, so the next worker does not pay for it.
        """
        request = {"op": "fork", "limits": resource_limits(limits)}
        try:
            reply = self.request(request, fds, "starting a worker")
        except WorkerError:
            if self.failure:
                raise
            reply = self.request(request, fds, "starting a worker")
        return int(reply["pid"])

    def wait(self, pid: int) -> int | str | None:
        """The worker's exit code (negative: its signal), ``"gone"``, or ``None`` while it runs."""
        return self.request({"op": "wait", "pid": pid}, what="asking for a worker's status")["status"]

    def kill(self, pid: int) -> int | str | None:
        """SIGKILL the worker's session and reap it; its exit code."""
        return self.request({"op": "kill", "pid": pid}, what="stopping a worker")["status"]

    def host_pid(self, sandbox_pid: int) -> int | None:
        """The host's PID of the sandbox's process ``sandbox_pid`` (a descendant of bubblewrap)."""
        parents: dict[int, int] = {}
        matches = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            fields_ = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            pid = int(entry)
            parents[pid] = int(fields_.get("PPid", "0"))
            nspids = fields_.get("NSpid", "").split()
            if nspids and int(nspids[-1]) == sandbox_pid:
                matches.append(pid)
        for pid in matches:
            ancestor = parents.get(pid, 0)
            while ancestor > 1:
                if ancestor == self.process.pid:
                    return pid
                ancestor = parents.get(ancestor, 0)
        return None

    def restart(self) -> None:
        """Stop the sandbox (every process in it dies with its PID namespace); the next spawn starts a new one."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if self.control is not None:
            self.control.close()  # the zygote exits at EOF
            self.control = None
        if self.process is not None:
            try:
                self.process.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                pass
            if self.process.poll() is None:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                try:
                    self.process.wait(timeout=5.0)
                except subprocess.TimeoutExpired:
                    pass
            self.process = None
        if self.job_dir is not None:
            shutil.rmtree(self.job_dir, ignore_errors=True)
            self.job_dir = None

    def close(self) -> None:
        """Stop the sandbox and remove its files."""
        self.restart()
