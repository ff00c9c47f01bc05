"""Fixtures of the nbgrader tests: a hermetic Jupyter environment and the toy exercises.

The toy course (``toy/solutions`` + ``toy/suites``: ex95 on NumPy, ex96 on PyTorch) keeps the
end-to-end test inside its time budget; the real exercises are covered by the notebook-building
tests and by one real exercise autograded end to end.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# The toy hidden suites are data for the grader, not tests of this project.
collect_ignore = ["toy"]



@pytest.fixture(scope="session")
def jupyter_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for nbgrader subprocesses: HOME and every Jupyter/IPython folder in tmp.

    The ``python3`` kernelspec must resolve to this interpreter; ipykernel's built-in spec
    does, and where it is missing one is installed into a temporary prefix on JUPYTER_PATH.
    """
    pytest.importorskip("nbgrader", reason="the grading extra (nbgrader) is not installed")
    pytest.importorskip("ipykernel", reason="the grading extra (ipykernel) is not installed")
    root = tmp_path_factory.mktemp("jupyter")
    env = dict(os.environ)
    env.update(
        {
            "HOME": str(root / "home"),
            "JUPYTER_CONFIG_DIR": str(root / "config"),
            "JUPYTER_DATA_DIR": str(root / "data"),
            "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
            "IPYTHONDIR": str(root / "ipython"),
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
        }
    )
    for variable in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "AUTOGRADER_NBGRADER_GRADING", "AUTOGRADER_SUITES_DIR", "AUTOGRADER_SOLUTIONS_DIR"):
        env.pop(variable, None)
    (root / "home").mkdir()
    probe = "from jupyter_client.kernelspec import KernelSpecManager as M; print('python3' in M().find_kernel_specs())"
    found = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    if found.stdout.strip() != "True":
        prefix = root / "kernel-prefix"
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", "python3"], env=env, check=True, capture_output=True)
        env["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
    return env
