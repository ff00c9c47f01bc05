"""Run the hidden suites with plain pytest (instructors only; the grader does not use this file).

    pytest autograder/hidden -p no:cacheprovider                       # self-check: reference vs reference
    pytest autograder/hidden --submission path/to/folder_or_zip        # one submission, in the sandbox

``submission`` is a ``SandboxedSubmission`` on the student's file (or, without ``--submission``,
the reference solution in process); ``reference`` is the reference solution in process.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser):
    parser.addoption("--submission", default=None, help="folder, .zip or .py files to grade with the hidden suites")


@pytest.fixture(scope="session")
def _loaded_submission(request):
    from autograder.submission import load_submission

    path = request.config.getoption("--submission")
    if path is None:
        yield None
        return
    submission = load_submission(Path(path))
    yield submission
    submission.cleanup()


@pytest.fixture(scope="module")
def reference(request):
    from autograder.runner import reference_for

    return reference_for(request.module.EXERCISE)


@pytest.fixture(scope="module")
def submission(request, _loaded_submission, reference):
    from autograder.oracle import SandboxedSubmission
    from autograder.sandbox import Limits, Sandbox

    module = request.module
    if _loaded_submission is None:
        yield reference
        return
    proxy = SandboxedSubmission(_loaded_submission.files.get(module.EXERCISE), module.EXERCISE, sandbox=Sandbox(),
                                limits=getattr(module, "LIMITS", Limits()), forbidden=getattr(module, "FORBIDDEN", []),
                                import_torch=getattr(module, "IMPORT_TORCH", True))
    yield proxy
    proxy.close()
