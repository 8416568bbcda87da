# expect-verdict: wrong_answer
# expect-diagnosis: loss is the vector of per-example losses
import numpy as np


def cross_entropy_from_probs(p, y):
    n = p.shape[0]
    rows = np.arange(n)
    dp = np.zeros_like(p)
    dp[rows, y] = -1.0 / (n * p[rows, y])
    return -np.log(p[rows, y]), dp
