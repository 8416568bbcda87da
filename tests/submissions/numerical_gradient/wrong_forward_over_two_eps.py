# expect-verdict: wrong_answer
# expect-diagnosis: grad is a one-sided difference divided by 2 * eps
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    base = f(x)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        grad[i] = (f(x + e) - base) / (2 * eps)
    return grad
