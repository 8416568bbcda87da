"""Parameter-count and FLOP calculators: linear layers and MLPs, convolutions, embeddings, attention, transformer
blocks, RNNs, normalisation layers (their parameters and how many values each statistic averages).

FLOPs count 2 per multiply-add, matmuls only (see :mod:`questions.calc` for the conventions).
"""

from __future__ import annotations

from typing import Any

from questions.calc_core import Computed, conv_line, conv_size, heads_ok, register, window_fits


def _conv_pool_ok(*, H: int, k: int, s: int = 1, p: int = 0, pool: int = 2, **_: Any) -> bool:
    """the window fits and the conv output is at least the pool size"""
    return H + 2 * p >= k and conv_size(H, k, s, p) >= pool


@register("numeric", _conv_pool_ok)
def conv_pool_flatten_features(
    *, H: int, C_in: int, C_out: int, k: int, s: int = 1, p: int = 0, pool: int = 2
) -> Computed:
    """in_features of the Linear after Conv2d(C_in, C_out, k, s, p) then MaxPool2d(pool) on H×H inputs."""
    hc = conv_size(H, k, s, p)
    hp = (hc - pool) // pool + 1
    working = "\n".join(
        [
            conv_line("conv H_out", H, k, s, p),
            f"pool H_out = ({hc} - {pool}) // {pool} + 1 = {hp}",
            f"in_features = C_out * H * W = {C_out} * {hp} * {hp} = {C_out * hp * hp:,}",
        ]
    )
    return Computed(C_out * hp * hp, working)


@register("numeric")
def linear_params(*, d_in: int, d_out: int, bias: bool = True) -> Computed:
    """Parameters of Linear(d_in, d_out)."""
    n = d_in * d_out + (d_out if bias else 0)
    if bias:
        working = f"W: {d_out}*{d_in} = {d_in * d_out:,}; b: {d_out}; total = {n:,}"
    else:
        working = f"W: {d_out}*{d_in} = {n:,}; no bias"
    return Computed(n, working)


@register("numeric")
def linear_flops(*, N: int, d_in: int, d_out: int) -> Computed:
    """Forward FLOPs of Linear(d_in, d_out) on N rows (2 per multiply-add; bias adds not counted)."""
    f = 2 * N * d_in * d_out
    return Computed(
        f,
        f"x @ W.T is ({N}, {d_in}) @ ({d_in}, {d_out}): {N}*{d_in}*{d_out} = {N * d_in * d_out:,} multiply-adds\n"
        f"FLOPs = 2 * {N * d_in * d_out:,} = {f:,} (the {N * d_out:,} bias adds are lower order)",
    )


@register("numeric")
def mlp_params(*, d_in: int, h1: int, h2: int, d_out: int) -> Computed:
    """Parameters of Linear(d_in, h1) -> Linear(h1, h2) -> Linear(h2, d_out), all with bias."""
    sizes = [(d_in, h1), (h1, h2), (h2, d_out)]
    parts = [a * b + b for a, b in sizes]
    lines = [f"layer {i + 1}: {a}*{b} + {b} = {n:,}" for i, ((a, b), n) in enumerate(zip(sizes, parts, strict=True))]
    lines.append(f"total = {' + '.join(f'{n:,}' for n in parts)} = {sum(parts):,} (activations have no parameters)")
    return Computed(sum(parts), "\n".join(lines))


@register("numeric")
def mlp_forward_flops(*, N: int, d_in: int, h: int, d_out: int) -> Computed:
    """Forward FLOPs of Linear(d_in, h) -> ReLU -> Linear(h, d_out) on N rows (matmuls only)."""
    a, b = 2 * N * d_in * h, 2 * N * h * d_out
    return Computed(
        a + b,
        f"layer 1: 2*{N}*{d_in}*{h} = {a:,}\nlayer 2: 2*{N}*{h}*{d_out} = {b:,}\n"
        f"total = {a + b:,} (bias adds and ReLU are lower order)",
    )


def _groups_ok(*, C_in: int, C_out: int, groups: int = 1, **_: Any) -> bool:
    """C_in and C_out divisible by groups"""
    return groups >= 1 and C_in % groups == 0 and C_out % groups == 0


@register("numeric", _groups_ok)
def conv2d_params(*, C_in: int, C_out: int, k: int, bias: bool = True, groups: int = 1) -> Computed:
    """Parameters of Conv2d(C_in, C_out, k, groups=groups, bias=bias)."""
    per = C_in // groups
    w = C_out * per * k * k
    n = w + (C_out if bias else 0)
    if groups == 1:
        head = f"W: C_out*C_in*k*k = {C_out}*{C_in}*{k}*{k} = {w:,}"
    else:
        head = (
            f"each filter sees C_in/groups = {C_in}/{groups} = {per} channels\n"
            f"W: C_out*(C_in/groups)*k*k = {C_out}*{per}*{k}*{k} = {w:,}"
        )
    tail = f"b: {C_out}; total = {n:,}" if bias else f"no bias; total = {n:,}"
    return Computed(n, f"{head}\n{tail}")


@register("numeric", window_fits)
def conv2d_flops(*, N: int, C_in: int, H: int, W: int, C_out: int, k: int, s: int = 1, p: int = 0) -> Computed:
    """Forward FLOPs of Conv2d(C_in, C_out, k, s, p) on (N, C_in, H, W) (2 per multiply-add; bias not counted)."""
    h, w = conv_size(H, k, s, p), conv_size(W, k, s, p)
    macs = N * C_out * h * w * C_in * k * k
    working = "\n".join(
        [
            conv_line("H_out", H, k, s, p),
            conv_line("W_out", W, k, s, p),
            f"outputs: N*C_out*H_out*W_out = {N}*{C_out}*{h}*{w} = {N * C_out * h * w:,}",
            f"each output is a dot product of C_in*k*k = {C_in}*{k}*{k} = {C_in * k * k} multiply-adds",
            f"FLOPs = 2 * {N * C_out * h * w:,} * {C_in * k * k} = {2 * macs:,}",
        ]
    )
    return Computed(2 * macs, working)


@register("numeric")
def depthwise_separable_params(*, C_in: int, C_out: int, k: int) -> Computed:
    """Parameters of a depthwise k×k Conv2d (groups=C_in) followed by a 1×1 pointwise Conv2d, both with bias."""
    dw = C_in * k * k + C_in
    pw = C_in * C_out + C_out
    full = C_out * C_in * k * k + C_out
    return Computed(
        dw + pw,
        f"depthwise: C_in*k*k + C_in = {C_in}*{k}*{k} + {C_in} = {dw:,}\n"
        f"pointwise: C_in*C_out + C_out = {C_in}*{C_out} + {C_out} = {pw:,}\n"
        f"total = {dw + pw:,} (a full {k}x{k} conv would have {full:,})",
    )


@register("numeric")
def embedding_params(*, V: int, D: int) -> Computed:
    """Parameters of Embedding(V, D)."""
    return Computed(V * D, f"one row of D = {D} per token: V*D = {V}*{D} = {V * D:,} (no bias)")


@register("numeric", heads_ok)
def mha_params(*, d_model: int, h: int, bias: bool = True) -> Computed:
    """Parameters of MultiheadAttention(d_model, h) with the default bias (Q, K, V and output projections)."""
    w = 4 * d_model * d_model
    n = w + (4 * d_model if bias else 0)
    return Computed(
        n,
        f"Q, K, V projections: 3 * {d_model}*{d_model} weights (+ 3*{d_model} biases)\n"
        f"output projection: {d_model}*{d_model} (+ {d_model})\n"
        f"total = 4*{d_model}^2{' + 4*' + str(d_model) if bias else ''} = {n:,}; the head count {h} only splits"
        f" the same {d_model} columns into {h} groups of {d_model // h}",
    )


@register("numeric")
def transformer_block_params(*, d_model: int, d_ff: int) -> Computed:
    """Parameters of a standard transformer encoder block: MHA + 2-layer FFN + 2 LayerNorms, all with bias."""
    attn = 4 * d_model * d_model + 4 * d_model
    ffn = 2 * d_model * d_ff + d_ff + d_model
    ln = 4 * d_model
    return Computed(
        attn + ffn + ln,
        f"attention: 4*{d_model}^2 + 4*{d_model} = {attn:,}\n"
        f"FFN: {d_model}*{d_ff} + {d_ff} + {d_ff}*{d_model} + {d_model} = {ffn:,}\n"
        f"two LayerNorms: 2 * 2*{d_model} = {ln:,}\n"
        f"total = {attn + ffn + ln:,}",
    )


@register("numeric")
def swiglu_ffn_params(*, d_model: int, d_ff: int) -> Computed:
    """Parameters of a bias-free SwiGLU feed-forward: W_gate, W_up (d_model→d_ff) and W_down (d_ff→d_model)."""
    n = 3 * d_model * d_ff
    return Computed(n, f"three matrices of {d_model}*{d_ff}: 3*{d_model}*{d_ff} = {n:,}")


@register("numeric")
def attention_core_flops(*, B: int, T: int, d_model: int) -> Computed:
    """FLOPs of QKᵀ and weights·V in self-attention over T tokens (projections and softmax not counted)."""
    qk = 2 * B * T * T * d_model
    return Computed(
        2 * qk,
        f"Q @ K.T: ({T}, {d_model}) @ ({d_model}, {T}) per sequence -> 2*{B}*{T}*{T}*{d_model} = {qk:,}\n"
        f"weights @ V: ({T}, {T}) @ ({T}, {d_model}) -> another {qk:,}\n"
        f"total = 4*B*T^2*d = {2 * qk:,} (quadratic in T; heads only split d)",
    )


@register("numeric")
def rnn_params(*, d_in: int, hidden: int) -> Computed:
    """Parameters of a one-layer torch.nn.RNN(d_in, hidden) (two bias vectors, as torch has)."""
    n = hidden * d_in + hidden * hidden + 2 * hidden
    return Computed(
        n,
        f"W_ih: {hidden}*{d_in}; W_hh: {hidden}*{hidden}; b_ih and b_hh: 2*{hidden}\n"
        f"total = {hidden * d_in:,} + {hidden * hidden:,} + {2 * hidden} = {n:,}",
    )


@register("numeric")
def lstm_params(*, d_in: int, hidden: int) -> Computed:
    """Parameters of a one-layer torch.nn.LSTM(d_in, hidden): four gates, two bias vectors."""
    per = hidden * d_in + hidden * hidden + 2 * hidden
    return Computed(
        4 * per,
        f"per gate: {hidden}*{d_in} + {hidden}*{hidden} + 2*{hidden} = {per:,}\n"
        f"4 gates (input, forget, cell, output): 4 * {per:,} = {4 * per:,}",
    )


@register("numeric")
def layernorm_params(*, D: int) -> Computed:
    """Learnable parameters of LayerNorm(D)."""
    return Computed(2 * D, f"gamma and beta, one each per feature: 2*{D} = {2 * D:,}")


@register("numeric")
def batchnorm_values(*, C: int, running: bool = False) -> Computed:
    """Values BatchNorm2d(C) stores: 2C learnable, plus 2C running statistics if ``running``."""
    if running:
        return Computed(
            4 * C,
            f"gamma, beta (learnable): 2*{C}; running_mean, running_var (buffers): 2*{C}\n"
            f"total = 4*{C} = {4 * C:,} (the integer num_batches_tracked counter is not counted)",
        )
    return Computed(2 * C, f"gamma and beta, one each per channel: 2*{C} = {2 * C:,} (running stats are buffers)")


NORM_KINDS = ("batch", "layer", "instance", "group")


def _norm_ok(*, kind: str, C: int, G: int = 1, **_: Any) -> bool:
    """kind is batch/layer/instance/group and C divisible by G"""
    return kind in NORM_KINDS and G >= 1 and C % G == 0


@register("numeric", _norm_ok)
def norm_elements_per_statistic(*, kind: str, N: int, C: int, H: int, W: int, G: int = 1) -> Computed:
    """How many values one mean averages for batch/layer/instance/group norm on (N, C, H, W)."""
    if kind == "batch":
        n, how = N * H * W, f"per channel, over N, H, W: {N}*{H}*{W}"
    elif kind == "layer":
        n, how = C * H * W, f"per example, over C, H, W: {C}*{H}*{W}"
    elif kind == "instance":
        n, how = H * W, f"per example and channel, over H, W: {H}*{W}"
    else:
        n, how = (C // G) * H * W, f"per example and group of C/G = {C}/{G} = {C // G} channels: {C // G}*{H}*{W}"
    return Computed(n, f"{kind} norm statistics are {how} = {n:,}")


@register("numeric", _norm_ok)
def norm_statistic_count(*, kind: str, N: int, C: int, H: int, W: int, G: int = 1) -> Computed:
    """How many separate means batch/layer/instance/group norm computes on (N, C, H, W) in training."""
    if kind == "batch":
        n, how = C, f"one per channel: C = {C}"
    elif kind == "layer":
        n, how = N, f"one per example: N = {N}"
    elif kind == "instance":
        n, how = N * C, f"one per example and channel: N*C = {N}*{C}"
    else:
        n, how = N * G, f"one per example and group: N*G = {N}*{G}"
    return Computed(n, f"{kind} norm: {how} = {n:,}")
