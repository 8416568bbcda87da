# expect-verdict: wrong_answer
# expect-diagnosis: relu_forward modified its input x in place
import numpy as np


def relu_forward(x):
    x[x < 0] = 0.0
    return x


def relu_backward(dy, x):
    return np.where(x > 0, dy, 0.0)
