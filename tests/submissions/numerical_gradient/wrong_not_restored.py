# expect-verdict: wrong_answer
# expect-diagnosis: numerical_gradient left x modified
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += eps
        fp = f(x)
        x[i] -= 2 * eps
        fm = f(x)
        grad[i] = (fp - fm) / (2 * eps)
    return grad
