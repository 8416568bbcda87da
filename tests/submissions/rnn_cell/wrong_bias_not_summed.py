# expect-verdict: wrong_answer
# expect-diagnosis: db_ih is not summed over the batch
# expect-diagnosis: db_hh is not summed over the batch
import numpy as np


def rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)


def rnn_cell_backward(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)
    dpre = dh * (1.0 - h * h)
    return dpre @ W_ih, dpre @ W_hh, dpre.T @ x, dpre.T @ h_prev, dpre, dpre
