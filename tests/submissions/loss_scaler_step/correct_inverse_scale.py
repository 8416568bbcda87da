import math

import numpy as np


def loss_scaler_step(grads, scale, growth_tracker, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000):
    """As GradScaler does it: multiply by the reciprocal, check for inf/NaN with the sum trick, then update."""
    inv_scale = 1.0 / scale
    unscaled = np.multiply(grads, inv_scale, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        found_inf = not math.isfinite(float(np.sum(unscaled)))  # inf and NaN both poison the sum
    found_inf = found_inf or bool(np.isnan(unscaled).any() or np.isinf(unscaled).any())
    if found_inf:
        scale, tracker = scale * backoff_factor, 0
    else:
        tracker = growth_tracker + 1
        if tracker >= growth_interval:
            scale, tracker = scale * growth_factor, 0
    return unscaled, float(scale), int(tracker), bool(found_inf)
