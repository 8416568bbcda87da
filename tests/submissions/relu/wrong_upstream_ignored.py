# expect-verdict: wrong_answer
# expect-diagnosis: dx ignores the upstream gradient dy
import numpy as np


def relu_forward(x):
    return np.maximum(x, 0.0)


def relu_backward(dy, x):
    return (x > 0).astype(np.float64)
