import numpy as np
def affine(x, weight, bias):
    raise ValueError("boom")

def norm(x):
    return float(np.sqrt((x * x).sum()))
