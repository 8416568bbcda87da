# expect-verdict: wrong_answer
# expect-diagnosis: flops leaves out the bias add
# expect-diagnosis: params leaves out the bias
def linear_layer_cost(batch, in_features, out_features, bias=True):
    return 2 * batch * in_features * out_features, out_features * in_features
