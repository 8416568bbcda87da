# expect-verdict: wrong_answer
# expect-diagnosis: dp is missing the 1/N
import numpy as np


def cross_entropy_from_probs(p, y):
    n = p.shape[0]
    rows = np.arange(n)
    dp = np.zeros_like(p)
    dp[rows, y] = -1.0 / p[rows, y]
    return float(-np.mean(np.log(p[rows, y]))), dp
