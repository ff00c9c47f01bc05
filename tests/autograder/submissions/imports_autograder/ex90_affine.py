import autograder.checks
def affine(x, weight, bias):
    return x @ weight + bias
