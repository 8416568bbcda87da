import numpy as np


def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    """Through p = sigmoid(z), as torchvision writes the loss: ce * (1 - p_t) ** gamma * alpha_t."""
    z = logits
    p = np.where(z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))))
    one_minus_p = np.where(z >= 0, np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))), 1.0 / (1.0 + np.exp(-np.abs(z))))
    ce = np.maximum(z, 0) - z * targets + np.log1p(np.exp(-np.abs(z)))  # -log(p_t)
    p_t = p * targets + one_minus_p * (1 - targets)
    one_minus_pt = one_minus_p * targets + p * (1 - targets)
    alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
    mod = one_minus_pt**gamma
    loss = alpha_t * ce * mod
    # d ce / dz = p - t; d mod / dz = gamma (1 - p_t)^(gamma - 1) * (-(d p_t / dz)), d p_t / dz = s p_t (1 - p_t)
    s = 2 * targets - 1
    dmod = -gamma * mod * s * p_t  # (1 - p_t)^gamma * gamma * (-s p_t): the (1 - p_t) cancels one power
    grad = alpha_t * ((p - targets) * mod + ce * dmod)
    return loss.mean(), grad / z.size
