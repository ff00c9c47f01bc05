import numpy as np
def affine(x, weight, bias):
    while True:
        print("spam " * 100)

def norm(x):
    return float(np.sqrt((x * x).sum()))
