import math

import numpy as np


def softmax_cross_entropy(logits, labels):
    n, c = logits.shape
    total = 0.0
    d = np.zeros((n, c))
    for i in range(n):
        m = max(logits[i])
        lse = m + math.log(sum(math.exp(v - m) for v in logits[i]))
        total += lse - logits[i, labels[i]]
        for j in range(c):
            d[i, j] = math.exp(logits[i, j] - lse) / n
        d[i, labels[i]] -= 1.0 / n
    return total / n, d
