# expect-verdict: wrong_answer
# expect-diagnosis: db1 is not summed over the batch
# expect-diagnosis: db2 is not summed over the batch
import numpy as np


def mlp2_forward(x, W1, b1, W2, b2):
    h = np.maximum(x @ W1.T + b1, 0)
    return h @ W2.T + b2


def mlp2_backward(dlogits, x, W1, b1, W2, b2):
    z = x @ W1.T + b1
    h = np.maximum(z, 0)
    dW2 = dlogits.T @ h
    db2 = dlogits
    dz = (dlogits @ W2) * (z > 0)
    return dz @ W1, dz.T @ x, dz, dW2, db2
