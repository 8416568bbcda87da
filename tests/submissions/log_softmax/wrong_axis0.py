# expect-verdict: wrong_answer
# expect-diagnosis: out is the log-softmax over axis 0
import numpy as np


def log_softmax(z):
    s = z - z.max(axis=0, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=0, keepdims=True))
