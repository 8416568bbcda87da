# expect-verdict: wrong_answer
# expect-diagnosis: p holds log-probabilities
import numpy as np


def softmax(z):
    s = z - z.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
