# expect-verdict: wrong_answer
# expect-diagnosis: dx ignores the upstream gradient dy
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
    da = b * s * (1.0 + a * (1.0 - s))
    db = a * s
    dx = da @ W + db @ V
    dW = da.T @ x
    dV = db.T @ x
    return dx, dW, dV
