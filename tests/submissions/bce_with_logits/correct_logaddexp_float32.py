import numpy as np


def bce_with_logits(logits, targets):
    z = logits.astype(np.float32)
    t = targets.astype(np.float32)
    # -log sigmoid(z) = logaddexp(0, -z); -log(1 - sigmoid(z)) = logaddexp(0, z)
    per = t * np.logaddexp(0.0, -z) + (1.0 - t) * np.logaddexp(0.0, z)
    sig = np.exp(-np.logaddexp(0.0, -z))
    return per.mean(), (sig - t) / z.size
