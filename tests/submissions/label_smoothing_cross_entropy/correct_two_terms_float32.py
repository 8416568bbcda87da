import numpy as np


def label_smoothing_cross_entropy(logits, labels, smoothing):
    # (1 - eps) * NLL of the true class + eps * mean over classes of -log p
    z = logits.astype(np.float32)
    n, c = z.shape
    m = z.max(axis=1, keepdims=True)
    logp = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    nll = -logp[np.arange(n), labels]
    uniform = -logp.mean(axis=1)
    loss = np.mean((1.0 - smoothing) * nll + smoothing * uniform)
    p = np.exp(logp)
    onehot = np.eye(c, dtype=np.float32)[labels]
    grad = (p - (1.0 - smoothing) * onehot - smoothing / c) / n
    return loss, grad
