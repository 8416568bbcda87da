import math

import numpy as np


def conv2d_layer_cost(batch, in_channels, out_channels, height, width, kernel_size, stride=1, padding=0, bias=True):
    h_out = math.floor((height + 2 * padding - kernel_size) / stride) + 1
    w_out = np.floor((width + 2 * padding - kernel_size) / stride) + 1  # a float
    weight_shape = (out_channels, in_channels, kernel_size, kernel_size)
    params = float(np.prod(weight_shape)) + (out_channels if bias else 0)
    per_output = 2.0 * in_channels * kernel_size * kernel_size + (1.0 if bias else 0.0)
    return batch * out_channels * h_out * w_out * per_output, params
