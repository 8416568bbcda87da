import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def swiglu_forward(x, W, V):
    a = x @ W.T
    b = x @ V.T
    return a * _sigmoid(a) * b


def swiglu_backward(dy, x, W, V):
    a = x @ W.T
    b = x @ V.T
    s = _sigmoid(a)
    da = dy * b * s * (1.0 + a * (1.0 - s))
    db = dy * a * s
    dx = da @ W + db @ V
    dW = da.T @ x
    dV = db.T @ x
    return dx, dW, dV
