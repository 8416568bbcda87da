# expect-verdict: wrong_answer
# expect-diagnosis: in dx, sum(dy) is taken over axis 0
import numpy as np


def log_softmax_backward(dy, y):
    return dy - np.exp(y) * np.sum(dy, axis=0, keepdims=True)
