# expect-verdict: wrong_answer
# expect-diagnosis: dx is dy unchanged
import numpy as np


def log_softmax_backward(dy, y):
    return dy.copy()
