# expect-verdict: wrong_answer
# expect-diagnosis: dp is -1/(N p) at every class
import numpy as np


def cross_entropy_from_probs(p, y):
    n = p.shape[0]
    return float(-np.mean(np.log(p[np.arange(n), y]))), -1.0 / (n * p)
