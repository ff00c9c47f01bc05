"""The bubblewrap command: what a sandboxed worker sees, and the fixed environment it gets.

``bwrap`` (https://github.com/containers/bubblewrap) with every namespace unshared (no network,
no view of other processes, its own hostname), all capabilities dropped, and death with the
grader. Visible: ``/usr`` and the Python installation read-only, a private ``/tmp`` (a tmpfs of
bounded size), a fresh ``/proc`` and ``/dev``, and ``/grader`` (read-only): the worker package
in ``/grader/lib/worker/`` and the submission's own exercise files. The repository
(``solutions/``, ``autograder/``, ``tests/``) is never bound, and where it lies inside a bound
directory (a non-editable install in site-packages) it is masked by an empty tmpfs.

Without bubblewrap the same command runs Python as a plain subprocess, and a loud warning says
that the student's code can then read the solutions and hidden tests.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import site
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from autograder import worker
from autograder.sandbox.cgroups import pids_cgroup_available
from autograder.sandbox.limits import Limits

WORKER_PACKAGE = Path(worker.__file__).resolve().parent
"""The worker's modules (``autograder/worker/*.py``): the only grader code the sandbox receives."""
PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPOSITORY = PACKAGE_DIR.parent
LAUNCH_ZYGOTE = "import sys; sys.path.insert(0, {lib!r}); from worker.zygote import main; sys.exit(main())"
"""Python's ``-c`` code that starts the fork server from ``lib/worker/`` (argv[1]: the control socket)."""

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


def make_job_dir(files: dict[str, Path]) -> Path:
    """A new folder to bind as ``/grader``: the worker package in ``lib/worker/`` and ``<exercise>.py`` per file.

    Args:
        files: the submission's files by exercise name.
    """
    job_dir = Path(tempfile.mkdtemp(prefix="autograder-job-"))
    package = job_dir / "lib" / "worker"
    package.mkdir(parents=True)
    for module in sorted(WORKER_PACKAGE.glob("*.py")):  # sources only: no __pycache__ of the grader's
        shutil.copyfile(module, package / module.name)
    for exercise, path in files.items():
        shutil.copyfile(path, job_dir / f"{exercise}.py")
    for directory in (job_dir, job_dir / "lib", package):
        os.chmod(directory, 0o755)
    return job_dir


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
                command = self.command(Path(job_dir), Limits(), ["-c", "import sys"])
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

    def grader_dir(self, job_dir: Path) -> str:
        """Where the worker finds ``job_dir``: ``/grader`` in bubblewrap, the folder itself otherwise."""
        return "/grader" if self.bwrap else str(job_dir)

    def zygote_command(self, job_dir: Path, limits: Limits, control_fd: int) -> list[str]:
        """The argv that starts the fork server of ``job_dir`` (``make_job_dir``) on the socket ``control_fd``."""
        launch = LAUNCH_ZYGOTE.format(lib=f"{self.grader_dir(job_dir)}/lib")
        return self.command(job_dir, limits, ["-c", launch, str(control_fd)])

    def command(self, job_dir: Path, limits: Limits, arguments: list[str]) -> list[str]:
        """The argv that runs ``python ARGUMENTS`` with ``job_dir`` bound at ``/grader`` (bubblewrap) or not."""
        python = [str(Path(sys.executable).resolve()), "-s", "-B"] + (["-P"] if sys.version_info >= (3, 11) else [])
        if self.bwrap is None:
            return python + arguments
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
        return args + python + arguments


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
