# expect-verdict: wrong_answer
# expect-diagnosis: the tanh derivative is missing
import numpy as np


def rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)


def rnn_cell_backward(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return dh @ W_ih, dh @ W_hh, dh.T @ x, dh.T @ h_prev, dh.sum(axis=0), dh.sum(axis=0)
