import numpy as np


def infonce_loss(q, k, temperature):
    """Cross-entropy with labels arange(N), in float32."""
    q32, k32 = q.astype(np.float32), k.astype(np.float32)
    n = q.shape[0]
    labels = np.arange(n)
    logits = (q32 @ k32.T) / np.float32(temperature)
    logits = logits - logits.max(axis=1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    dlogits = np.exp(log_p)
    dlogits[labels, labels] -= 1
    dlogits /= n * temperature
    return -log_p[labels, labels].mean(), dlogits @ k32, dlogits.T @ q32
