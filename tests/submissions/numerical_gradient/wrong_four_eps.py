# expect-verdict: wrong_answer
# expect-diagnosis: grad is half the gradient
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        # the two-sided step spans 2 eps on each side... counted twice
        grad[i] = (f(x + e) - f(x - e)) / (4 * eps)
    return grad
