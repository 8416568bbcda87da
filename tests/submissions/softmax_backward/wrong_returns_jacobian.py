# expect-verdict: wrong_answer
# expect-diagnosis: of the full Jacobian diag(y) - y y^T
import numpy as np


def softmax_backward(dy, y):
    # the Jacobian diag(y) - y y^T for every row, never applied to dy
    eye = np.eye(y.shape[-1])
    return y[..., :, None] * eye - y[..., :, None] * y[..., None, :]
