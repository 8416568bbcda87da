# expect-verdict: wrong_answer
# expect-diagnosis: NaN gradients are not caught
import numpy as np


def loss_scaler_step(grads, scale, growth_tracker, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
    g = grads / scale
    if np.any(np.isinf(g)):
        return g, scale * backoff_factor, 0, True
    n = growth_tracker + 1
    if n == growth_interval:
        return g, scale * growth_factor, 0, False
    return g, scale, n, False
