# expect-verdict: wrong_answer
# expect-diagnosis: this is the GRU as often written in textbooks and on Wikipedia
import numpy as np


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    gi = x @ W_ih.T + b_ih
    gh = h_prev @ W_hh.T + b_hh
    r = _sigmoid(gi[:, :H] + gh[:, :H])
    z = _sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
    n = np.tanh(gi[:, 2 * H :] + (r * h_prev) @ W_hh[2 * H :].T + b_hh[2 * H :])
    return r, z, n


def gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    _, z, n = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    return z * n + (1 - z) * h_prev


def gru_cell_backward(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    r, z, n = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    Whn = W_hh[2 * H :]
    da_n = dh * z * (1 - n**2)
    da_z = dh * (n - h_prev) * z * (1 - z)
    drh = da_n @ Whn
    da_r = drh * h_prev * r * (1 - r)
    dgi = np.hstack([da_r, da_z, da_n])
    dgh_rz = np.hstack([da_r, da_z])
    dh_prev = dh * (1 - z) + dgh_rz @ W_hh[: 2 * H] + drh * r
    dW_hh = np.vstack([dgh_rz.T @ h_prev, da_n.T @ (r * h_prev)])
    db_hh = np.concatenate([dgh_rz.sum(0), da_n.sum(0)])
    return dgi @ W_ih, dh_prev, dgi.T @ x, dW_hh, dgi.sum(0), db_hh
