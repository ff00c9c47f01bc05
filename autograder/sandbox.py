"""Start a student worker process in a bubblewrap sandbox, with resource limits.

What the worker sees (``bwrap``, https://github.com/containers/bubblewrap): ``/usr`` and the
Python installation read-only, a private ``/tmp`` (tmpfs of bounded size), ``/grader`` holding
only ``worker.py`` and the one student file being graded, a fresh ``/proc`` and ``/dev``; every
namespace unshared (no network, no view of other processes, its own hostname), all capabilities
dropped, and it dies with the grader. The repository (``solutions/``, ``autograder/hidden/``,
``tests/``) is never bound, and where it lies inside a bound directory (a non-editable install
in site-packages) it is masked by an empty tmpfs. The environment is replaced by a fixed, minimal
one, so nothing tells the worker who grades it.

Limits (``Limits``): wall time per call and for start-up (enforced by the grader, which kills the
whole sandbox), CPU seconds (``RLIMIT_CPU``), address space (``RLIMIT_AS``), file size
(``RLIMIT_FSIZE``) and output kept (the grader drains and caps stdout/stderr). Processes: a
``pids`` cgroup (v1 or v2) when the grader may create one; otherwise ``RLIMIT_NPROC``, which
Linux ignores for root (measured: a root fork bomb is stopped only by the pids cgroup or by the
wall-time kill of the whole PID namespace; see docs/grading.md). A ``memory`` cgroup, when
available, also caps the sum over the worker's processes.

Without bubblewrap the worker runs as a plain subprocess with the same limits and environment,
and a loud warning says that the student's code can then read the solutions and hidden tests.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import select
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field
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
    """Wall time to start Python, import torch and import the student's module."""
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
                command = self.command(Path(job_dir), Limits(), 0, 1)[:-3] + ["-c", "import sys"]
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
    def description(self) -> str:
        """One line for reports: which isolation graded this submission."""
        return "bubblewrap" if self.bwrap else "subprocess (files NOT hidden: bubblewrap missing)"

    def command(self, job_dir: Path, limits: Limits, read_fd: int, write_fd: int) -> list[str]:
        """The argv that starts ``worker.py`` on the given pipe ends."""
        python = [str(Path(sys.executable).resolve()), "-s", "-B"] + (["-P"] if sys.version_info >= (3, 11) else [])
        if self.bwrap is None:
            return python + [str(job_dir / "worker.py"), str(read_fd), str(write_fd)]
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
        return args + python + ["/grader/worker.py", str(read_fd), str(write_fd)]


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


class Worker:
    """One sandboxed worker serving one exercise of one submission (request/reply over pipes)."""

    def __init__(self, sandbox: Sandbox, student_file: Path, exercise: str, limits: Limits, init: dict):
        self.sandbox, self.student_file, self.exercise, self.limits, self.init = sandbox, student_file, exercise, limits, init
        self.process: subprocess.Popen | None = None
        self.output = bytearray()
        self.output_total = 0
        self.functions: list[str] = []
        self.calls = 0
        self.started = time.monotonic()

    def start(self) -> dict:
        """Start the worker and import the student module; return the worker's first reply."""
        self.job_dir = Path(tempfile.mkdtemp(prefix="autograder-job-"))
        shutil.copyfile(WORKER_SOURCE, self.job_dir / "worker.py")
        module_path = self.job_dir / f"{self.exercise}.py"
        shutil.copyfile(self.student_file, module_path)
        os.chmod(self.job_dir, 0o755)
        to_worker_read, to_worker_write = os.pipe()
        from_worker_read, from_worker_write = os.pipe()
        self.cgroup = Cgroup(self.limits)
        command = self.sandbox.command(self.job_dir, self.limits, to_worker_read, from_worker_write)
        procs = [os.open(p, os.O_WRONLY) for p in self.cgroup.procs_files]
        limits = self.limits
        root = os.geteuid() == 0

        def confine() -> None:  # runs in the child between fork and exec: system calls only
            for fd in procs:
                os.write(fd, str(os.getpid()).encode())
            resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            if not root:
                resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))

        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(to_worker_read, from_worker_write),
                env=dict(WORKER_ENVIRONMENT),
                cwd=self.job_dir if self.sandbox.bwrap is None else "/",
                preexec_fn=confine,
                start_new_session=True,
            )
        finally:
            for fd in procs + [to_worker_read, from_worker_write]:
                os.close(fd)
        self.to_worker = to_worker_write
        self.from_worker = from_worker_read
        threading.Thread(target=self._drain, daemon=True).start()
        local_path = "/grader" if self.sandbox.bwrap else str(self.job_dir)
        init = dict(self.init, module_path=f"{local_path}/{self.exercise}.py", exercise=self.exercise)
        header, _ = self.request(init, {}, self.limits.start_seconds, what="starting Python and importing your module")
        self.functions = list(header.get("functions", [])) if type(header.get("functions")) is list else []
        return header

    def _drain(self) -> None:
        """Read the worker's stdout/stderr to the end, keeping at most ``output_bytes``."""
        stream = self.process.stdout
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                return
            self.output_total += len(chunk)
            room = self.limits.output_bytes - len(self.output)
            if room > 0:
                self.output += chunk[:room]

    def printed(self) -> str:
        """What the student's code printed (capped), for feedback."""
        text = bytes(self.output).decode("utf-8", "replace")
        if self.output_total > len(self.output):
            text += f"\n... [{self.output_total - len(self.output)} more bytes of output dropped]"
        return text

    def request(self, header: dict, arrays: dict, timeout: float, what: str) -> tuple[dict, dict]:
        """Send one message and wait at most ``timeout`` seconds for the reply."""
        self.calls += 1
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

    def _death_message(self) -> str:
        status = None
        if self.process is not None:
            try:
                status = self.process.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                status = None
        if status is not None and status < 0:
            name = signal.Signals(-status).name if -status in signal.Signals._value2member_map_ else str(-status)
            reason = {"SIGXCPU": "it used up its CPU time", "SIGKILL": "it was killed (memory or process limit?)",
                      "SIGXFSZ": "it wrote a file larger than the limit"}.get(name, f"signal {name}")
            return f"the worker stopped: {reason}"
        tail = self.printed().strip().splitlines()[-3:]
        last = ("; its last output: " + " | ".join(line[:200] for line in tail)) if tail else ""
        return (f"the worker process exited (status {status}) before answering: does your module call "
                f"sys.exit/os._exit, or exhaust a limit?{last}")

    def close(self, grace_seconds: float = 1.0) -> None:
        """End the worker (EOF first, so an idle worker exits and is accounted), kill what remains, remove its files."""
        if self.process is not None and self.process.poll() is None and getattr(self, "to_worker", None) is not None:
            os.close(self.to_worker)
            self.to_worker = None
            try:
                self.process.wait(timeout=grace_seconds)
            except subprocess.TimeoutExpired:
                pass
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        cgroup = getattr(self, "cgroup", None)
        if cgroup is not None:
            cgroup.kill_and_remove()
        if self.process is not None:
            try:
                self.process.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                pass
            self.process = None
        for fd_name in ("to_worker", "from_worker"):
            fd = getattr(self, fd_name, None)
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
                setattr(self, fd_name, None)
        job_dir = getattr(self, "job_dir", None)
        if job_dir is not None:
            shutil.rmtree(job_dir, ignore_errors=True)
            self.job_dir = None

    @property
    def alive(self) -> bool:
        """Whether the worker process is still running."""
        return self.process is not None and self.process.poll() is None
