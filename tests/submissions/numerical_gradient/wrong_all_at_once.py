# expect-verdict: wrong_answer
# expect-diagnosis: x was perturbed in all elements at once
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        grad[i] = (f(x + eps) - f(x - eps)) / (2 * eps)
    return grad
