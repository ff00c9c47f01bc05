"""Start sandboxed workers for student code: bubblewrap, a fork server, resource limits, cgroups.

What the sandbox sees (``bwrap``, https://github.com/containers/bubblewrap): ``/usr`` and the
Python installation read-only, a private ``/tmp`` (tmpfs of bounded size), ``/grader`` holding
``worker.py`` and the submission's own exercise files, a fresh ``/proc`` and ``/dev``; every
namespace unshared (no network, no view of other processes, its own hostname), all capabilities
dropped, and it dies with the grader. The repository (``solutions/``, ``autograder/hidden/``,
``tests/``) is never bound, and where it lies inside a bound directory (a non-editable install
in site-packages) it is masked by an empty tmpfs. The environment is replaced by a fixed, minimal
one, so nothing tells the worker who grades it.

Inside, ``worker.py`` first runs as a fork server (``ForkServer``; ``worker.zygote``): it imports
NumPy and PyTorch once and forks one worker per exercise, so a submission pays the PyTorch import
once instead of once per exercise. Each worker is put into its own cgroups before it imports any
student code.

Limits (``Limits``): wall time per call and for start-up (enforced by the grader, which kills the
worker), CPU seconds (``RLIMIT_CPU``), address space (``RLIMIT_AS``), file size
(``RLIMIT_FSIZE``) and output kept (the grader drains and caps stdout/stderr). Processes: a
``pids`` cgroup (v1 or v2) when the grader may create one; otherwise ``RLIMIT_NPROC``, which
Linux ignores for root (measured: a root fork bomb is stopped only by the pids cgroup or by the
kill of the whole PID namespace; see docs/grading.md). A ``memory`` cgroup, when available, also
caps the sum over the worker's processes. Without a pids cgroup every exercise gets a sandbox of
its own, stopped with its worker when that worker has to be killed.

Without bubblewrap the fork server runs as a plain subprocess with the same limits and
environment, and a loud warning says that the student's code can then read the solutions and
hidden tests.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import select
import shutil
import signal
import site
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path

from autograder import worker as wire

WORKER_SOURCE = Path(wire.__file__).resolve()
PACKAGE_DIR = Path(__file__).resolve().parent
REPOSITORY = PACKAGE_DIR.parent


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


def bubblewrap() -> str | None:
    """Path of the ``bwrap`` executable, or ``None`` where bubblewrap is not installed."""
    return shutil.which("bwrap")


def _python_roots() -> list[Path]:
    """Directories the worker's Python needs: the prefixes and wherever torch/numpy live."""
    candidates = {Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).resolve().parent.parent}
    candidates.update(Path(p) for p in site.getsitepackages())
    for name in ("numpy", "torch"):
        spec = importlib.util.find_spec(name)  # locate without importing (torch takes seconds)
        if spec is not None and spec.origin:
            candidates.add(Path(spec.origin).resolve().parent.parent)
    roots = sorted({p.resolve() for p in candidates if p.exists()}, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for root in roots:
        if root == Path("/usr") or Path("/usr") in root.parents:
            continue
        if not any(parent == root or parent in root.parents for parent in kept):
            kept.append(root)
    return kept


def hidden_paths(extra: list[Path] | None = None) -> list[Path]:
    """What the worker must never see: the autograder package, solutions and the tests."""
    paths = [PACKAGE_DIR, REPOSITORY / "solutions", REPOSITORY / "tests", REPOSITORY / "autograder"]
    return [p.resolve() for p in paths + list(extra or []) if p.exists()]


_VERIFIED: dict = {}
"""Outcome of each sandbox configuration's self-test in this process (True, or the error)."""


@dataclass
class Sandbox:
    """How workers are started: bubblewrap (default when installed) or a plain subprocess."""

    use_bwrap: bool | None = None
    """True: require bubblewrap; False: plain subprocess; None: bubblewrap when installed."""
    hide: list[Path] = field(default_factory=list)
    """Extra host paths to mask (the solutions folder given on the command line, for example)."""

    def __post_init__(self):
        found = bubblewrap()
        if self.use_bwrap and not found:
            raise RuntimeError("bubblewrap (bwrap) is not installed: install the 'bubblewrap' package")
        self.bwrap = found if self.use_bwrap in (None, True) else None
        if self.bwrap is not None:
            self._self_test()
        if self.bwrap is None:
            warnings.warn(
                "autograder: bubblewrap is not available; student code runs in a plain subprocess "
                "and CAN READ the solutions and hidden tests. Install bubblewrap before grading.",
                RuntimeWarning,
                stacklevel=2,
            )

    def _self_test(self) -> None:
        """Start Python once in the sandbox, so a broken bubblewrap fails loudly, not as zeros for everyone."""
        key = (self.bwrap, tuple(self.hide))
        if key not in _VERIFIED:
            with tempfile.TemporaryDirectory(prefix="autograder-selftest-") as job_dir:
                command = self.command(Path(job_dir), Limits(), [])[:-1] + ["-c", "import sys"]
                try:
                    completed = subprocess.run(command, capture_output=True, env=dict(WORKER_ENVIRONMENT), timeout=120,
                                               stdin=subprocess.DEVNULL)
                    _VERIFIED[key] = completed.returncode == 0 or completed.stderr.decode(errors="replace")[-500:]
                except (OSError, subprocess.TimeoutExpired) as error:
                    _VERIFIED[key] = str(error)
        if _VERIFIED[key] is not True:
            raise RuntimeError(f"bubblewrap is installed but cannot start a sandbox here ({_VERIFIED[key]!s}); "
                               "enable unprivileged user namespaces or run the grader as root, or pass --no-sandbox "
                               "to grade UNSAFELY")

    @property
    def contains_processes(self) -> bool:
        """Whether each worker gets a pids cgroup, so a kill reaches every process it started.

        Then one fork server serves all exercises of a submission; without it, each exercise gets
        its own sandbox, so that killing a runaway exercise (its PID namespace) spares the others.
        """
        if not hasattr(self, "_contains_processes"):
            self._contains_processes = pids_cgroup_available()
        return self._contains_processes

    @property
    def description(self) -> str:
        """One line for reports: which isolation graded this submission."""
        return "bubblewrap" if self.bwrap else "subprocess (files NOT hidden: bubblewrap missing)"

    def command(self, job_dir: Path, limits: Limits, arguments: list[str]) -> list[str]:
        """The argv that runs ``job_dir/worker.py ARGUMENTS`` (``job_dir`` is ``/grader`` inside the sandbox)."""
        python = [str(Path(sys.executable).resolve()), "-s", "-B"] + (["-P"] if sys.version_info >= (3, 11) else [])
        if self.bwrap is None:
            return python + [str(job_dir / "worker.py"), *arguments]
        args = [self.bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
        if os.geteuid() == 0:
            args += ["--cap-drop", "ALL"]
        args += ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "lib", "lib32", "lib64", "sbin"):
            path = Path("/") / name
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                args += ["--ro-bind", str(path), str(path)]
        args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
        roots = _python_roots()
        for root in roots:
            args += ["--ro-bind", str(root), str(root)]
        for secret in hidden_paths(self.hide):
            if any(root == secret or root in secret.parents for root in roots):
                args += ["--tmpfs", str(secret)] if secret.is_dir() else ["--ro-bind", "/dev/null", str(secret)]
        size = ["--size", str(limits.file_bytes)] if _supports_tmpfs_size(self.bwrap) else []  # bwrap >= 0.7
        args += ["--proc", "/proc", "--dev", "/dev", *size, "--tmpfs", "/tmp"]
        args += ["--ro-bind", str(job_dir), "/grader", "--chdir", "/tmp"]
        return args + python + ["/grader/worker.py", *arguments]


def _supports_tmpfs_size(bwrap: str) -> bool:
    """Whether this bubblewrap can bound a tmpfs (``--size``); older ones get RLIMIT_FSIZE only."""
    if bwrap not in _TMPFS_SIZE:
        try:
            help_text = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            help_text = ""
        _TMPFS_SIZE[bwrap] = "--size" in help_text
    return _TMPFS_SIZE[bwrap]


_TMPFS_SIZE: dict[str, bool] = {}

WORKER_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONNOUSERSITE": "1",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONUNBUFFERED": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}
"""The worker's whole environment: fixed, so it reveals nothing about the grader or the host."""


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
        self.output = _Output(limits.output_bytes)
        self.failure: str | None = None
        self.zygote_pid: int | None = None
        self._lock = threading.Lock()

    def module_path(self, exercise: str) -> str:
        """Where the worker finds the student's file of ``exercise``."""
        return f"{'/grader' if self.sandbox.bwrap else self.job_dir}/{exercise}.py"

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
        self.job_dir = Path(tempfile.mkdtemp(prefix="autograder-job-"))
        shutil.copyfile(WORKER_SOURCE, self.job_dir / "worker.py")
        for exercise, path in self.files.items():
            shutil.copyfile(path, self.job_dir / f"{exercise}.py")
        os.chmod(self.job_dir, 0o755)
        grader_end, sandbox_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = self.sandbox.command(self.job_dir, self.limits, [str(sandbox_end.fileno())])
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


class _Output:
    """What a process printed, drained by a thread and capped (the rest is counted, not kept)."""

    def __init__(self, limit: int):
        self.limit, self.kept, self.total = limit, bytearray(), 0

    def drain(self, stream) -> None:
        """Read ``stream`` (a binary file object) to its end in a daemon thread, then close it."""
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        with stream:
            while True:
                chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
                if not chunk:
                    return
                self.total += len(chunk)
                room = self.limit - len(self.kept)
                if room > 0:
                    self.kept += chunk[:room]

    def text(self) -> str:
        """The kept output, with a note of how much was dropped."""
        text = bytes(self.kept).decode("utf-8", "replace")
        if self.total > len(self.kept):
            text += f"\n... [{self.total - len(self.kept)} more bytes of output dropped]"
        return text


class Worker:
    """One forked worker serving one exercise of one submission (request/reply over pipes)."""

    def __init__(self, server: ForkServer, exercise: str, limits: Limits, init: dict):
        self.server, self.exercise, self.limits, self.init = server, exercise, limits, init
        self.pid: int | None = None
        self.cgroup: Cgroup | None = None
        self.to_worker: int | None = None
        self.from_worker: int | None = None
        self.output = _Output(limits.output_bytes)
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
        """Send one message and wait at most ``timeout`` seconds for the reply."""
        try:
            self._send(wire.pack(header, arrays), timeout)
            data = self._receive(timeout, what)
        except WorkerError:
            self.close(grace_seconds=0.0)
            raise
        try:
            return wire.unpack(data)
        except wire.ProtocolError as error:
            self.close(grace_seconds=0.0)
            raise WorkerError(f"the worker's reply was corrupted ({error}); did your code write to file descriptors "
                              "it does not own?", "protocol") from None

    def _send(self, message: bytes, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        view = memoryview(message)
        while view:
            _, ready, _ = select.select([], [self.to_worker], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise WorkerError("timed out while sending the inputs", "timeout")
            try:
                sent = os.write(self.to_worker, view[: 1 << 16])
            except (BrokenPipeError, OSError):
                raise WorkerError(self._death_message(), "died") from None
            view = view[sent:]

    def _receive(self, timeout: float, what: str) -> bytes:
        deadline = time.monotonic() + timeout
        buffer = bytearray()
        needed = 8
        length_known = False
        while len(buffer) < needed:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.from_worker], [], [], max(0.0, remaining))
            if not ready:
                raise WorkerError(f"timed out after {timeout:g} s while {what}", "timeout")
            chunk = os.read(self.from_worker, min(1 << 20, needed - len(buffer)))
            if not chunk:
                raise WorkerError(self._death_message(), "died")
            buffer += chunk
            if not length_known and len(buffer) >= 8:
                length = int.from_bytes(buffer[:8], "big")
                if length > wire.MAX_MESSAGE_BYTES:
                    raise WorkerError(f"the worker sent a reply of {length} bytes (limit {wire.MAX_MESSAGE_BYTES})", "protocol")
                needed, length_known = 8 + length, True
        return bytes(buffer[8:])

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
