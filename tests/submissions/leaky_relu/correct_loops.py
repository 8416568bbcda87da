import numpy as np


def leaky_relu_forward(x, negative_slope=0.01):
    flat = x.ravel()
    out = np.empty(flat.size)
    for i in range(flat.size):
        out[i] = flat[i] if flat[i] > 0 else negative_slope * flat[i]
    return out.reshape(x.shape)


def leaky_relu_backward(dy, x, negative_slope=0.01):
    fx, fdy = x.ravel(), dy.ravel()
    dx = np.empty(fx.size)
    for i in range(fx.size):
        dx[i] = fdy[i] if fx[i] > 0 else negative_slope * fdy[i]
    return dx.reshape(x.shape)
