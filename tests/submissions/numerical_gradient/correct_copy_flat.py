import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    # works on a private flat copy, so the caller's x is never touched
    flat = x.astype(np.float64).ravel()
    grad = np.empty(flat.size, dtype=np.float32)
    for k in range(flat.size):
        plus = flat.copy()
        plus[k] += eps
        minus = flat.copy()
        minus[k] -= eps
        grad[k] = (f(plus.reshape(x.shape)) - f(minus.reshape(x.shape))) / (2 * eps)
    return grad.reshape(x.shape)
