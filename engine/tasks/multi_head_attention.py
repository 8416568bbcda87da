"""Task ``multi_head_attention``: multi-head attention forward (torch Linear layout, no biases).

x_q (N, Lq, E), x_kv (N, Lk, E), W_q, W_k, W_v, W_o (E, E) applied as x @ W.T; head h uses the contiguous features
h*d ... (h+1)*d - 1 of the projections (d = E / num_heads); per head softmax(q k^T / sqrt(d)) over the keys, with an
optional boolean mask (True = may attend) broadcastable to (N, num_heads, Lq, Lk); heads concatenated in order, then
out = concat @ W_o.T, shape (N, Lq, E).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import normal, params


def split_heads(a: np.ndarray, heads: int) -> np.ndarray:
    """(N, L, E) -> (N, heads, L, d), d = E / heads: head h owns the contiguous features h*d ... (h+1)*d - 1."""
    n, length, e = a.shape
    return a.reshape(n, length, heads, e // heads).transpose(0, 2, 1, 3)


def merge_heads(a: np.ndarray) -> np.ndarray:
    """(N, heads, L, d) -> (N, L, heads * d), the heads back in order: the inverse of :func:`split_heads`."""
    n, heads, length, d = a.shape
    return a.transpose(0, 2, 1, 3).reshape(n, length, heads * d)


def project_heads(
    x_q: np.ndarray, x_kv: np.ndarray, W_q: np.ndarray, W_k: np.ndarray, W_v: np.ndarray, heads: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """q (N, heads, Lq, d), k and v (N, heads, Lk, d): the projections x @ W.T split into contiguous heads."""
    return split_heads(x_q @ W_q.T, heads), split_heads(x_kv @ W_k.T, heads), split_heads(x_kv @ W_v.T, heads)


def _split(a: np.ndarray, heads: int, how: str) -> np.ndarray:
    """(N, L, E) -> (N, heads, L, d): "contiguous" (the contract), "interleaved" ((d, heads) order of the features)
    or "reshape" (a plain reshape to (N, heads, L, d) without moving the sequence axis)."""
    n, length, e = a.shape
    d = e // heads
    if how == "contiguous":
        return split_heads(a, heads)
    if how == "interleaved":
        return a.reshape(n, length, d, heads).transpose(0, 3, 1, 2)
    return a.reshape(n, heads, length, d)


def _merge(a: np.ndarray, how: str) -> np.ndarray:
    """(N, heads, L, d) -> (N, L, E), the inverse of :func:`_split` for the same ``how``."""
    n, heads, length, d = a.shape
    if how == "contiguous":
        return merge_heads(a)
    if how == "interleaved":
        return a.transpose(0, 2, 3, 1).reshape(n, length, heads * d)
    return a.reshape(n, length, heads * d)


def _softmax(s: np.ndarray, axis: int) -> np.ndarray:
    m = np.max(s, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    e = np.exp(s - m)
    p: np.ndarray = e / e.sum(axis=axis, keepdims=True)
    return p


def _variant_attend(
    inputs: Mapping[str, Any],
    split: str = "contiguous",
    merge: str | None = None,
    scale_dim: str = "head",
    axis: int = -1,
    output_projection: bool = True,
) -> np.ndarray:
    """Multi-head attention with knobs for the classic mistakes (the detectors build their variants with it);
    ``inputs`` are the forward's arguments by name (``call_inputs``)."""
    x_q, x_kv, num_heads, mask = inputs["x_q"], inputs["x_kv"], inputs["num_heads"], inputs["mask"]
    e = x_q.shape[-1]
    d = e // num_heads
    q, k, v = (_split(x @ inputs[w].T, num_heads, split) for x, w in ((x_q, "W_q"), (x_kv, "W_k"), (x_kv, "W_v")))
    scale = {"head": np.sqrt(d), "model": np.sqrt(e), "none": 1.0}[scale_dim]
    s = q @ np.swapaxes(k, -1, -2) / scale
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    with np.errstate(invalid="ignore"):
        p = _softmax(s, axis)
    concat = _merge(p @ v, merge or split)
    if not output_projection:
        return concat
    out: np.ndarray = concat @ inputs["W_o"].T
    return out


def multi_head_attention_forward(
    x_q: np.ndarray,
    x_kv: np.ndarray,
    W_q: np.ndarray,
    W_k: np.ndarray,
    W_v: np.ndarray,
    W_o: np.ndarray,
    num_heads: int,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """x_q (N, Lq, E), x_kv (N, Lk, E), W_* (E, E), mask broadcastable to (N, heads, Lq, Lk) -> out (N, Lq, E)."""
    d = x_q.shape[-1] // num_heads
    q, k, v = project_heads(x_q, x_kv, W_q, W_k, W_v, num_heads)  # each (N, heads, L, d)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)  # (N, heads, Lq, Lk), scaled by the head size
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)  # every query row keeps at least one True
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = weights / weights.sum(axis=-1, keepdims=True)  # softmax over the keys
    concat = merge_heads(weights @ v)  # (N, Lq, E)
    out: np.ndarray = concat @ W_o.T
    return out


# ---------------------------------------------------------------------------------------------------- cases


def _causal(lq: int, lk: int) -> np.ndarray:
    """(Lq, Lk): query i may attend to keys up to its own position, queries aligned with the last keys."""
    return np.arange(lk)[None, :] <= np.arange(lq)[:, None] + (lk - lq)


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    # name, N, Lq, Lk, E, heads, mask kind, self-attention, what
    shapes: list[tuple[str, int, int, int, int, int, str, bool, str]] = [
        ("example", 2, 3, 4, 4, 2, "none", False, "N = 2, Lq = 3, Lk = 4, E = 4, 2 heads of size 2, no mask"),
        ("batch1", 1, 2, 5, 6, 3, "none", False, "a batch of one, 3 heads of size 2"),
        ("self_attention", 2, 4, 4, 8, 2, "none", True, "self-attention (x_kv = x_q), 2 heads of size 4"),
        ("lq_larger", 2, 5, 3, 6, 2, "none", False, "more queries than keys, 2 heads of size 3"),
        ("four_heads", 1, 3, 4, 8, 4, "none", False, "4 heads of size 2"),
        ("one_head", 2, 3, 3, 4, 1, "none", False, "a single head: d = E"),
        ("head_dim1", 1, 3, 4, 3, 3, "none", False, "3 heads of size 1"),
        ("causal", 2, 4, 4, 6, 2, "causal", True, "self-attention with a causal (Lq, Lk) mask"),
        ("causal_lq_smaller", 2, 2, 5, 4, 2, "causal", False, "causal mask, Lq < Lk (aligned with the last keys)"),
        ("key_padding", 3, 3, 5, 6, 3, "padding", False, "a (N, 1, 1, Lk) key-padding mask, lengths differ"),
        ("per_head_mask", 2, 3, 4, 4, 2, "full", False, "a full (N, num_heads, Lq, Lk) mask, different per head"),
    ]
    for name, n, lq, lk, e, heads, kind, self_attention, what in shapes:
        x_q = normal(rng, n, lq, e)
        x_kv = x_q.copy() if self_attention else normal(rng, n, lk, e)
        # Weights scaled by 1/sqrt(E): projections and scores of order 1, so the softmax is far from uniform and
        # far from one-hot.
        w = {k: normal(rng, e, e, scale=1.3 / np.sqrt(e)) for k in ("W_q", "W_k", "W_v", "W_o")}
        args: dict[str, Any] = {"x_q": x_q, "x_kv": x_kv, **w, "num_heads": heads}
        if kind == "causal":
            args["mask"] = _causal(lq, lk)
        elif kind == "padding":
            lengths = np.array([lk, 2, 4][:n])
            args["mask"] = (np.arange(lk)[None, :] < lengths[:, None]).reshape(n, 1, 1, lk)
        elif kind == "full":
            mask = rng.random((n, heads, lq, lk)) < 0.6
            mask[..., 0] |= ~mask.any(axis=-1)  # every query row keeps at least one key
            args["mask"] = mask
        visible = name == "example"
        cases.append(Case(f"forward_{name}", (Call("multi_head_attention_forward", args),), visible, description=what))
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def call_inputs(ctx: DiagnosisContext) -> dict[str, Any]:
    """The failing call's inputs: float64 arrays, an int num_heads and a boolean mask (or None)."""
    a = ctx.call.args
    out: dict[str, Any] = {k: np.asarray(a[k], dtype=np.float64) for k in ("x_q", "x_kv", "W_q", "W_k", "W_v", "W_o")}
    out["num_heads"] = int(a["num_heads"])
    out["mask"] = None if a.get("mask") is None else np.asarray(a["mask"], dtype=bool)
    return out


def _variant(ctx: DiagnosisContext, **knobs: Any) -> np.ndarray:
    args = call_inputs(ctx)
    if "mask" in knobs:
        args["mask"] = knobs.pop("mask")
    with np.errstate(all="ignore"):
        return _variant_attend(args, **knobs)


def _matches(ctx: DiagnosisContext, **knobs: Any) -> bool:
    return diagnose.matches_variant(ctx.got.get("out"), _variant(ctx, **knobs), ctx.expected["out"])


def _scale(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, scale_dim="model"):
        return (
            "the scores are divided by sqrt(E), the model width; each head divides by sqrt(d) with d = E / num_heads,"
            " the head size"
        )
    if _matches(ctx, scale_dim="none"):
        return "the scores are not scaled: divide each head's q k^T by sqrt(d), d = E / num_heads"
    return None


def _head_split(ctx: DiagnosisContext) -> str | None:
    contiguous = (
        "head h uses the contiguous features h*d ... (h+1)*d - 1: reshape the projections to (N, L, num_heads, d),"
        " then move the heads axis forward (and undo exactly that to concatenate)"
    )
    for split, merge in (
        ("interleaved", "interleaved"),
        ("interleaved", "contiguous"),
        ("contiguous", "interleaved"),
    ):
        if _matches(ctx, split=split, merge=merge):
            return f"the heads are interleaved (features taken in (d, num_heads) order); {contiguous}"
    for split, merge in (("reshape", "reshape"), ("reshape", "contiguous"), ("contiguous", "reshape")):
        if _matches(ctx, split=split, merge=merge):
            return (
                "the heads are split or merged with a plain reshape between (N, L, E) and (N, num_heads, L, d), which"
                f" mixes sequence positions with features; {contiguous}"
            )
    return None


def _no_output_projection(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, output_projection=False):
        return "W_o is never applied: out = concat(heads) @ W_o.T"
    return None


def _softmax_axis(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, axis=-2):
        return "the softmax is taken over the queries axis; each query's weights must sum to 1 over the keys"
    return None


def _mask_ignored(ctx: DiagnosisContext) -> str | None:
    if ctx.call.args.get("mask") is not None and _matches(ctx, mask=None):
        return "the mask is ignored: positions where mask is False must get attention weight 0"
    return None


def _mask_inverted(ctx: DiagnosisContext) -> str | None:
    args = call_inputs(ctx)
    mask, got, exp = args["mask"], ctx.got.get("out"), ctx.expected["out"]
    if mask is None or got is None or got.shape != exp.shape:
        return None
    n, lq, lk = exp.shape[0], exp.shape[1], args["x_kv"].shape[1]
    inverted: np.ndarray = np.broadcast_to(~mask, (n, args["num_heads"], lq, lk))
    rows = np.all(np.any(inverted, axis=-1), axis=1)  # (N, Lq): query rows where every head has something to attend to
    if not rows.any():
        return None
    variant = _variant(ctx, mask=inverted)
    if diagnose.matches_variant(got[rows], variant[rows], exp[rows]):
        return "the mask is inverted: True means the position MAY be attended to; mask out where it is False"
    return None


FORWARD = FunctionSpec(
    "multi_head_attention_forward",
    params("x_q", "x_kv", "W_q", "W_k", "W_v", "W_o", "num_heads", mask="None"),
    ("out",),
)

TASK = Task(
    id="multi_head_attention",
    title="Multi-head attention forward",
    functions=(FORWARD,),
    reference={"multi_head_attention_forward": multi_head_attention_forward},
    make_cases=_cases,
    detectors={
        "multi_head_attention_forward": (
            _scale,
            _head_split,
            _no_output_projection,
            _softmax_axis,
            _mask_ignored,
            _mask_inverted,
        ),
    },
)
