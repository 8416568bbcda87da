# expect-verdict: wrong_answer
# expect-diagnosis: out normalises over the whole array at once
import numpy as np


def log_softmax(z):
    s = z - z.max()
    return s - np.log(np.exp(s).sum())
