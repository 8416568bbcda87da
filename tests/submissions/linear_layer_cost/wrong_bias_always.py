# expect-verdict: wrong_answer
# expect-diagnosis: flops counts a bias add although bias=False
# expect-diagnosis: params counts a bias although bias=False
def linear_layer_cost(batch, in_features, out_features, bias=True):
    params = out_features * in_features + out_features
    flops = 2 * batch * in_features * out_features + batch * out_features
    return flops, params
