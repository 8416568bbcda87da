"""Calculators for parameterised questions: shapes, FLOPs, parameter counts, memory and small numeric facts.

Each calculator takes keyword arguments (a template's drawn ``params`` plus its ``fixed`` values) and returns a
:class:`Computed`: the answer (a number, or a shape as a tuple of ints) and the worked computation as text. Each
has a validity predicate over the same keywords (for example ``H + 2p >= k`` for a convolution); a template's
parameters are re-drawn until it holds.

Conventions, used in every working and every explanation that relies on these numbers:

- A matmul (m×k)·(k×n) costs m·k·n multiply-adds = 2·m·k·n FLOPs. Bias additions, activations and softmax
  exponentials are lower order and not counted unless a calculator says so.
- torch.nn.Linear(in, out) stores W as (out, in) and b as (out,): y = x Wᵀ + b.
- Conv2d(C_in, C_out, k) has C_out·C_in·k·k weights plus C_out biases (C_in/groups per group when grouped).
- Conv and pool output size: (H + 2p − d·(k − 1) − 1) // s + 1, which for dilation d = 1 is (H + 2p − k) // s + 1.
- Memory: "MB" is 10⁶ bytes and "GB" 10⁹ bytes; float32 is 4 bytes, float16/bfloat16 2, int8 1.
- Percentages and "milli" parameters are integers so templates stay integer-valued: p_pct = 20 means p = 0.2.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Shape = tuple[int, ...]
Answer = int | float | Shape
Value = int | float | bool | str
Kind = Literal["numeric", "shape"]


@dataclass(frozen=True)
class Computed:
    """A calculator's answer and how it was obtained."""

    answer: Answer
    working: str


@dataclass(frozen=True)
class Calculator:
    """A named calculator: ``fn(**params) -> Computed`` and ``valid(**params) -> bool``."""

    name: str
    kind: Kind
    fn: Callable[..., Computed]
    valid: Callable[..., bool]
    summary: str

    def __call__(self, **params: Any) -> Computed:
        return self.fn(**params)

    def is_valid(self, **params: Any) -> bool:
        return bool(self.valid(**params))

    @property
    def required(self) -> frozenset[str]:
        """Argument names without a default."""
        sig = inspect.signature(self.fn)
        return frozenset(n for n, p in sig.parameters.items() if p.default is inspect.Parameter.empty)

    @property
    def accepted(self) -> frozenset[str]:
        """Every argument name the calculator takes."""
        return frozenset(inspect.signature(self.fn).parameters)


CALCULATORS: dict[str, Calculator] = {}


def _always(**_: Any) -> bool:
    """always valid"""
    return True


_Fn = Callable[..., Computed]


def _register(kind: Kind, valid: Callable[..., bool] = _always) -> Callable[[_Fn], _Fn]:
    def deco(fn: _Fn) -> _Fn:
        summary = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
        CALCULATORS[fn.__name__] = Calculator(fn.__name__, kind, fn, valid, summary)
        return fn

    return deco


# ---- formatting helpers -------------------------------------------------------------------------------------


def fmt(x: Answer) -> str:
    """An answer as people write it: ints with thousands separators, floats to 6 significant figures."""
    if isinstance(x, tuple):
        return "(" + ", ".join(str(d) for d in x) + ("," if len(x) == 1 else "") + ")"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return f"{x:,}"
    if abs(x) < 1e15 and x == int(x):
        return f"{int(x):,}"
    return f"{x:.6g}"


def _conv_size(H: int, k: int, s: int, p: int, d: int = 1) -> int:
    return (H + 2 * p - d * (k - 1) - 1) // s + 1


def _conv_line(name: str, H: int, k: int, s: int, p: int, d: int = 1) -> str:
    if d == 1:
        return f"{name} = ({H} + 2*{p} - {k}) // {s} + 1 = {_conv_size(H, k, s, p)}"
    return f"{name} = ({H} + 2*{p} - {d}*({k} - 1) - 1) // {s} + 1 = {_conv_size(H, k, s, p, d)}"


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


DTYPE_BYTES: dict[str, int] = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}
OPTIMIZER_VALUES: dict[str, int] = {"sgd": 2, "momentum": 3, "adam": 4}


# ---- shapes -------------------------------------------------------------------------------------------------


def _conv_ok(*, H: int, W: int | None = None, k: int, p: int = 0, d: int = 1, **_: Any) -> bool:
    """the dilated window fits the padded input: H + 2p >= d*(k - 1) + 1 (and W)"""
    span = d * (k - 1) + 1
    return H + 2 * p >= span and (W is None or W + 2 * p >= span)


@_register("shape", _conv_ok)
def conv2d_output_shape(
    *, N: int, C_in: int, H: int, W: int, C_out: int, k: int, s: int = 1, p: int = 0, d: int = 1
) -> Computed:
    """Output shape of Conv2d(C_in, C_out, k, stride=s, padding=p, dilation=d) on (N, C_in, H, W)."""
    h, w = _conv_size(H, k, s, p, d), _conv_size(W, k, s, p, d)
    working = "\n".join(
        [
            _conv_line("H_out", H, k, s, p, d),
            _conv_line("W_out", W, k, s, p, d),
            f"channels: C_out = {C_out}; the batch N = {N} is unchanged",
            f"output shape = ({N}, {C_out}, {h}, {w})",
        ]
    )
    return Computed((N, C_out, h, w), working)


@_register("numeric", _conv_ok)
def conv_output_size(*, H: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> Computed:
    """One spatial output size of a convolution or pooling window."""
    return Computed(_conv_size(H, k, s, p, d), _conv_line("H_out", H, k, s, p, d))


def _tconv_ok(*, H: int, k: int, s: int = 1, p: int = 0, output_padding: int = 0, **_: Any) -> bool:
    """a positive output size and output_padding < stride"""
    return (H - 1) * s - 2 * p + k + output_padding >= 1 and output_padding < max(s, 1)


@_register("numeric", _tconv_ok)
def conv_transpose_output_size(*, H: int, k: int, s: int = 1, p: int = 0, output_padding: int = 0) -> Computed:
    """One spatial output size of ConvTranspose2d: (H − 1)·s − 2p + k + output_padding."""
    out = (H - 1) * s - 2 * p + k + output_padding
    return Computed(out, f"H_out = ({H} - 1)*{s} - 2*{p} + {k} + {output_padding} = {out}")


def _pool_ok(*, H: int, W: int, k: int, p: int = 0, **_: Any) -> bool:
    """the window fits (H + 2p >= k, W + 2p >= k) and p <= k // 2 (as torch requires)"""
    return H + 2 * p >= k and W + 2 * p >= k and p <= k // 2


@_register("shape", _pool_ok)
def pool2d_output_shape(*, N: int, C: int, H: int, W: int, k: int, s: int, p: int = 0) -> Computed:
    """Output shape of MaxPool2d/AvgPool2d(k, stride=s, padding=p) on (N, C, H, W); channels are unchanged."""
    h, w = _conv_size(H, k, s, p), _conv_size(W, k, s, p)
    working = "\n".join(
        [
            _conv_line("H_out", H, k, s, p),
            _conv_line("W_out", W, k, s, p),
            f"pooling acts on each channel separately, so N = {N} and C = {C} are unchanged",
            f"output shape = ({N}, {C}, {h}, {w})",
        ]
    )
    return Computed((N, C, h, w), working)


@_register("shape")
def linear_output_shape(*, N: int, d_in: int, d_out: int) -> Computed:
    """Output shape of Linear(d_in, d_out) on a batch (N, d_in)."""
    working = (
        f"y = x @ W.T + b with x ({N}, {d_in}), W ({d_out}, {d_in}), b ({d_out},)\n"
        f"({N}, {d_in}) @ ({d_in}, {d_out}) -> ({N}, {d_out}); b broadcasts over the batch"
    )
    return Computed((N, d_out), working)


@_register("shape")
def linear_sequence_output_shape(*, B: int, T: int, d_in: int, d_out: int) -> Computed:
    """Output shape of Linear(d_in, d_out) applied to (B, T, d_in): it acts on the last axis only."""
    working = (
        f"Linear transforms the last axis and keeps every leading axis: ({B}, {T}, {d_in}) -> ({B}, {T}, {d_out})\n"
        f"(equivalently, reshape to ({B * T}, {d_in}), multiply by W.T, reshape back)"
    )
    return Computed((B, T, d_out), working)


@_register("shape")
def linear_weight_grad_shape(*, N: int, d_in: int, d_out: int) -> Computed:
    """Shape of dL/dW for Linear(d_in, d_out) (torch layout) on a batch of N."""
    working = (
        f"dW has the shape of W, which torch stores as (out, in) = ({d_out}, {d_in})\n"
        f"dW = dy.T @ x: ({d_out}, {N}) @ ({N}, {d_in}) -> ({d_out}, {d_in}); the batch is summed away"
    )
    return Computed((d_out, d_in), working)


@_register("shape")
def embedding_output_shape(*, B: int, T: int, V: int, D: int) -> Computed:
    """Output shape of Embedding(V, D) on integer ids of shape (B, T)."""
    working = (
        f"each id selects one row of the ({V}, {D}) table, so out.shape = ids.shape + (D,)\n"
        f"({B}, {T}) + ({D},) = ({B}, {T}, {D}); V = {V} only bounds the ids"
    )
    return Computed((B, T, D), working)


def _heads_ok(*, d_model: int, h: int, **_: Any) -> bool:
    """d_model divisible by the number of heads h"""
    return h >= 1 and d_model % h == 0


@_register("shape", _heads_ok)
def attention_scores_shape(*, B: int, h: int, Lq: int, Lk: int, d_model: int) -> Computed:
    """Shape of the attention weights softmax(QKᵀ/√d_head) in multi-head attention."""
    dh = d_model // h
    working = (
        f"d_head = {d_model} / {h} = {dh}; per head Q is ({B}, {h}, {Lq}, {dh}) and K is ({B}, {h}, {Lk}, {dh})\n"
        f"Q @ K.transpose(-2, -1): ({Lq}, {dh}) @ ({dh}, {Lk}) -> ({Lq}, {Lk}) for each batch and head\n"
        f"weights shape = ({B}, {h}, {Lq}, {Lk}); d_head is summed away"
    )
    return Computed((B, h, Lq, Lk), working)


@_register("shape")
def attention_output_shape(*, B: int, Lq: int, Lk: int, d_k: int, d_v: int) -> Computed:
    """Shape of softmax(QKᵀ/√d_k)·V for Q (B, Lq, d_k), K (B, Lk, d_k), V (B, Lk, d_v)."""
    working = (
        f"weights = softmax(Q @ K.T / sqrt({d_k})): ({B}, {Lq}, {d_k}) @ ({B}, {d_k}, {Lk}) -> ({B}, {Lq}, {Lk})\n"
        f"out = weights @ V: ({B}, {Lq}, {Lk}) @ ({B}, {Lk}, {d_v}) -> ({B}, {Lq}, {d_v})\n"
        "one output row per query, with V's feature size"
    )
    return Computed((B, Lq, d_v), working)


@_register("shape", _heads_ok)
def mha_split_heads_shape(*, B: int, T: int, d_model: int, h: int) -> Computed:
    """Shape of Q after splitting (B, T, d_model) into h heads and moving the head axis forward."""
    dh = d_model // h
    working = (
        f"d_head = {d_model} / {h} = {dh}\n"
        f"view: ({B}, {T}, {d_model}) -> ({B}, {T}, {h}, {dh}); transpose(1, 2) -> ({B}, {h}, {T}, {dh})"
    )
    return Computed((B, h, T, dh), working)


@_register("shape")
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


@_register("shape")
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


@_register("shape")
def lstm_output_shape(*, B: int, T: int, d_in: int, hidden: int, bidirectional: bool = False) -> Computed:
    """Shape of `output` from LSTM(d_in, hidden, batch_first=True) on (B, T, d_in)."""
    dirs = 2 if bidirectional else 1
    working = (
        f"output holds the top layer's hidden state at every time step, batch first: (B, T, dirs*hidden)\n"
        f"dirs = {dirs} ({'forward and backward states concatenated' if bidirectional else 'one direction'})\n"
        f"({B}, {T}, {dirs}*{hidden}) = ({B}, {T}, {dirs * hidden}); d_in = {d_in} only sizes the input weights"
    )
    return Computed((B, T, dirs * hidden), working)


def _im2col_ok(*, H: int, W: int, k: int, p: int = 0, **_: Any) -> bool:
    """the window fits: H + 2p >= k and W + 2p >= k"""
    return H + 2 * p >= k and W + 2 * p >= k


@_register("shape", _im2col_ok)
def im2col_shape(*, C: int, H: int, W: int, k: int, s: int = 1, p: int = 0) -> Computed:
    """Shape of the im2col matrix of one image (C, H, W) for a k×k convolution: one column per output position."""
    h, w = _conv_size(H, k, s, p), _conv_size(W, k, s, p)
    working = "\n".join(
        [
            _conv_line("H_out", H, k, s, p),
            _conv_line("W_out", W, k, s, p),
            f"rows: one per value in a patch, C*k*k = {C}*{k}*{k} = {C * k * k}",
            f"columns: one per output position, H_out*W_out = {h}*{w} = {h * w}",
            f"shape = ({C * k * k}, {h * w})",
        ]
    )
    return Computed((C * k * k, h * w), working)


def _patch_ok(*, H: int, P: int, **_: Any) -> bool:
    """the image side H is a multiple of the patch size P"""
    return P >= 1 and H % P == 0


@_register("shape", _patch_ok)
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


@_register("shape")
def flatten_shape(*, N: int, C: int, H: int, W: int) -> Computed:
    """Shape of nn.Flatten() (start_dim=1) applied to (N, C, H, W)."""
    return Computed(
        (N, C * H * W),
        f"Flatten keeps the batch axis and merges the rest: C*H*W = {C}*{H}*{W} = {C * H * W}\n"
        f"shape = ({N}, {C * H * W})",
    )


# ---- parameters and FLOPs -----------------------------------------------------------------------------------


def _conv_pool_ok(*, H: int, k: int, s: int = 1, p: int = 0, pool: int = 2, **_: Any) -> bool:
    """the window fits and the conv output is at least the pool size"""
    return H + 2 * p >= k and _conv_size(H, k, s, p) >= pool


@_register("numeric", _conv_pool_ok)
def conv_pool_flatten_features(
    *, H: int, C_in: int, C_out: int, k: int, s: int = 1, p: int = 0, pool: int = 2
) -> Computed:
    """in_features of the Linear after Conv2d(C_in, C_out, k, s, p) then MaxPool2d(pool) on H×H inputs."""
    hc = _conv_size(H, k, s, p)
    hp = (hc - pool) // pool + 1
    working = "\n".join(
        [
            _conv_line("conv H_out", H, k, s, p),
            f"pool H_out = ({hc} - {pool}) // {pool} + 1 = {hp}",
            f"in_features = C_out * H * W = {C_out} * {hp} * {hp} = {C_out * hp * hp:,}",
        ]
    )
    return Computed(C_out * hp * hp, working)


@_register("numeric")
def linear_params(*, d_in: int, d_out: int, bias: bool = True) -> Computed:
    """Parameters of Linear(d_in, d_out)."""
    n = d_in * d_out + (d_out if bias else 0)
    if bias:
        working = f"W: {d_out}*{d_in} = {d_in * d_out:,}; b: {d_out}; total = {n:,}"
    else:
        working = f"W: {d_out}*{d_in} = {n:,}; no bias"
    return Computed(n, working)


@_register("numeric")
def linear_flops(*, N: int, d_in: int, d_out: int) -> Computed:
    """Forward FLOPs of Linear(d_in, d_out) on N rows (2 per multiply-add; bias adds not counted)."""
    f = 2 * N * d_in * d_out
    return Computed(
        f,
        f"x @ W.T is ({N}, {d_in}) @ ({d_in}, {d_out}): {N}*{d_in}*{d_out} = {N * d_in * d_out:,} multiply-adds\n"
        f"FLOPs = 2 * {N * d_in * d_out:,} = {f:,} (the {N * d_out:,} bias adds are lower order)",
    )


@_register("numeric")
def mlp_params(*, d_in: int, h1: int, h2: int, d_out: int) -> Computed:
    """Parameters of Linear(d_in, h1) -> Linear(h1, h2) -> Linear(h2, d_out), all with bias."""
    sizes = [(d_in, h1), (h1, h2), (h2, d_out)]
    parts = [a * b + b for a, b in sizes]
    lines = [f"layer {i + 1}: {a}*{b} + {b} = {n:,}" for i, ((a, b), n) in enumerate(zip(sizes, parts, strict=True))]
    lines.append(f"total = {' + '.join(f'{n:,}' for n in parts)} = {sum(parts):,} (activations have no parameters)")
    return Computed(sum(parts), "\n".join(lines))


@_register("numeric")
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


@_register("numeric", _groups_ok)
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


def _conv_flops_ok(*, H: int, W: int, k: int, p: int = 0, **_: Any) -> bool:
    """the window fits: H + 2p >= k and W + 2p >= k"""
    return H + 2 * p >= k and W + 2 * p >= k


@_register("numeric", _conv_flops_ok)
def conv2d_flops(*, N: int, C_in: int, H: int, W: int, C_out: int, k: int, s: int = 1, p: int = 0) -> Computed:
    """Forward FLOPs of Conv2d(C_in, C_out, k, s, p) on (N, C_in, H, W) (2 per multiply-add; bias not counted)."""
    h, w = _conv_size(H, k, s, p), _conv_size(W, k, s, p)
    macs = N * C_out * h * w * C_in * k * k
    working = "\n".join(
        [
            _conv_line("H_out", H, k, s, p),
            _conv_line("W_out", W, k, s, p),
            f"outputs: N*C_out*H_out*W_out = {N}*{C_out}*{h}*{w} = {N * C_out * h * w:,}",
            f"each output is a dot product of C_in*k*k = {C_in}*{k}*{k} = {C_in * k * k} multiply-adds",
            f"FLOPs = 2 * {N * C_out * h * w:,} * {C_in * k * k} = {2 * macs:,}",
        ]
    )
    return Computed(2 * macs, working)


@_register("numeric")
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


@_register("numeric")
def embedding_params(*, V: int, D: int) -> Computed:
    """Parameters of Embedding(V, D)."""
    return Computed(V * D, f"one row of D = {D} per token: V*D = {V}*{D} = {V * D:,} (no bias)")


@_register("numeric", _heads_ok)
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


@_register("numeric")
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


@_register("numeric")
def swiglu_ffn_params(*, d_model: int, d_ff: int) -> Computed:
    """Parameters of a bias-free SwiGLU feed-forward: W_gate, W_up (d_model→d_ff) and W_down (d_ff→d_model)."""
    n = 3 * d_model * d_ff
    return Computed(n, f"three matrices of {d_model}*{d_ff}: 3*{d_model}*{d_ff} = {n:,}")


@_register("numeric")
def attention_core_flops(*, B: int, T: int, d_model: int) -> Computed:
    """FLOPs of QKᵀ and weights·V in self-attention over T tokens (projections and softmax not counted)."""
    qk = 2 * B * T * T * d_model
    return Computed(
        2 * qk,
        f"Q @ K.T: ({T}, {d_model}) @ ({d_model}, {T}) per sequence -> 2*{B}*{T}*{T}*{d_model} = {qk:,}\n"
        f"weights @ V: ({T}, {T}) @ ({T}, {d_model}) -> another {qk:,}\n"
        f"total = 4*B*T^2*d = {2 * qk:,} (quadratic in T; heads only split d)",
    )


@_register("numeric")
def rnn_params(*, d_in: int, hidden: int) -> Computed:
    """Parameters of a one-layer torch.nn.RNN(d_in, hidden) (two bias vectors, as torch has)."""
    n = hidden * d_in + hidden * hidden + 2 * hidden
    return Computed(
        n,
        f"W_ih: {hidden}*{d_in}; W_hh: {hidden}*{hidden}; b_ih and b_hh: 2*{hidden}\n"
        f"total = {hidden * d_in:,} + {hidden * hidden:,} + {2 * hidden} = {n:,}",
    )


@_register("numeric")
def lstm_params(*, d_in: int, hidden: int) -> Computed:
    """Parameters of a one-layer torch.nn.LSTM(d_in, hidden): four gates, two bias vectors."""
    per = hidden * d_in + hidden * hidden + 2 * hidden
    return Computed(
        4 * per,
        f"per gate: {hidden}*{d_in} + {hidden}*{hidden} + 2*{hidden} = {per:,}\n"
        f"4 gates (input, forget, cell, output): 4 * {per:,} = {4 * per:,}",
    )


@_register("numeric")
def layernorm_params(*, D: int) -> Computed:
    """Learnable parameters of LayerNorm(D)."""
    return Computed(2 * D, f"gamma and beta, one each per feature: 2*{D} = {2 * D:,}")


@_register("numeric")
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


@_register("numeric", _norm_ok)
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


@_register("numeric", _norm_ok)
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


# ---- memory -------------------------------------------------------------------------------------------------


@_register("numeric")
def tensor_memory_mb(*, N: int, C: int, H: int, W: int, bytes_per_value: int = 4) -> Computed:
    """Memory of one (N, C, H, W) tensor in MB (10⁶ bytes)."""
    n = N * C * H * W
    return Computed(
        n * bytes_per_value / 1e6,
        f"elements = {N}*{C}*{H}*{W} = {n:,}\nbytes = {n:,} * {bytes_per_value} = {n * bytes_per_value:,}"
        f" = {fmt(n * bytes_per_value / 1e6)} MB",
    )


@_register("numeric")
def mlp_activation_memory_mb(*, B: int, width: int, layers: int, bytes_per_value: int = 4) -> Computed:
    """Activations kept for backward by `layers` hidden layers of `width`, one (B, width) tensor each, in MB."""
    n = B * width * layers
    return Computed(
        n * bytes_per_value / 1e6,
        f"one ({B}, {width}) tensor per layer is kept for backward: {B}*{width}*{layers} = {n:,} values\n"
        f"{n:,} * {bytes_per_value} bytes = {fmt(n * bytes_per_value / 1e6)} MB (linear in batch size and depth)",
    )


@_register("numeric")
def attention_matrix_memory_mb(*, B: int, h: int, T: int, bytes_per_value: int = 4) -> Computed:
    """Memory of the (B, h, T, T) attention weights in MB."""
    n = B * h * T * T
    return Computed(
        n * bytes_per_value / 1e6,
        f"weights are ({B}, {h}, {T}, {T}): {B}*{h}*{T}^2 = {n:,} values\n"
        f"{n:,} * {bytes_per_value} bytes = {fmt(n * bytes_per_value / 1e6)} MB (quadratic in T)",
    )


@_register("numeric")
def kv_cache_gb(*, layers: int, B: int, T: int, d_model: int, bytes_per_value: int = 2) -> Computed:
    """KV-cache size in GB: a K and a V of (B, T, d_model) per layer."""
    n = 2 * layers * B * T * d_model
    return Computed(
        n * bytes_per_value / 1e9,
        f"K and V per layer: 2*{B}*{T}*{d_model}; times {layers} layers = {n:,} values\n"
        f"{n:,} * {bytes_per_value} bytes = {fmt(n * bytes_per_value / 1e9)} GB",
    )


def _opt_ok(*, optimizer: str, **_: Any) -> bool:
    """optimizer is sgd, momentum or adam"""
    return optimizer in OPTIMIZER_VALUES


@_register("numeric", _opt_ok)
def optimizer_memory_mb(*, params_m: int, optimizer: str, bytes_per_value: int = 4) -> Computed:
    """Memory for weights, gradients and optimizer state of a model with params_m million parameters, in MB."""
    k = OPTIMIZER_VALUES[optimizer]
    what = {"sgd": "weights + gradients", "momentum": "weights + gradients + velocity",
            "adam": "weights + gradients + m + v"}[optimizer]
    mb = params_m * k * bytes_per_value
    return Computed(
        mb,
        f"{optimizer}: {what} = {k} values per parameter\n"
        f"{params_m}e6 params * {k} * {bytes_per_value} bytes = {mb:,} MB (activations not included)",
    )


def _dtype_ok(*, dtype: str, **_: Any) -> bool:
    """dtype is one of float64, float32, float16, bfloat16, int8"""
    return dtype in DTYPE_BYTES


@_register("numeric", _dtype_ok)
def weights_memory_gb(*, params_b: int, dtype: str) -> Computed:
    """Memory of a model's weights alone, params_b billion parameters in `dtype`, in GB."""
    b = DTYPE_BYTES[dtype]
    return Computed(
        params_b * b,
        f"{dtype} is {b} byte(s) per value: {params_b}e9 * {b} bytes = {params_b * b} GB",
    )


# ---- small numeric facts ------------------------------------------------------------------------------------


def _index_ok(*, index: int, **_: Any) -> bool:
    """index is 1, 2 or 3"""
    return index in (1, 2, 3)


@_register("numeric", _index_ok)
def softmax_probability(*, z1: int, z2: int, z3: int, index: int) -> Computed:
    """softmax([z1, z2, z3])[index] with a 1-based index, computed the stable way."""
    zs = [z1, z2, z3]
    m = max(zs)
    es = [math.exp(z - m) for z in zs]
    p = es[index - 1] / sum(es)
    return Computed(
        p,
        f"subtract the max {m}: shifted = {[z - m for z in zs]}\n"
        f"exp -> [{', '.join(f'{e:.4g}' for e in es)}], sum = {sum(es):.4g}\n"
        f"p_{index} = {es[index - 1]:.4g} / {sum(es):.4g} = {p:.4g}",
    )


@_register("numeric")
def logsumexp3(*, z1: int, z2: int, z3: int) -> Computed:
    """log(exp(z1) + exp(z2) + exp(z3)) computed as m + log Σ exp(z − m)."""
    zs = [z1, z2, z3]
    m = max(zs)
    s = sum(math.exp(z - m) for z in zs)
    v = m + math.log(s)
    return Computed(
        v,
        f"m = max = {m}; Σ exp(z - m) = {' + '.join(f'exp({z - m})' for z in zs)} = {s:.6g}\n"
        f"LSE = {m} + log({s:.6g}) = {v:.6g}",
    )


def _temp_ok(*, T: int, **_: Any) -> bool:
    """temperature T >= 1"""
    return T >= 1


@_register("numeric", _temp_ok)
def softmax_temperature_probability(*, z1: int, z2: int, T: int) -> Computed:
    """P(class 1) for two logits z1, z2 at temperature T: softmax(z / T)[0]."""
    p = _sigmoid((z1 - z2) / T)
    return Computed(
        p,
        f"with two classes softmax(z/T)[0] = sigmoid((z1 - z2)/T) = sigmoid(({z1} - {z2})/{T})"
        f" = sigmoid({(z1 - z2) / T:.4g}) = {p:.4g}",
    )


def _prob_ok(*, p_pct: int, **_: Any) -> bool:
    """0 < p_pct < 100"""
    return 0 < p_pct < 100


@_register("numeric", _prob_ok)
def cross_entropy_from_probability(*, p_pct: int) -> Computed:
    """Cross-entropy of one example whose true class gets probability p_pct/100 (natural log)."""
    p = p_pct / 100
    return Computed(-math.log(p), f"L = -ln(p_true) = -ln({p:g}) = {-math.log(p):.4g}")


@_register("numeric")
def initial_cross_entropy(*, C: int) -> Computed:
    """Expected cross-entropy at initialisation for C classes with near-uniform predictions."""
    return Computed(math.log(C), f"uniform p = 1/{C}; L = -ln(1/{C}) = ln({C}) = {math.log(C):.4g}")


def _label_ok(*, y: int, **_: Any) -> bool:
    """the label y is 0 or 1"""
    return y in (0, 1)


@_register("numeric", _label_ok)
def bce_with_logits(*, z: int, y: int) -> Computed:
    """Binary cross-entropy with logit z and label y: softplus(−z) if y = 1, softplus(z) if y = 0."""
    t = -z if y == 1 else z
    v = max(t, 0) + math.log1p(math.exp(-abs(t)))
    return Computed(
        v,
        f"y = {y}: L = {'-ln(sigmoid(z)) = softplus(-z)' if y == 1 else '-ln(1 - sigmoid(z)) = softplus(z)'}"
        f" = log(1 + exp({t})) = {v:.4g}",
    )


def _smooth_ok(*, eps_pct: int, C: int, **_: Any) -> bool:
    """0 <= eps_pct < 100 and C >= 2"""
    return 0 <= eps_pct < 100 and C >= 2


@_register("numeric", _smooth_ok)
def label_smoothing_target(*, eps_pct: int, C: int) -> Computed:
    """Target probability of the true class with label smoothing ε over C classes (torch's convention)."""
    e = eps_pct / 100
    v = 1 - e + e / C
    return Computed(
        v,
        f"ε = {e:g} spread uniformly over all {C} classes: true class gets 1 - ε + ε/C"
        f" = 1 - {e:g} + {e:g}/{C} = {v:.6g}",
    )


@_register("numeric")
def mse_gradient(*, pred: int, target: int, n: int) -> Computed:
    """dL/dpred_i for L = mean over n elements of (pred − target)²."""
    g = 2 * (pred - target) / n
    return Computed(g, f"dL/dpred_i = 2 (pred_i - target_i) / n = 2*({pred} - {target})/{n} = {g:.6g}")


@_register("numeric")
def scalar_chain_rule(*, w: int, x: int, y: int) -> Computed:
    """dL/dw for L = (w·x − y)²."""
    r = w * x - y
    g = 2 * r * x
    return Computed(
        g,
        f"r = w*x - y = {w}*{x} - {y} = {r}; L = r^2 = {r * r}\n"
        f"dL/dw = dL/dr * dr/dw = 2r * x = 2*{r}*{x} = {g}",
    )


@_register("numeric")
def sigmoid_derivative(*, x: int) -> Computed:
    """σ'(x) = σ(x)(1 − σ(x))."""
    s = _sigmoid(x)
    return Computed(s * (1 - s), f"σ({x}) = {s:.4g}; σ' = σ(1 - σ) = {s:.4g}*{1 - s:.4g} = {s * (1 - s):.4g}")


@_register("numeric")
def tanh_derivative(*, x: int) -> Computed:
    """tanh'(x) = 1 − tanh(x)²."""
    t = math.tanh(x)
    return Computed(1 - t * t, f"tanh({x}) = {t:.6g}; 1 - tanh^2 = {1 - t * t:.4g}")


@_register("numeric")
def sigmoid_gradient_bound(*, L: int) -> Computed:
    """Upper bound 0.25^L on the product of L sigmoid derivatives (weights of magnitude ≤ 1)."""
    v = 0.25**L
    return Computed(v, f"σ' <= 0.25 everywhere (at 0), so the product of {L} factors is <= 0.25^{L} = {v:.4g}")


@_register("numeric")
def kaiming_std_conv(*, C_in: int, k: int) -> Computed:
    """He/Kaiming normal std for a ReLU conv layer: sqrt(2 / fan_in), fan_in = C_in·k·k."""
    fan = C_in * k * k
    v = math.sqrt(2 / fan)
    return Computed(v, f"fan_in = C_in*k*k = {C_in}*{k}*{k} = {fan}; std = sqrt(2/{fan}) = {v:.4g}")


@_register("numeric")
def xavier_uniform_bound(*, fan_in: int, fan_out: int) -> Computed:
    """Glorot/Xavier uniform bound a = sqrt(6 / (fan_in + fan_out)), weights ~ U(−a, a)."""
    v = math.sqrt(6 / (fan_in + fan_out))
    return Computed(v, f"a = sqrt(6 / ({fan_in} + {fan_out})) = sqrt(6/{fan_in + fan_out}) = {v:.4g}")


@_register("numeric")
def gradcheck_forward_passes(*, P: int) -> Computed:
    """Forward passes to check all P parameters by centred differences (two per parameter)."""
    return Computed(2 * P, f"each parameter needs f(θ + h) and f(θ - h): 2*{P:,} = {2 * P:,} forward passes")


@_register("numeric")
def sgd_momentum_velocity(*, g: int, mu_pct: int, t: int) -> Computed:
    """torch SGD momentum buffer after t steps of a constant gradient g: v ← μ·v + g, v₁ = g."""
    mu = mu_pct / 100
    v = g * sum(mu**i for i in range(t))
    return Computed(
        v,
        f"v_t = g (1 + μ + ... + μ^(t-1)) = g (1 - μ^t)/(1 - μ) with μ = {mu:g}, t = {t}\n"
        f"= {g} * {sum(mu**i for i in range(t)):.6g} = {v:.6g}",
    )


def _beta_ok(*, beta_milli: int, t: int, **_: Any) -> bool:
    """0 < beta_milli < 1000 and t >= 1"""
    return 0 < beta_milli < 1000 and t >= 1


@_register("numeric", _beta_ok)
def adam_bias_correction(*, beta_milli: int, t: int) -> Computed:
    """Adam's bias-correction multiplier 1 / (1 − β^t) at step t, β = beta_milli / 1000."""
    b = beta_milli / 1000
    d = 1 - b**t
    return Computed(1 / d, f"1 - β^t = 1 - {b:g}^{t} = {d:.6g}; multiplier = 1/{d:.6g} = {1 / d:.6g}")


def _warm_ok(*, warmup: int, step: int, **_: Any) -> bool:
    """1 <= step <= warmup"""
    return 1 <= step <= warmup


@_register("numeric", _warm_ok)
def warmup_lr(*, peak_e4: int, warmup: int, step: int) -> Computed:
    """Learning rate at `step` (1-based) of a linear warm-up from 0 to peak_e4·1e-4 over `warmup` steps."""
    v = peak_e4 * 1e-4 * step / warmup
    return Computed(v, f"lr = peak * step / warmup = {peak_e4}e-4 * {step}/{warmup} = {v:.6g}")


def _cos_ok(*, total: int, step: int, **_: Any) -> bool:
    """0 <= step <= total"""
    return 0 <= step <= total and total >= 1


@_register("numeric", _cos_ok)
def cosine_lr(*, peak_e4: int, total: int, step: int) -> Computed:
    """Cosine decay from peak_e4·1e-4 to 0 over `total` steps: lr = peak·(1 + cos(π·step/total))/2."""
    peak = peak_e4 * 1e-4
    c = math.cos(math.pi * step / total)
    v = peak * (1 + c) / 2
    return Computed(v, f"cos(π*{step}/{total}) = {c:.4g}; lr = {peak:g} * (1 + {c:.4g})/2 = {v:.6g}")


@_register("numeric")
def training_steps(*, N: int, B: int, epochs: int) -> Computed:
    """Optimizer steps for `epochs` epochs over N examples in batches of B, keeping the last partial batch."""
    per = -(-N // B)
    return Computed(per * epochs, f"steps per epoch = ceil({N}/{B}) = {per}; total = {per}*{epochs} = {per * epochs:,}")


@_register("numeric")
def effective_batch_size(*, B: int, accum: int, devices: int) -> Computed:
    """Examples per optimizer step with data parallelism and gradient accumulation."""
    v = B * accum * devices
    return Computed(v, f"per-device batch * accumulation steps * devices = {B}*{accum}*{devices} = {v:,}")


def _drop_ok(*, p_pct: int, **_: Any) -> bool:
    """0 <= p_pct < 100"""
    return 0 <= p_pct < 100


@_register("numeric", _drop_ok)
def dropout_kept_value(*, x: int, p_pct: int) -> Computed:
    """Training-mode output of inverted dropout for a kept element x, drop probability p_pct/100."""
    p = p_pct / 100
    v = x / (1 - p)
    return Computed(v, f"kept elements are scaled by 1/(1 - p) = 1/{1 - p:g}: {x} / {1 - p:g} = {v:.6g}")


@_register("numeric", _drop_ok)
def dropout_expected_zeros(*, n: int, p_pct: int) -> Computed:
    """Expected number of zeroed elements when dropout with p = p_pct/100 acts on n elements in training."""
    v = n * p_pct / 100
    return Computed(v, f"each element is dropped with probability p = {p_pct / 100:g}: {n} * {p_pct / 100:g} = {v:g}")


@_register("numeric")
def bn_running_mean_update(*, running: int, batch_mean: int, momentum_pct: int) -> Computed:
    """torch's running-mean update (1 − m)·running + m·batch_mean, m = momentum_pct/100."""
    m = momentum_pct / 100
    v = (1 - m) * running + m * batch_mean
    return Computed(v, f"(1 - {m:g})*{running} + {m:g}*{batch_mean} = {v:.6g}")


def _var_ok(*, var: int, **_: Any) -> bool:
    """var > 0"""
    return var > 0


@_register("numeric", _var_ok)
def batchnorm_eval_output(*, x: int, mean: int, var: int, gamma: int, beta: int) -> Computed:
    """BatchNorm output in eval mode for one value (eps = 1e-5, negligible at this precision)."""
    v = gamma * (x - mean) / math.sqrt(var + 1e-5) + beta
    return Computed(
        v,
        f"eval uses the running statistics: γ (x - μ)/sqrt(σ² + eps) + β\n"
        f"= {gamma}*({x} - {mean})/sqrt({var}) + {beta} = {v:.6g}",
    )


# Calculators kept in their own modules register themselves here on import.
from questions import calc_cnn, calc_llm, calc_training  # noqa: E402, F401
