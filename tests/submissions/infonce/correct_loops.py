import numpy as np


def infonce_loss(q, k, temperature):
    """One query at a time: each row is a cross-entropy with label i; accumulate the key gradients."""
    n, d = q.shape
    loss = 0.0
    dq = np.zeros((n, d))
    dk = np.zeros((n, d))
    for i in range(n):
        row = np.array([q[i] @ k[j] for j in range(n)]) / temperature
        m = row.max()
        lse = m + np.log(np.sum(np.exp(row - m)))
        loss += (lse - row[i]) / n
        p = np.exp(row - lse)
        p[i] -= 1.0
        for j in range(n):
            coef = p[j] / (n * temperature)
            dq[i] += coef * k[j]
            dk[j] += coef * q[i]
    return loss, dq, dk
