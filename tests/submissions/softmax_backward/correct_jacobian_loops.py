import numpy as np


def softmax_backward(dy, y):
    """Builds each row's Jacobian diag(y) - y y^T and multiplies it by dy."""
    c = y.shape[-1]
    rows_y = y.reshape(-1, c)
    rows_dy = dy.reshape(-1, c)
    out = np.empty_like(rows_y)
    for r in range(rows_y.shape[0]):
        jac = np.diag(rows_y[r]) - np.outer(rows_y[r], rows_y[r])
        out[r] = jac.T @ rows_dy[r]
    return out.reshape(y.shape)
