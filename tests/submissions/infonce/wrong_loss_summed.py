# expect-verdict: wrong_answer
# expect-diagnosis: loss is summed over the rows
# expect-diagnosis: your gradient is right but your loss value is wrong
import numpy as np


def infonce_loss(q, k, temperature):
    n = q.shape[0]
    logits = q @ k.T / temperature
    logits = logits - logits.max(axis=1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    g = (np.exp(log_p) - np.eye(n)) / (n * temperature)
    return float(-np.sum(np.diag(log_p))), g @ k, g.T @ q
