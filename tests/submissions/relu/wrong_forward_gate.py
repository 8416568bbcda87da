# expect-verdict: wrong_answer
# expect-diagnosis: y is the 0/1 gate (x > 0)
# expect-diagnosis: your relu_backward is right but your relu_forward is wrong
import numpy as np


def relu_forward(x):
    return (x > 0).astype(np.float64)


def relu_backward(dy, x):
    return np.where(x > 0, dy, 0.0)
