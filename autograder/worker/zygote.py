"""The fork server inside the sandbox: import the heavy libraries once, fork one worker per exercise.

Importing PyTorch costs about 2.5 CPU-seconds, more than most exercises' checks. The sandbox
therefore runs this "zygote" first: it imports NumPy and (when asked) PyTorch, runs no student
code at all, and forks a fresh worker process for each exercise (and again after a worker had to
be killed). Each child gets its pipes from the grader over the control socket (``SCM_RIGHTS``),
its own session, its own resource limits, and its stdout/stderr on its own pipe; it waits for
the grader's ``init`` message, so the grader can put it into its cgroup before any student code
runs. Control messages are small JSON datagrams (the grader wrote them; nothing student-made
ever reaches this loop).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import sys

from .serve import serve

CONTROL_BYTES = 64 * 1024


def zygote(control_fd: int) -> int:
    """Serve fork/wait/kill requests on the control socket until the grader closes it."""
    control = socket.socket(fileno=control_fd)
    try:
        request = json.loads(control.recv(CONTROL_BYTES))
        if request.get("import_torch"):
            import torch

            torch.set_num_threads(1)
        control.send(json.dumps({"status": "ready", "pid": os.getpid()}).encode())
    except BaseException as error:  # noqa: BLE001 - report why the sandbox cannot serve, then stop
        control.send(json.dumps({"status": "error", "error": f"{type(error).__name__}: {error}"}).encode())
        return 1
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, CONTROL_BYTES, 3)
        except OSError:
            return 0
        if not message:
            return 0
        request = json.loads(message)
        if request["op"] == "fork":
            pid = os.fork()
            if pid == 0:
                control.close()
                os._exit(_forked_worker(fds, request["limits"]))
            for fd in fds:
                os.close(fd)
            reply = {"pid": pid}
        elif request["op"] == "wait":
            reply = {"status": _reap(request["pid"], blocking=False)}
        elif request["op"] == "kill":
            for kill in (os.killpg, os.kill):  # the worker's session (its own process group), then itself
                try:
                    kill(request["pid"], 9)
                except (ProcessLookupError, PermissionError):
                    pass
            reply = {"status": _reap(request["pid"], blocking=True)}
        else:
            reply = {"error": f"unknown op {request['op']!r}"}
        control.send(json.dumps(reply).encode())


def _reap(pid: int, blocking: bool):
    """Exit code of a finished child (negative: killed by that signal), ``None`` while it runs."""
    try:
        done, status = os.waitpid(pid, 0 if blocking else os.WNOHANG)
    except ChildProcessError:
        return "gone"
    return os.waitstatus_to_exitcode(status) if done else None


def _forked_worker(fds: list[int], limits: dict) -> int:
    """In the forked child: own session, own output pipe, own limits, then ``serve``."""
    read_fd, write_fd, output_fd = fds
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    for name, (soft, hard) in limits.items():  # lowering only: the sandbox has no capability to raise them
        resource.setrlimit(getattr(resource, name), (soft, hard))
    try:
        code = serve(read_fd, write_fd)
    except BaseException:  # noqa: BLE001 - the grader saw the pipe close; nothing else to say
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - student code may have replaced or closed them
            pass
    return code


def main() -> int:
    """Entry point in the sandbox: ``zygote`` on the control socket whose descriptor is ``argv[1]``.

    Student code runs in forks of this process, and a submission may look for the grader's modules
    in ``sys.modules`` to clear or patch them: the worker's own modules are taken out of it first
    (their functions keep their globals), so such a search finds nothing, as when the worker was
    one script run as ``__main__``.
    """
    package = __name__.rpartition(".")[0]
    for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
        del sys.modules[name]
    return zygote(int(sys.argv[1]))
