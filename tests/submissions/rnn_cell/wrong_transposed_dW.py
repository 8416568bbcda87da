# expect-verdict: wrong_answer
# expect-diagnosis: dW_ih is the transpose of the expected gradient
# expect-diagnosis: dW_hh is the transpose of the expected gradient
import numpy as np


def rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)


def rnn_cell_backward(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    h = np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh)
    dpre = dh * (1.0 - h * h)
    return dpre @ W_ih, dpre @ W_hh, x.T @ dpre, h_prev.T @ dpre, dpre.sum(axis=0), dpre.sum(axis=0)
