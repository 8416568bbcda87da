# expect-verdict: wrong_answer
# expect-diagnosis: the gradient through silu uses sigmoid(a) alone
# expect-diagnosis: your swiglu_forward is right but your swiglu_backward does not match its numerical gradient
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
    da = dy * b * s
    db = dy * a * s
    dx = da @ W + db @ V
    dW = da.T @ x
    dV = db.T @ x
    return dx, dW, dV
