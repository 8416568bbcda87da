# expect-verdict: wrong_answer
# expect-diagnosis: as often written in textbooks and on Wikipedia
import numpy as np


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    W_ir, W_iz, W_in = W_ih[:H], W_ih[H : 2 * H], W_ih[2 * H :]
    W_hr, W_hz, W_hn = W_hh[:H], W_hh[H : 2 * H], W_hh[2 * H :]
    b_ir, b_iz, b_in = b_ih[:H], b_ih[H : 2 * H], b_ih[2 * H :]
    b_hr, b_hz, b_hn = b_hh[:H], b_hh[H : 2 * H], b_hh[2 * H :]
    z = _sigmoid(x @ W_iz.T + b_iz + h_prev @ W_hz.T + b_hz)
    r = _sigmoid(x @ W_ir.T + b_ir + h_prev @ W_hr.T + b_hr)
    h_tilde = np.tanh(x @ W_in.T + b_in + (r * h_prev) @ W_hn.T + b_hn)
    return (1.0 - z) * h_prev + z * h_tilde
