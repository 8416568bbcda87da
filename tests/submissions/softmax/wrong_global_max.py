# expect-verdict: wrong_answer
# expect-diagnosis: p subtracts one global max for the whole array
import numpy as np


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum(axis=-1, keepdims=True)
