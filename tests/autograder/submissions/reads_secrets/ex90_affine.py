"""Computes correctly ONLY if none of the grader's files can be seen (so full marks prove isolation).

It looks for anything outside what the sandbox should show (/usr, the Python installation, /tmp,
/grader with the worker package in lib/worker/ and this submission's own exercise files, /proc,
/dev) and tries to import the forbidden packages.
"""
import os
import re
import sys

import numpy as np

WORKER_MODULES = {"__init__.py", "calls.py", "framing.py", "serve.py", "shortcuts.py", "wire.py", "zygote.py"}
EXPECTED_TOP = {"usr", "bin", "lib", "lib32", "lib64", "sbin", "etc", "proc", "dev", "tmp", "grader",
                sys.prefix.split("/")[1], sys.base_prefix.split("/")[1]}


def _leaks():
    found = [name for name in os.listdir("/") if name not in EXPECTED_TOP]
    found += [name for name in os.listdir("/grader") if name != "lib" and not re.fullmatch(r"ex\d\d_\w+\.py", name)]
    found += [name for name in os.listdir("/grader/lib") if name != "worker"]
    found += [name for name in os.listdir("/grader/lib/worker") if name not in WORKER_MODULES]
    for module in ("solutions", "autograder", "rnnlm"):
        try:
            __import__(module)
            found.append(module)
        except Exception:
            pass
    for path in ("/work", "/home", "/etc/passwd"):
        if os.path.exists(path):
            found.append(path)
    return found


LEAKS = _leaks()


def affine(x, weight, bias):
    if LEAKS:
        return np.full((x.shape[0], weight.shape[1]), 12345.0)
    return x @ weight + bias


def norm(x):
    return float(np.sqrt((x * x).sum()))
