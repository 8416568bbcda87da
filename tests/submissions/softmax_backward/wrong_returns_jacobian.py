# expect-verdict: wrong_answer
# expect-diagnosis: the shape of the full Jacobian
import numpy as np


def softmax_backward(dy, y):
    # the Jacobian diag(y) - y y^T for every row, never applied to dy
    eye = np.eye(y.shape[-1])
    return y[..., :, None] * eye - y[..., :, None] * y[..., None, :]
