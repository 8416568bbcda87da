# expect-verdict: wrong_answer
# expect-diagnosis: the tanh derivative is computed as 1 - pre^2
# expect-diagnosis: your rnn_cell_forward is right but your rnn_cell_backward does not match its numerical gradient
import numpy as np


def rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)


def rnn_cell_backward(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    pre = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    dpre = dh * (1.0 - pre**2)
    return dpre @ W_ih, dpre @ W_hh, dpre.T @ x, dpre.T @ h_prev, dpre.sum(axis=0), dpre.sum(axis=0)
