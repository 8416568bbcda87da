# expect-verdict: wrong_answer
# expect-diagnosis: out holds probabilities (softmax)
import numpy as np


def log_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
