import numpy as np


def relu_forward(x):
    flat = x.ravel()
    out = np.empty_like(flat)
    for i in range(flat.size):
        out[i] = flat[i] if flat[i] > 0 else 0.0
    return out.reshape(x.shape)


def relu_backward(dy, x):
    fx, fdy = x.ravel(), dy.ravel()
    dx = np.zeros(fx.size)
    for i in range(fx.size):
        if fx[i] > 0:
            dx[i] = fdy[i]
    return dx.reshape(x.shape)
