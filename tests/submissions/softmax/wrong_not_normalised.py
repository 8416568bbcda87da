# expect-verdict: wrong_answer
# expect-diagnosis: p is not normalised
import numpy as np


def softmax(z):
    return np.exp(z - z.max(axis=-1, keepdims=True))
