# expect-verdict: wrong_answer
# expect-diagnosis: has NaN or inf on large logits (exp(logits) overflows)
import numpy as np


def infonce_loss(q, k, temperature):
    with np.errstate(all="ignore"):
        n = q.shape[0]
        e = np.exp(q @ k.T / temperature)
        p = e / e.sum(axis=1, keepdims=True)
        g = (p - np.eye(n)) / (n * temperature)
        return float(-np.mean(np.log(np.diag(p)))), g @ k, g.T @ q
