import numpy as np

def norm(x):
    return float(np.sqrt((x * x).sum()))
