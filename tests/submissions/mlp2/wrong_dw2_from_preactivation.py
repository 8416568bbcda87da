# expect-verdict: wrong_answer
# expect-diagnosis: dW2 uses the pre-activation z
import numpy as np


def mlp2_forward(x, W1, b1, W2, b2):
    h = np.maximum(x @ W1.T + b1, 0)
    return h @ W2.T + b2


def mlp2_backward(dlogits, x, W1, b1, W2, b2):
    z = x @ W1.T + b1
    dW2 = dlogits.T @ z
    db2 = dlogits.sum(axis=0)
    dz = (dlogits @ W2) * (z > 0)
    return dz @ W1, dz.T @ x, dz.sum(axis=0), dW2, db2
