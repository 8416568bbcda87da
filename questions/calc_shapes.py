"""Shape calculators: convolution, pooling, linear, embedding, attention, broadcasting, LSTM, im2col, ViT patches.

Each returns the output shape as a tuple of ints with the working; registered in
:data:`questions.calc_core.CALCULATORS` (see :mod:`questions.calc` for the conventions).
"""

from __future__ import annotations

from typing import Any

from questions.calc_core import Computed, conv_line, conv_size, heads_ok, register, window_fits


def _conv_ok(*, H: int, W: int | None = None, k: int, p: int = 0, d: int = 1, **_: Any) -> bool:
    """the dilated window fits the padded input: H + 2p >= d*(k - 1) + 1 (and W)"""
    span = d * (k - 1) + 1
    return H + 2 * p >= span and (W is None or W + 2 * p >= span)


@register("shape", _conv_ok)
def conv2d_output_shape(
    *, N: int, C_in: int, H: int, W: int, C_out: int, k: int, s: int = 1, p: int = 0, d: int = 1
) -> Computed:
    """Output shape of Conv2d(C_in, C_out, k, stride=s, padding=p, dilation=d) on (N, C_in, H, W)."""
    h, w = conv_size(H, k, s, p, d), conv_size(W, k, s, p, d)
    working = "\n".join(
        [
            conv_line("H_out", H, k, s, p, d),
            conv_line("W_out", W, k, s, p, d),
            f"channels: C_out = {C_out}; the batch N = {N} is unchanged",
            f"output shape = ({N}, {C_out}, {h}, {w})",
        ]
    )
    return Computed((N, C_out, h, w), working)


@register("numeric", _conv_ok)
def conv_output_size(*, H: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> Computed:
    """One spatial output size of a convolution or pooling window."""
    return Computed(conv_size(H, k, s, p, d), conv_line("H_out", H, k, s, p, d))


def _tconv_ok(*, H: int, k: int, s: int = 1, p: int = 0, output_padding: int = 0, **_: Any) -> bool:
    """a positive output size and output_padding < stride"""
    return (H - 1) * s - 2 * p + k + output_padding >= 1 and output_padding < max(s, 1)


@register("numeric", _tconv_ok)
def conv_transpose_output_size(*, H: int, k: int, s: int = 1, p: int = 0, output_padding: int = 0) -> Computed:
    """One spatial output size of ConvTranspose2d: (H − 1)·s − 2p + k + output_padding."""
    out = (H - 1) * s - 2 * p + k + output_padding
    return Computed(out, f"H_out = ({H} - 1)*{s} - 2*{p} + {k} + {output_padding} = {out}")


def _pool_ok(*, H: int, W: int, k: int, p: int = 0, **_: Any) -> bool:
    """the window fits (H + 2p >= k, W + 2p >= k) and p <= k // 2 (as torch requires)"""
    return H + 2 * p >= k and W + 2 * p >= k and p <= k // 2


@register("shape", _pool_ok)
def pool2d_output_shape(*, N: int, C: int, H: int, W: int, k: int, s: int, p: int = 0) -> Computed:
    """Output shape of MaxPool2d/AvgPool2d(k, stride=s, padding=p) on (N, C, H, W); channels are unchanged."""
    h, w = conv_size(H, k, s, p), conv_size(W, k, s, p)
    working = "\n".join(
        [
            conv_line("H_out", H, k, s, p),
            conv_line("W_out", W, k, s, p),
            f"pooling acts on each channel separately, so N = {N} and C = {C} are unchanged",
            f"output shape = ({N}, {C}, {h}, {w})",
        ]
    )
    return Computed((N, C, h, w), working)


@register("shape")
def linear_output_shape(*, N: int, d_in: int, d_out: int) -> Computed:
    """Output shape of Linear(d_in, d_out) on a batch (N, d_in)."""
    working = (
        f"y = x @ W.T + b with x ({N}, {d_in}), W ({d_out}, {d_in}), b ({d_out},)\n"
        f"({N}, {d_in}) @ ({d_in}, {d_out}) -> ({N}, {d_out}); b broadcasts over the batch"
    )
    return Computed((N, d_out), working)


@register("shape")
def linear_sequence_output_shape(*, B: int, T: int, d_in: int, d_out: int) -> Computed:
    """Output shape of Linear(d_in, d_out) applied to (B, T, d_in): it acts on the last axis only."""
    working = (
        f"Linear transforms the last axis and keeps every leading axis: ({B}, {T}, {d_in}) -> ({B}, {T}, {d_out})\n"
        f"(equivalently, reshape to ({B * T}, {d_in}), multiply by W.T, reshape back)"
    )
    return Computed((B, T, d_out), working)


@register("shape")
def linear_weight_grad_shape(*, N: int, d_in: int, d_out: int) -> Computed:
    """Shape of dL/dW for Linear(d_in, d_out) (torch layout) on a batch of N."""
    working = (
        f"dW has the shape of W, which torch stores as (out, in) = ({d_out}, {d_in})\n"
        f"dW = dy.T @ x: ({d_out}, {N}) @ ({N}, {d_in}) -> ({d_out}, {d_in}); the batch is summed away"
    )
    return Computed((d_out, d_in), working)


@register("shape")
def embedding_output_shape(*, B: int, T: int, V: int, D: int) -> Computed:
    """Output shape of Embedding(V, D) on integer ids of shape (B, T)."""
    working = (
        f"each id selects one row of the ({V}, {D}) table, so out.shape = ids.shape + (D,)\n"
        f"({B}, {T}) + ({D},) = ({B}, {T}, {D}); V = {V} only bounds the ids"
    )
    return Computed((B, T, D), working)


@register("shape", heads_ok)
def attention_scores_shape(*, B: int, h: int, Lq: int, Lk: int, d_model: int) -> Computed:
    """Shape of the attention weights softmax(QKᵀ/√d_head) in multi-head attention."""
    dh = d_model // h
    working = (
        f"d_head = {d_model} / {h} = {dh}; per head Q is ({B}, {h}, {Lq}, {dh}) and K is ({B}, {h}, {Lk}, {dh})\n"
        f"Q @ K.transpose(-2, -1): ({Lq}, {dh}) @ ({dh}, {Lk}) -> ({Lq}, {Lk}) for each batch and head\n"
        f"weights shape = ({B}, {h}, {Lq}, {Lk}); d_head is summed away"
    )
    return Computed((B, h, Lq, Lk), working)


@register("shape")
def attention_output_shape(*, B: int, Lq: int, Lk: int, d_k: int, d_v: int) -> Computed:
    """Shape of softmax(QKᵀ/√d_k)·V for Q (B, Lq, d_k), K (B, Lk, d_k), V (B, Lk, d_v)."""
    working = (
        f"weights = softmax(Q @ K.T / sqrt({d_k})): ({B}, {Lq}, {d_k}) @ ({B}, {d_k}, {Lk}) -> ({B}, {Lq}, {Lk})\n"
        f"out = weights @ V: ({B}, {Lq}, {Lk}) @ ({B}, {Lk}, {d_v}) -> ({B}, {Lq}, {d_v})\n"
        "one output row per query, with V's feature size"
    )
    return Computed((B, Lq, d_v), working)


@register("shape", heads_ok)
def mha_split_heads_shape(*, B: int, T: int, d_model: int, h: int) -> Computed:
    """Shape of Q after splitting (B, T, d_model) into h heads and moving the head axis forward."""
    dh = d_model // h
    working = (
        f"d_head = {d_model} / {h} = {dh}\n"
        f"view: ({B}, {T}, {d_model}) -> ({B}, {T}, {h}, {dh}); transpose(1, 2) -> ({B}, {h}, {T}, {dh})"
    )
    return Computed((B, h, T, dh), working)


@register("shape")
def batched_matmul_shape(*, B: int, h: int, m: int, k: int, n: int) -> Computed:
    """Shape of (B, 1, m, k) @ (h, k, n): batch axes broadcast, the last two multiply."""
    working = "\n".join(
        [
            f"matrix part: ({m}, {k}) @ ({k}, {n}) -> ({m}, {n})",
            f"batch part: (B, 1) = ({B}, 1) against ({h},), right-aligned -> ({B}, 1) and (1, {h}) -> ({B}, {h})",
            f"result shape = ({B}, {h}, {m}, {n})",
        ]
    )
    return Computed((B, h, m, n), working)


@register("shape")
def broadcast_shape(*, a: int, b: int, c: int) -> Computed:
    """Broadcast shape of (a, 1, c) + (b, 1)."""
    working = "\n".join(
        [
            "align shapes on the right, padding the shorter with 1s:",
            f"  ({a}, 1, {c})",
            f"  (1, {b}, 1)",
            f"each axis: equal sizes stay, a 1 stretches -> ({a}, {b}, {c})",
        ]
    )
    return Computed((a, b, c), working)


@register("shape")
def lstm_output_shape(*, B: int, T: int, d_in: int, hidden: int, bidirectional: bool = False) -> Computed:
    """Shape of `output` from LSTM(d_in, hidden, batch_first=True) on (B, T, d_in)."""
    dirs = 2 if bidirectional else 1
    working = (
        f"output holds the top layer's hidden state at every time step, batch first: (B, T, dirs*hidden)\n"
        f"dirs = {dirs} ({'forward and backward states concatenated' if bidirectional else 'one direction'})\n"
        f"({B}, {T}, {dirs}*{hidden}) = ({B}, {T}, {dirs * hidden}); d_in = {d_in} only sizes the input weights"
    )
    return Computed((B, T, dirs * hidden), working)


@register("shape", window_fits)
def im2col_shape(*, C: int, H: int, W: int, k: int, s: int = 1, p: int = 0) -> Computed:
    """Shape of the im2col matrix of one image (C, H, W) for a k×k convolution: one column per output position."""
    h, w = conv_size(H, k, s, p), conv_size(W, k, s, p)
    working = "\n".join(
        [
            conv_line("H_out", H, k, s, p),
            conv_line("W_out", W, k, s, p),
            f"rows: one per value in a patch, C*k*k = {C}*{k}*{k} = {C * k * k}",
            f"columns: one per output position, H_out*W_out = {h}*{w} = {h * w}",
            f"shape = ({C * k * k}, {h * w})",
        ]
    )
    return Computed((C * k * k, h * w), working)


def _patch_ok(*, H: int, P: int, **_: Any) -> bool:
    """the image side H is a multiple of the patch size P"""
    return P >= 1 and H % P == 0


@register("shape", _patch_ok)
def vit_tokens_shape(*, B: int, H: int, P: int, C: int, D: int, cls_token: bool = False) -> Computed:
    """Shape of the token sequence after P×P patch embedding of (B, C, H, H) images to width D."""
    n = (H // P) ** 2
    total = n + (1 if cls_token else 0)
    lines = [
        f"patches per side = {H} / {P} = {H // P}; patches = {H // P}^2 = {n}",
        f"each patch ({C}*{P}*{P} = {C * P * P} values) is projected to D = {D}",
    ]
    if cls_token:
        lines.append(f"plus one [CLS] token: {n} + 1 = {total}")
    lines.append(f"shape = ({B}, {total}, {D})")
    return Computed((B, total, D), "\n".join(lines))


@register("shape")
def flatten_shape(*, N: int, C: int, H: int, W: int) -> Computed:
    """Shape of nn.Flatten() (start_dim=1) applied to (N, C, H, W)."""
    return Computed(
        (N, C * H * W),
        f"Flatten keeps the batch axis and merges the rest: C*H*W = {C}*{H}*{W} = {C * H * W}\n"
        f"shape = ({N}, {C * H * W})",
    )
