# expect-verdict: wrong_answer
# expect-diagnosis: losses has one entry too many
import numpy as np


def train_mlp(X, y, num_classes, hidden, epochs, lr, seed):
    rng = np.random.default_rng(seed)
    n, d = X.shape
    W1 = rng.standard_normal((hidden, d)) * np.sqrt(2.0 / d)
    b1 = np.zeros(hidden)
    W2 = rng.standard_normal((num_classes, hidden)) * np.sqrt(2.0 / hidden)
    b2 = np.zeros(num_classes)
    onehot = np.eye(num_classes)[y]
    losses = np.zeros(epochs + 1)
    for t in range(epochs):
        z = X @ W1.T + b1
        h = np.maximum(z, 0)
        logits = h @ W2.T + b2
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        losses[t] = -(onehot * logp).sum() / n
        dlogits = (np.exp(logp) - onehot) / n
        dW2 = dlogits.T @ h
        db2 = dlogits.sum(axis=0)
        dz = (dlogits @ W2) * (z > 0)
        dW1 = dz.T @ X
        db1 = dz.sum(axis=0)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    logits = np.maximum(X @ W1.T + b1, 0) @ W2.T + b2
    logp = logits - logits.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    losses[-1] = -(onehot * logp).sum() / n
    return W1, b1, W2, b2, losses
