# expect-verdict: wrong_answer
# expect-diagnosis: dp has the wrong sign
# expect-diagnosis: loss has the wrong sign
import numpy as np


def cross_entropy_from_probs(p, y):
    n = p.shape[0]
    rows = np.arange(n)
    dp = np.zeros_like(p)
    dp[rows, y] = 1.0 / (n * p[rows, y])
    return float(np.mean(np.log(p[rows, y]))), dp
