import numpy as np


def residual_block_forward(x, W1, b1, W2, b2):
    x = x.astype(np.float32)
    N, D = x.shape
    Hd = W1.shape[0]
    y = np.zeros((N, D), dtype=np.float32)
    for n in range(N):
        a = np.zeros(Hd, dtype=np.float32)
        for j in range(Hd):
            a[j] = max(0.0, float(np.dot(W1[j], x[n]) + b1[j]))
        for i in range(D):
            y[n, i] = x[n, i] + float(np.dot(W2[i], a)) + b2[i]
    return y


def residual_block_backward(dy, x, W1, b1, W2, b2):
    x, dy = x.astype(np.float32), dy.astype(np.float32)
    W1, W2 = W1.astype(np.float32), W2.astype(np.float32)
    N, D = x.shape
    Hd = W1.shape[0]
    dx = dy.copy()  # the skip connection passes dy straight through
    dW1 = np.zeros_like(W1)
    db1 = np.zeros(Hd, dtype=np.float32)
    dW2 = np.zeros_like(W2)
    db2 = np.zeros(D, dtype=np.float32)
    for n in range(N):
        pre = W1 @ x[n] + b1
        a = np.maximum(pre, 0)
        db2 += dy[n]
        dW2 += np.outer(dy[n], a)
        for j in range(Hd):
            if pre[j] > 0:
                g = float(np.dot(dy[n], W2[:, j]))
                db1[j] += g
                dW1[j] += g * x[n]
                dx[n] += g * W1[j]
    return dx, dW1, db1, dW2, db2
