# coding: utf-8
import numpy as np
NAME = "café"
def affine(x, weight, bias):
    return x @ weight + bias
