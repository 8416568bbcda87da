# expect-verdict: wrong_answer
# expect-diagnosis: dx weights the row sum by the probabilities
import numpy as np


def log_softmax_backward(dy, y):
    p = np.exp(y)
    return dy - p * np.sum(dy * p, axis=-1, keepdims=True)
