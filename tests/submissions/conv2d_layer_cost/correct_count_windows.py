def _positions(size, kernel_size, stride, padding):
    # count the window starts that fit inside the padded input
    count = 0
    start = 0
    while start + kernel_size <= size + 2 * padding:
        count += 1
        start += stride
    return count


def conv2d_layer_cost(batch, in_channels, out_channels, height, width, kernel_size, stride=1, padding=0, bias=True):
    positions = _positions(height, kernel_size, stride, padding) * _positions(width, kernel_size, stride, padding)
    flops = 0
    params = 0
    for _ in range(out_channels):
        taps = in_channels * kernel_size * kernel_size
        params += taps + (1 if bias else 0)
        flops += batch * positions * (2 * taps + (1 if bias else 0))
    return flops, params
