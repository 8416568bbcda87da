# expect-verdict: wrong_answer
# expect-diagnosis: loss is only minus the mean positive logit
import numpy as np


def infonce_loss(q, k, temperature):
    n = q.shape[0]
    logits = q @ k.T / temperature
    g = -np.eye(n) / (n * temperature)
    return float(-np.mean(np.diag(logits))), g @ k, g.T @ q
