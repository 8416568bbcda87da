# expect-verdict: wrong_answer
# expect-diagnosis: adding and subtracting eps again can leave rounding differences
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        fp = f(x)
        x[i] -= 2 * eps
        fm = f(x)
        x[i] += eps  # not always bit-for-bit the original value
        grad[i] = (fp - fm) / (2 * eps)
    return grad
