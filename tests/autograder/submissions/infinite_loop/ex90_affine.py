import numpy as np
def affine(x, weight, bias):
    while True:
        pass

def norm(x):
    return float(np.sqrt((x * x).sum()))
