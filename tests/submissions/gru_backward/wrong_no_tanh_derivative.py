# expect-verdict: wrong_answer
# expect-diagnosis: the tanh derivative of the candidate n is missing
import numpy as np


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    gi = x @ W_ih.T + b_ih
    gh = h_prev @ W_hh.T + b_hh
    r = _sigmoid(gi[:, :H] + gh[:, :H])
    z = _sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
    n = np.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])
    return r, z, n, gh[:, 2 * H :]


def gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    _, z, n, _ = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    return (1 - z) * n + z * h_prev


def gru_cell_backward(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    r, z, n, gh_n = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    da_n = dh * (1 - z)
    da_z = dh * (h_prev - n) * z * (1 - z)
    da_r = da_n * gh_n * r * (1 - r)
    dgi = np.hstack([da_r, da_z, da_n])
    dgh = np.hstack([da_r, da_z, r * da_n])
    return (dgi @ W_ih, dh * z + dgh @ W_hh, dgi.T @ x, dgh.T @ h_prev, dgi.sum(0), dgh.sum(0))
