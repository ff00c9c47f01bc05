import numpy as np
def affine(x, weight, bias):
    result = x @ weight + bias
    x[...] = 0.0
    return result

def norm(x):
    return float(np.sqrt((x * x).sum()))
