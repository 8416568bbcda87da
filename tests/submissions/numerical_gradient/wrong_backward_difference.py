# expect-verdict: wrong_answer
# expect-diagnosis: grad uses a one-sided (backward) difference
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    x = x.copy()
    f0 = f(x)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old - eps
        grad[i] = (f0 - f(x)) / eps
        x[i] = old
    return grad
