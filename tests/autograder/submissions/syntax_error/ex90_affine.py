def affine(x, weight, bias) return x @ weight + bias
