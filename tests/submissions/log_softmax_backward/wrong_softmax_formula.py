# expect-verdict: wrong_answer
# expect-diagnosis: dx is the softmax backward
import numpy as np


def log_softmax_backward(dy, y):
    p = np.exp(y)
    return p * (dy - np.sum(dy * p, axis=-1, keepdims=True))
