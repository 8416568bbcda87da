# expect-verdict: wrong_answer
# expect-diagnosis: flops counts a bias add although bias=False
# expect-diagnosis: params counts a bias although bias=False
def conv2d_layer_cost(batch, in_channels, out_channels, height, width, kernel_size, stride=1, padding=0, bias=True):
    h_out = (height + 2 * padding - kernel_size) // stride + 1
    w_out = (width + 2 * padding - kernel_size) // stride + 1
    params = out_channels * in_channels * kernel_size**2 + out_channels
    outputs = batch * out_channels * h_out * w_out
    flops = 2 * outputs * in_channels * kernel_size**2 + outputs
    return flops, params
