# expect-verdict: wrong_answer
# expect-diagnosis: the scale grows on a successful step before growth_interval of them in a row
import numpy as np


def loss_scaler_step(grads, scale, growth_tracker, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
    g = grads / scale
    if not np.all(np.isfinite(g)):
        return g, scale * backoff_factor, 0, True
    return g, scale * growth_factor, growth_tracker + 1, False
