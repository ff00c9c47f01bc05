"""Start sandboxed workers for student code: bubblewrap, a fork server, resource limits, cgroups.

Each submission gets a bubblewrap sandbox (``bwrap``: what it sees is the Python installation,
a private ``/tmp`` and ``/grader``, which holds the worker package and the submission's own
files; never the repository). Inside, the worker package first runs as a fork server
(``ForkServer``; ``worker.zygote``): it imports NumPy and PyTorch once and forks one worker per
exercise, so a submission pays the PyTorch import once instead of once per exercise. Each worker
is put into its own cgroups before it imports any student code.

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

One concern per module, in the order a submission meets them:

- ``limits``: ``Limits``, their ``setrlimit`` values, ``WorkerError``;
- ``bwrap``: ``Sandbox``, the bubblewrap command, what ``/grader`` holds, the fixed environment;
- ``cgroups``: a worker's throw-away pids and memory cgroups (v2, else v1);
- ``forkserver``: ``ForkServer``, the grader's side of the zygote's control socket;
- ``client``: ``Worker``, the pipe client of one forked worker (requests, deadlines, death);
- ``output``: what a process printed, drained and capped.
"""

from autograder.sandbox.limits import Limits, WorkerError, resource_limits, widest
from autograder.sandbox.cgroups import Cgroup, pids_cgroup_available
from autograder.sandbox.bwrap import WORKER_ENVIRONMENT, Sandbox, bubblewrap, hidden_paths, make_job_dir
from autograder.sandbox.client import Worker
from autograder.sandbox.forkserver import CONTROL_SECONDS, ForkServer

__all__ = [
    "CONTROL_SECONDS", "WORKER_ENVIRONMENT", "Cgroup", "ForkServer", "Limits", "Sandbox", "Worker", "WorkerError",
    "bubblewrap", "hidden_paths", "make_job_dir", "pids_cgroup_available", "resource_limits", "widest",
]
