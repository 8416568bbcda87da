def linear_layer_cost(batch, in_features, out_features, bias=True):
    params = out_features * in_features + (out_features if bias else 0)
    flops = 2 * batch * in_features * out_features + (batch * out_features if bias else 0)
    return flops, params
