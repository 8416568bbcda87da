# expect-verdict: wrong_answer
# expect-diagnosis: out is log(softmax(z))
import numpy as np


def log_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return np.log(e / e.sum(axis=-1, keepdims=True))
