"""Computes correctly ONLY if nothing in the environment reveals the grader (so full marks prove scrubbing)."""
import os
import numpy as np
TELLS = [k for k in os.environ if any(w in k.upper() for w in ("PYTEST", "AUTOGRADER", "GRADE", "CI", "GITHUB", "WANDB", "RNNLM", "VIRTUAL_ENV", "PYENV"))]
TELLS += [v for v in os.environ.values() if "/work/" in v or "solutions" in v]
def affine(x, weight, bias):
    if TELLS:
        return np.zeros((x.shape[0], weight.shape[1]))
    return x @ weight + bias
def norm(x):
    return float(np.sqrt((x * x).sum()))
