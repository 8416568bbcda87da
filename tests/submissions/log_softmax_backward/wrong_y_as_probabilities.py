# expect-verdict: wrong_answer
# expect-diagnosis: dx uses y where it needs the probabilities
import numpy as np


def log_softmax_backward(dy, y):
    return dy - y * np.sum(dy, axis=-1, keepdims=True)
