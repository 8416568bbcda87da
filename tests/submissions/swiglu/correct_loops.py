import math

import numpy as np


def _silu(v):
    return v / (1.0 + math.exp(-v))


def swiglu_forward(x, W, V):
    n, h = x.shape[0], W.shape[0]
    y = np.zeros((n, h))
    for i in range(n):
        for k in range(h):
            a = float(np.dot(x[i], W[k]))
            b = float(np.dot(x[i], V[k]))
            y[i, k] = _silu(a) * b
    return y


def swiglu_backward(dy, x, W, V):
    n, h = dy.shape
    dx, dW, dV = np.zeros(x.shape), np.zeros(W.shape), np.zeros(V.shape)
    for i in range(n):
        for k in range(h):
            a = float(np.dot(x[i], W[k]))
            b = float(np.dot(x[i], V[k]))
            s = 1.0 / (1.0 + math.exp(-a))
            ga = dy[i, k] * b * (s + a * s * (1.0 - s))
            gb = dy[i, k] * a * s
            dx[i] += ga * W[k] + gb * V[k]
            dW[k] += ga * x[i]
            dV[k] += gb * x[i]
    return dx, dW, dV
