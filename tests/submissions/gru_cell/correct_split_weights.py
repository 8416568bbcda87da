import numpy as np


def gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    # Split the stacked weights into the three gates first, as separate Linear layers.
    W_ir, W_iz, W_in = np.split(W_ih, 3)
    W_hr, W_hz, W_hn = np.split(W_hh, 3)
    b_ir, b_iz, b_in = np.split(b_ih, 3)
    b_hr, b_hz, b_hn = np.split(b_hh, 3)
    sig = lambda a: 0.5 * (1.0 + np.tanh(0.5 * a))  # noqa: E731
    r = sig(np.einsum("nd,hd->nh", x, W_ir) + b_ir + np.einsum("nk,hk->nh", h_prev, W_hr) + b_hr)
    z = sig(np.einsum("nd,hd->nh", x, W_iz) + b_iz + np.einsum("nk,hk->nh", h_prev, W_hz) + b_hz)
    n = np.tanh(np.einsum("nd,hd->nh", x, W_in) + b_in + r * (np.einsum("nk,hk->nh", h_prev, W_hn) + b_hn))
    return n + z * (h_prev - n)
