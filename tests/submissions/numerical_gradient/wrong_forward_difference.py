# expect-verdict: wrong_answer
# expect-diagnosis: grad uses a one-sided (forward) difference
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    x = x.copy()
    f0 = f(x)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        grad[i] = (f(x) - f0) / eps
        x[i] = old
    return grad
