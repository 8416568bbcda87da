# expect-verdict: wrong_answer
# expect-diagnosis: out subtracts one global max for the whole array
import numpy as np


def log_softmax(z):
    s = z - z.max()
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
