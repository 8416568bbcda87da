# expect-verdict: wrong_answer
# expect-diagnosis: dp is missing the 1/p
import numpy as np


def cross_entropy_from_probs(p, y):
    n = p.shape[0]
    onehot = np.eye(p.shape[1])[y]
    return float(-np.mean(np.log(p[np.arange(n), y]))), -onehot / n
