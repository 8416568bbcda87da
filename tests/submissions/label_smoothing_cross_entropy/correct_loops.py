import math

import numpy as np


def label_smoothing_cross_entropy(logits, labels, smoothing):
    n, c = logits.shape
    total = 0.0
    grad = np.zeros((n, c))
    for i in range(n):
        row = [float(v) for v in logits[i]]
        m = max(row)
        lse = m + math.log(sum(math.exp(v - m) for v in row))
        for k in range(c):
            q = smoothing / c + (1.0 - smoothing if k == labels[i] else 0.0)
            logp = row[k] - lse
            total -= q * logp
            grad[i, k] = (math.exp(logp) - q) / n
    return total / n, grad
