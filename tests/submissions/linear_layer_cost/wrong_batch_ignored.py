# expect-verdict: wrong_answer
# expect-diagnosis: flops ignores the batch
def linear_layer_cost(batch, in_features, out_features, bias=True):
    params = out_features * in_features + (out_features if bias else 0)
    flops = 2 * in_features * out_features + (out_features if bias else 0)
    return flops, params
