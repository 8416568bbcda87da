# expect-verdict: wrong_answer
# expect-diagnosis: grad is flattened (or reshaped): return it in x's shape
import numpy as np


def numerical_gradient(f, x, eps=1e-6):
    flat = x.ravel().copy()
    grad = []
    for k in range(flat.size):
        e = np.zeros_like(flat)
        e[k] = eps
        grad.append((f((flat + e).reshape(x.shape)) - f((flat - e).reshape(x.shape))) / (2 * eps))
    return np.array(grad)
