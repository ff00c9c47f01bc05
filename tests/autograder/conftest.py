"""Fixtures of the autograder's tests: the toy exercises and the real sandbox.

Where bubblewrap is missing or unusable, the sandboxed tests are skipped with the reason, unless
``AUTOGRADER_REQUIRE_SANDBOX=1`` (set by ``.ci/run`` once bubblewrap is installed): then they fail,
so CI cannot pass without grading in the real sandbox.
"""

from __future__ import annotations

import os

import pytest

from tests.support.grading_toy import SUBMISSIONS, TOY_SOLUTIONS, TOY_SUITES  # noqa: F401 (fixtures use them)


@pytest.fixture(scope="session")
def sandbox():
    """The real bubblewrap sandbox (see the module docstring for where it is missing)."""
    from autograder.sandbox import Sandbox, bubblewrap

    give_up = pytest.fail if os.environ.get("AUTOGRADER_REQUIRE_SANDBOX") == "1" else pytest.skip
    if bubblewrap() is None:
        give_up("bubblewrap (bwrap) is not installed")
    try:
        return Sandbox(use_bwrap=True)
    except RuntimeError as error:  # installed but unusable here (no user namespaces): say why
        give_up(str(error))


@pytest.fixture(scope="session")
def toy_suites():
    """The two toy suites (NumPy only, so their workers start in well under a second)."""
    from autograder.runner import load_suites

    return load_suites(TOY_SUITES)
collect_ignore_glob = ["toy/*"]  # the toy suites are data for the grader, not tests of this folder
