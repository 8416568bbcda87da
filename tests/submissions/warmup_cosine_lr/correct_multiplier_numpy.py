import numpy as np


def warmup_cosine_lr(step, base_lr, warmup_steps, total_steps, min_lr=0.0):
    """As a multiplier of base_lr (the LambdaLR way), with the floor blended in; np.clip holds the end."""
    if warmup_steps > 0 and step < warmup_steps:
        return float(base_lr * step / warmup_steps)
    progress = np.clip((step - warmup_steps) / max(1, total_steps - warmup_steps), 0.0, 1.0)
    ratio = min_lr / base_lr
    factor = ratio + (1.0 - ratio) * 0.5 * (1.0 + np.cos(np.pi * progress))
    return float(base_lr * factor)
