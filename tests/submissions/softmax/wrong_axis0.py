# expect-verdict: wrong_answer
# expect-diagnosis: p is the softmax over axis 0; it must be over the last axis
import numpy as np


def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
