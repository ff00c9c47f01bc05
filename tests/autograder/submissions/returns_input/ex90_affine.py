import numpy as np
def affine(x, weight, bias):
    return x

def norm(x):
    return float(np.sqrt((x * x).sum()))
