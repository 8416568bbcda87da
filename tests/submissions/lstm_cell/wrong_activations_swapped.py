# expect-verdict: wrong_answer
# expect-diagnosis: the activations of g and o are swapped
import numpy as np


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    i = _sigmoid(a[:, :H])
    f = _sigmoid(a[:, H : 2 * H])
    g = _sigmoid(a[:, 2 * H : 3 * H])
    o = np.tanh(a[:, 3 * H :])
    return i, f, g, o


def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    c = f * c_prev + i * g
    return o * np.tanh(c), c


def lstm_cell_backward(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    c = f * c_prev + i * g
    tc = np.tanh(c)
    dc_total = dc + dh * o * (1.0 - tc**2)
    da = np.concatenate(
        [
            dc_total * g * i * (1.0 - i),
            dc_total * c_prev * f * (1.0 - f),
            dc_total * i * g * (1.0 - g),
            dh * tc * (1.0 - o**2),
        ],
        axis=1,
    )
    db = da.sum(axis=0)
    return da @ W_ih, da @ W_hh, dc_total * f, da.T @ x, da.T @ h_prev, db, db.copy()
