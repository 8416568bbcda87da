# expect-verdict: wrong_answer
# expect-diagnosis: growth_tracker is not reset when the scale grows
import numpy as np


def loss_scaler_step(grads, scale, growth_tracker, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
    g = grads / scale
    if not np.all(np.isfinite(g)):
        return g, scale * backoff_factor, 0, True
    n = growth_tracker + 1
    if n % growth_interval == 0:
        return g, scale * growth_factor, n, False
    return g, scale, n, False
