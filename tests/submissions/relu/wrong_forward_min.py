# expect-verdict: wrong_answer
# expect-diagnosis: y keeps the negative values and zeroes the positive ones
import numpy as np


def relu_forward(x):
    return np.minimum(x, 0.0)


def relu_backward(dy, x):
    return np.where(x > 0, dy, 0.0)
