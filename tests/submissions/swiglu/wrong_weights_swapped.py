# expect-verdict: wrong_answer
# expect-diagnosis: y gates with V and passes W through
# expect-diagnosis: the backward treats V as the gate and W as the value
import numpy as np


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def swiglu_forward(x, W, V):
    a = x @ V.T
    b = x @ W.T
    return a * _sigmoid(a) * b


def swiglu_backward(dy, x, W, V):
    a = x @ V.T
    b = x @ W.T
    s = _sigmoid(a)
    da = dy * b * s * (1.0 + a * (1.0 - s))
    db = dy * a * s
    dx = da @ V + db @ W
    dW = db.T @ x
    dV = da.T @ x
    return dx, dW, dV
