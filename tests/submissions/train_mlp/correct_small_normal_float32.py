import numpy as np


def train_mlp(X, y, num_classes, hidden, epochs, lr, seed):
    f = np.float32
    rng = np.random.default_rng(seed)
    X32 = X.astype(f)
    n = X.shape[0]
    params = {
        "W1": (0.01 * rng.standard_normal((hidden, X.shape[1]))).astype(f),
        "b1": np.zeros(hidden, f),
        "W2": (0.01 * rng.standard_normal((num_classes, hidden))).astype(f),
        "b2": np.zeros(num_classes, f),
    }
    losses = np.empty(epochs, f)
    for t in range(epochs):
        z = X32 @ params["W1"].T + params["b1"]
        h = np.maximum(z, 0)
        logits = h @ params["W2"].T + params["b2"]
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        losses[t] = -np.log(p[np.arange(n), y]).mean()
        p[np.arange(n), y] -= 1
        d = p / n
        dz = (d @ params["W2"]) * (z > 0)
        grads = {"W2": d.T @ h, "b2": d.sum(0), "W1": dz.T @ X32, "b1": dz.sum(0)}
        for k in params:
            params[k] = params[k] - f(lr) * grads[k]
    return params["W1"], params["b1"], params["W2"], params["b2"], losses
