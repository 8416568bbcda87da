import numpy as np


def _linear_forward(x, W, b):
    out = np.zeros((x.shape[0], W.shape[0]))
    for n in range(x.shape[0]):
        for o in range(W.shape[0]):
            out[n, o] = np.dot(W[o], x[n]) + b[o]
    return out


def _linear_backward(dy, x, W):
    dx = np.zeros_like(x)
    dW = np.zeros_like(W)
    db = np.zeros(W.shape[0])
    for n in range(x.shape[0]):
        dx[n] = W.T @ dy[n]
        dW += np.outer(dy[n], x[n])
        db += dy[n]
    return dx, dW, db


def mlp2_forward(x, W1, b1, W2, b2):
    z = _linear_forward(x, W1, b1)
    return _linear_forward(np.where(z > 0, z, 0.0), W2, b2)


def mlp2_backward(dlogits, x, W1, b1, W2, b2):
    z = _linear_forward(x, W1, b1)
    h = np.where(z > 0, z, 0.0)
    dh, dW2, db2 = _linear_backward(dlogits, h, W2)
    dz = dh.copy()
    dz[z <= 0] = 0.0
    dx, dW1, db1 = _linear_backward(dz, x, W1)
    return dx, dW1, db1, dW2, db2
