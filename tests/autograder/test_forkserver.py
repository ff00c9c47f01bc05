"""The fork server: one sandbox imports the libraries once and forks a confined worker per exercise.

Checked here in the real sandbox: every worker lands in its own pids cgroup before student code
runs, workers of one submission are separate processes (a module's monkeypatching never reaches
another exercise), a killed worker is replaced by a fresh fork, and, where no pids cgroup can be
made, each exercise gets a sandbox of its own that is restarted after a kill.
"""

from __future__ import annotations

import pytest

from autograder.sandbox import client as client_module
from autograder.oracle import BLOCKED_MODULES
from autograder.runner import grade_submission
from autograder.sandbox import ForkServer, Limits, widest
from autograder.submission import load_submission

from tests.support.grading_toy import SUBMISSIONS, TOY_SOLUTIONS

pytestmark = pytest.mark.sandbox

INIT = {"op": "init", "forbidden": [], "blocked_modules": BLOCKED_MODULES, "import_torch": False}


def test_widest_takes_each_limit_from_the_largest():
    merged = widest([Limits(call_seconds=3, processes=64), Limits(cpu_seconds=500, processes=8)])
    assert merged.call_seconds == Limits().call_seconds  # 20 > 3
    assert merged.processes == 64 and merged.cpu_seconds == 500


def test_worker_is_in_its_own_cgroup_before_it_imports(sandbox):
    if not sandbox.contains_processes:
        pytest.skip("no pids cgroup can be created here")
    server = ForkServer(sandbox, {"ex91_scale": TOY_SOLUTIONS / "ex91_scale.py"}, Limits(), import_torch=False)
    try:
        first = server.spawn("ex91_scale", Limits(processes=7), INIT)
        second = server.spawn("ex91_scale", Limits(processes=9), INIT)
        assert first.first_reply["status"] == "ready" and first.functions == ["scale"]
        assert first.pid != second.pid
        for worker, cap in ((first, "7"), (second, "9")):
            host_pid = server.host_pid(worker.pid)
            pids_dir = next(d for d in worker.cgroup.directories if d.parent.name == "pids")
            assert (pids_dir / "pids.max").read_text().strip() == cap
            assert str(host_pid) in (pids_dir / "cgroup.procs").read_text().split()
        directories = list(first.cgroup.directories)
        first.close()
        assert not any(d.exists() for d in directories)
        assert server.wait(second.pid) is None  # closing one worker leaves the other running
        second.close()
        assert second.status == 0  # it exited by itself at EOF, and was reaped
    finally:
        server.close()
    assert server.job_dir is None and server.process is None


def _patching_submission(tmp_path):
    """ex90 patches numpy at import (and is correct); ex91 relies on the real numpy."""
    (tmp_path / "ex90_affine.py").write_text(
        "import numpy as np\n"
        "real_sqrt = np.sqrt\n"
        "np.sqrt = lambda x: 0.0\n"
        "def affine(x, weight, bias):\n    return x @ weight + bias\n"
        "def norm(x):\n    return float(real_sqrt((x * x).sum()))\n")
    (tmp_path / "ex91_scale.py").write_text(
        "import numpy as np\n"
        "def scale(values, factor):\n"
        "    assert np.sqrt(4.0) == 2.0, 'numpy was patched by another exercise'\n"
        "    return [v * factor for v in values]\n")
    return load_submission(tmp_path, "patcher")


def test_exercises_of_one_submission_do_not_share_a_process(sandbox, toy_suites, tmp_path):
    submission = _patching_submission(tmp_path)
    try:
        for jobs in (1, 2):
            result = grade_submission(submission, toy_suites, sandbox=sandbox, solutions_dir=TOY_SOLUTIONS, jobs=jobs)
            assert result["score"] == result["max_score"] == 5.0, result["exercises"]
    finally:
        submission.cleanup()


class _NoCgroup:
    """Stands in for ``Cgroup`` where the grader may not create cgroups."""

    controllers: list = []
    directories: list = []
    procs_files: list = []

    def __init__(self, limits):
        pass

    def kill_and_remove(self):
        pass


def test_without_pids_cgroup_each_exercise_has_its_own_sandbox(sandbox, toy_suites, monkeypatch):
    monkeypatch.setattr(client_module, "Cgroup", _NoCgroup)  # where Worker creates its cgroups
    monkeypatch.setattr(sandbox, "_contains_processes", False)
    started = []
    original = ForkServer._start

    def counting_start(self):
        started.append(sorted(self.files))
        original(self)

    monkeypatch.setattr(ForkServer, "_start", counting_start)
    submission = load_submission([SUBMISSIONS / "infinite_loop", TOY_SOLUTIONS / "ex91_scale.py"], "loop")
    try:
        result = grade_submission(submission, toy_suites, sandbox=sandbox, solutions_dir=TOY_SOLUTIONS, jobs=2)
    finally:
        submission.cleanup()
    affine = result["exercises"]["ex90_affine"]
    assert affine["score"] == 1.0, affine  # both affine() tests time out; norm() runs in a fresh sandbox
    assert "timed out" in affine["tests"][0]["output"] and "timed out" in affine["tests"][1]["output"]
    assert result["exercises"]["ex91_scale"]["score"] == 1.0
    # ex90: each timed-out test stopped its sandbox with the runaway worker; a third one served norm()
    assert started.count(["ex90_affine"]) == 3 and started.count(["ex91_scale"]) == 1, started


def test_a_killed_zygote_is_replaced_for_the_next_worker(sandbox):
    import os
    import signal

    server = ForkServer(sandbox, {"ex91_scale": TOY_SOLUTIONS / "ex91_scale.py"}, Limits(), import_torch=False)
    try:
        first = server.spawn("ex91_scale", Limits(), INIT)
        first.close()
        old_sandbox = server.process.pid
        os.kill(server.host_pid(server.zygote_pid), signal.SIGKILL)  # what a worker could do to it
        second = server.spawn("ex91_scale", Limits(), INIT)
        assert second.first_reply["status"] == "ready"
        assert server.process.pid != old_sandbox
        second.close()
    finally:
        server.close()
