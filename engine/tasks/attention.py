"""Task ``attention``: scaled dot-product attention with an optional boolean mask, and its backward.

Q (..., Lq, d), K (..., Lk, d), V (..., Lk, dv); weights = softmax(Q K^T / sqrt(d)) over the keys (last) axis;
mask broadcastable to (..., Lq, Lk), True = may attend, masked weights exactly 0; out (..., Lq, dv).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, Detector, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import normal, params, upstream
from engine.tasks.softmax import stable_softmax


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def attention_weights(
    Q: np.ndarray,
    K: np.ndarray,
    mask: np.ndarray | None,
    *,
    scale: float | None = None,
    axis: int = -1,
    mask_mode: str = "before",
) -> np.ndarray:
    """Attention weights softmax(Q K^T * scale) (..., Lq, Lk), masked positions weighted 0; scale is 1/sqrt(d).

    Knobs for the detectors' mistakes: ``mask_mode``: "before" (masked scores -> -inf, the reference), "after" (zero
    the weights after the softmax without renormalising), "zero" (multiply the scores by the mask, so masked scores
    become 0).
    """
    d = Q.shape[-1]
    s = (Q @ _t(K)) * (1.0 / np.sqrt(d) if scale is None else scale)
    if mask is None:
        return stable_softmax(s, axis)
    if mask_mode == "after":
        return np.asarray(stable_softmax(s, axis) * mask, dtype=np.float64)
    if mask_mode == "zero":
        return stable_softmax(s * mask, axis)
    with np.errstate(invalid="ignore"):
        return stable_softmax(np.where(mask, s, -np.inf), axis)


def attention_forward(Q: np.ndarray, K: np.ndarray, V: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Q (..., Lq, d), K (..., Lk, d), V (..., Lk, dv), mask broadcastable to (..., Lq, Lk) -> out (..., Lq, dv)."""
    out: np.ndarray = attention_weights(Q, K, mask) @ V
    return out


def attention_gradients(
    dout: np.ndarray,
    Q: np.ndarray,
    K: np.ndarray,
    V: np.ndarray,
    mask: np.ndarray | None,
    *,
    scale: float | None = None,
    full_jacobian: bool = True,
    scale_in_backward: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dQ, dK, dV of the attention output (the shapes of Q, K, V).

    Knobs for the detectors' mistakes (``mha_backward`` uses them too): ``scale`` replaces 1/sqrt(d),
    ``full_jacobian`` False keeps only the softmax Jacobian's diagonal,
    ``scale_in_backward`` False leaves the scale out of dS."""
    d = Q.shape[-1]
    c = 1.0 / np.sqrt(d) if scale is None else scale
    P = attention_weights(Q, K, mask, scale=c)
    dV = _t(P) @ dout
    dP = dout @ _t(V)
    dS = P * (dP - (dP * P).sum(axis=-1, keepdims=True)) if full_jacobian else P * dP
    if scale_in_backward:
        dS = dS * c
    return dS @ K, _t(dS) @ Q, dV


def attention_backward(
    dout: np.ndarray, Q: np.ndarray, K: np.ndarray, V: np.ndarray, mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dout (..., Lq, dv) -> dQ, dK, dV with the shapes of Q, K, V."""
    return attention_gradients(dout, Q, K, V, mask)


# ---------------------------------------------------------------------------------------------------- cases


def _causal(lq: int, lk: int) -> np.ndarray:
    """Query i may attend to keys up to its own position, queries aligned with the last keys."""
    return np.arange(lk)[None, :] <= np.arange(lq)[:, None] + (lk - lq)


def _key_padding(lengths: list[int], lk: int, extra_axes: int) -> np.ndarray:
    """A (B, 1, ..., 1, Lk) mask with ``extra_axes`` ones: example b may attend to its first lengths[b] keys."""
    m = np.arange(lk)[None, :] < np.array(lengths)[:, None]
    return m.reshape((len(lengths),) + (1,) * extra_axes + (lk,))


def large_scores(
    rng: np.random.Generator, lead: tuple[int, ...], lq: int, lk: int, d: int, sign: float
) -> tuple[np.ndarray, np.ndarray]:
    """Q and K whose scores Q K^T / sqrt(d) reach 1e3 in magnitude.

    sign > 0: scores of both signs, the largest +1e3 (exp overflows without the max subtraction); sign < 0: every
    score within a few tens of -1e3 (exp underflows to 0 in every row without it).

    Q and K are multiples of 1/4 and d = 4 (sqrt(d) = 2), so every score is exact in float32 as well: scores near
    1e3 computed in float32 are otherwise off by about 1e-4, which a row whose top scores lie close together turns
    into an error in the weights at the tolerance itself; and Q and K are scaled up alike, since dK = dS^T Q (and dQ
    = dS K) multiplies the rounding of dS by them (a correct float32 submission failed about 2% of seeds).
    """
    if d != 4:
        raise ValueError("large-score cases need d = 4, so that their scores are exact in float32")
    if sign > 0:
        Q, K = normal(rng, *lead, lq, d), normal(rng, *lead, lk, d)
    else:
        u = np.ones(d) / np.sqrt(d)
        Q = 40.0 * u + normal(rng, *lead, lq, d, scale=0.5)
        K = -50.0 * u + normal(rng, *lead, lk, d, scale=0.5)
    s = (Q @ _t(K)) / np.sqrt(d)
    if sign > 0 and s.max() < -s.min():
        Q = -Q  # make the largest-magnitude score a positive one
    root = np.sqrt(1e3 / np.abs(s).max())  # both scaled alike: a gradient holding the other one stays moderate
    return _quarters(Q * root), _quarters(K * root)


def _quarters(a: np.ndarray) -> np.ndarray:
    """``a`` rounded to multiples of 1/4 (exact in float32 at these magnitudes)."""
    out: np.ndarray = np.round(a * 4.0) / 4.0
    return out


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    # name, leading axes, Lq, Lk, d, dv, mask kind, what
    shapes: list[tuple[str, tuple[int, ...], int, int, int, int, str, str]] = [
        ("example", (), 3, 5, 4, 2, "none", "one sequence: 3 queries, 5 keys, d = 4, dv = 2, no mask"),
        ("batched", (2,), 4, 3, 8, 5, "none", "a batch of 2, Lq = 4 > Lk = 3, d = 8, dv = 5"),
        ("heads", (2, 3), 3, 6, 4, 3, "none", "batch and heads: leading axes (2, 3)"),
        ("batch1_single_query", (1,), 1, 4, 6, 2, "none", "a batch of one with a single query"),
        ("causal", (2,), 5, 5, 4, 3, "causal", "a causal (Lq, Lk) mask shared by the batch"),
        (
            "causal_heads",
            (2, 2),
            3,
            5,
            8,
            4,
            "causal",
            "a causal mask with Lq < Lk (queries aligned with the last keys), leading axes (2, 2)",
        ),
        ("key_padding", (3,), 4, 6, 4, 5, "padding", "a (B, 1, Lk) key-padding mask: different lengths per example"),
        ("key_padding_heads", (2, 2), 3, 4, 6, 2, "padding", "a (B, 1, 1, Lk) key-padding mask across heads"),
        ("key_mask_1d", (), 4, 5, 3, 3, "keys", "a 1-D (Lk,) mask on the keys"),
        ("large_scores", (2,), 4, 5, 4, 3, "large", "scores up to 1e3 in magnitude: subtract the row maximum"),
        ("large_negative", (), 3, 4, 4, 2, "large_negative", "every score around -1e3: exp underflows without care"),
        ("large_masked", (2,), 4, 4, 4, 2, "large_causal", "scores up to 1e3 with a causal mask"),
    ]
    for name, lead, lq, lk, d, dv, kind, what in shapes:
        visible = name == "example"
        for fn in ("forward", "backward"):
            if kind.startswith("large"):
                Q, K = large_scores(rng, lead, lq, lk, d, -1.0 if kind == "large_negative" else 1.0)
            else:
                Q, K = normal(rng, *lead, lq, d), normal(rng, *lead, lk, d)
            V = normal(rng, *lead, lk, dv)
            mask: np.ndarray | None = None
            if kind in ("causal", "large_causal"):
                mask = _causal(lq, lk)
            elif kind == "padding":
                lengths = [int(v) for v in rng.integers(1, lk, size=lead[0])]
                lengths[0] = lk - 1
                mask = _key_padding(lengths, lk, len(lead))
            elif kind == "keys":
                mask = np.ones(lk, dtype=bool)
                mask[[1, 3]] = False
            args: dict[str, Any] = {"Q": Q, "K": K, "V": V}
            if mask is not None:
                args["mask"] = mask
            if fn == "backward":
                args = {"dout": upstream(rng, *lead, lq, dv), **args}
            cases.append(Case(f"{fn}_{name}", (Call(f"attention_{fn}", args),), visible, description=f"{fn}: {what}"))
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _qkv(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    a = ctx.call.args
    mask = a.get("mask")
    return (
        np.asarray(a["Q"], dtype=np.float64),
        np.asarray(a["K"], dtype=np.float64),
        np.asarray(a["V"], dtype=np.float64),
        None if mask is None else np.asarray(mask, dtype=bool),
    )


def _matches(ctx: DiagnosisContext, **knobs: Any) -> bool:
    return diagnose.matches_variant(ctx.got.get("out"), _out_variant(ctx, **knobs), ctx.expected["out"])


def _out_variant(ctx: DiagnosisContext, **knobs: Any) -> np.ndarray:
    Q, K, V, mask = _qkv(ctx)
    mask = knobs.pop("mask", mask)
    with np.errstate(all="ignore"):
        out: np.ndarray = attention_weights(Q, K, mask, **knobs) @ V
    return out


def _overflowing_rows(ctx: DiagnosisContext) -> list[np.ndarray]:
    """Query rows (..., Lq) a softmax without the max subtraction turns into NaN or inf: in float64, in float32."""
    Q, K, _V, mask = _qkv(ctx)
    s = (Q @ _t(K)) / np.sqrt(Q.shape[-1])
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    rows = []
    with np.errstate(all="ignore"):
        for dtype in (np.float64, np.float32):
            e = np.exp(s.astype(dtype))
            rows.append(~np.isfinite(e / e.sum(axis=-1, keepdims=True)).all(axis=-1))
    return rows


def _overflow(output: str) -> Detector:
    """``output`` is right except in exactly the rows where a softmax without the max subtraction breaks down."""

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        if got is None or got.shape != exp.shape or got.dtype.kind != "f" or not np.all(np.isfinite(exp)):
            return None
        bad = ~np.isfinite(got).all(axis=-1)
        if not bad.any() or not any(np.array_equal(bad, rows) for rows in _overflowing_rows(ctx)):
            return None
        if not diagnose.close(got[~bad], exp[~bad]):
            return None
        return (
            f"{output} is NaN or inf when the scores are large (up to 1e3 in magnitude): exp overflows, or underflows"
            " to 0 in a whole row, unless each row's maximum score is subtracted before exponentiating"
        )

    return detect


def _softmax_axis(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, axis=-2):
        return (
            "the softmax is taken over the queries axis; each query's weights must sum to 1 over the keys"
            " (the last axis of the scores)"
        )
    return None


def _scale(ctx: DiagnosisContext) -> str | None:
    Q, _K, V, _mask = _qkv(ctx)
    d, dv = Q.shape[-1], V.shape[-1]
    options = [
        (1.0, "the scores are not scaled: divide Q K^T by sqrt(d)"),
        (1.0 / d, "the scores are divided by d; divide them by sqrt(d)"),
        (float(np.sqrt(d)), "the scores are multiplied by sqrt(d); divide them by sqrt(d)"),
    ]
    if dv != d:
        options.append(
            (1.0 / np.sqrt(dv), "the scores are divided by sqrt(dv); the scale uses d, the size of Q and K rows")
        )
    for scale, text in options:
        if _matches(ctx, scale=scale):
            return text
    return None


def _mask_after_softmax(ctx: DiagnosisContext) -> str | None:
    if ctx.call.args.get("mask") is None:
        return None
    if _matches(ctx, mask_mode="after"):
        return (
            "the mask is applied after the softmax, so the remaining weights no longer sum to 1: set masked scores"
            " to -inf before the softmax"
        )
    return None


def _mask_as_zero(ctx: DiagnosisContext) -> str | None:
    if ctx.call.args.get("mask") is None:
        return None
    if _matches(ctx, mask_mode="zero"):
        return (
            "masked scores are set to 0 (scores * mask), which still gives them weight; set them to -inf (or a very"
            " large negative number) before the softmax"
        )
    return None


def _mask_ignored(ctx: DiagnosisContext) -> str | None:
    if ctx.call.args.get("mask") is None:
        return None
    if _matches(ctx, mask=None):
        return "the mask is ignored: masked positions (mask False) must get weight 0"
    return None


def _mask_inverted(ctx: DiagnosisContext) -> str | None:
    Q, K, _V, mask = _qkv(ctx)
    got = ctx.got.get("out")
    if mask is None or got is None or got.shape != ctx.expected["out"].shape:
        return None
    inverted = np.broadcast_to(~mask, (*Q.shape[:-1], K.shape[-2]))
    rows = inverted.any(axis=-1)  # query rows the inverted mask leaves something to attend to
    if not rows.any():
        return None
    variant = _out_variant(ctx, mask=inverted)
    if diagnose.matches_variant(got[rows], variant[rows], ctx.expected["out"][rows]):
        return "the mask is inverted: True means the position MAY be attended to; mask out where it is False"
    return None


def _backward_variant(ctx: DiagnosisContext, **knobs: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    Q, K, V, mask = _qkv(ctx)
    mask = knobs.pop("mask", mask)
    dout = np.asarray(ctx.call.args["dout"], dtype=np.float64)
    with np.errstate(all="ignore"):
        return attention_gradients(dout, Q, K, V, mask, **knobs)


def _explains(ctx: DiagnosisContext, variant: tuple[np.ndarray, np.ndarray, np.ndarray]) -> bool:
    """All three gradients agree with the variant, and the variant differs from the reference somewhere."""
    names = ("dQ", "dK", "dV")
    if not all(diagnose.close(ctx.got.get(n), v) for n, v in zip(names, variant, strict=True)):
        return False
    return not all(diagnose.close(v, ctx.expected[n]) for n, v in zip(names, variant, strict=True))


def _softmax_jacobian(ctx: DiagnosisContext) -> str | None:
    if _explains(ctx, _backward_variant(ctx, full_jacobian=False)):
        return (
            "the softmax backward keeps only the diagonal of its Jacobian (dS = P * dP); each weight depends on every"
            " score in its row: dS = P * (dP - sum(P * dP, over keys))"
        )
    return None


def _backward_scale(ctx: DiagnosisContext) -> str | None:
    if _explains(ctx, _backward_variant(ctx, scale_in_backward=False)):
        return "dQ and dK miss the factor 1/sqrt(d): the scores are Q K^T / sqrt(d), so the chain rule brings it back"
    if _explains(ctx, _backward_variant(ctx, scale=1.0)):
        return "the backward uses unscaled scores: the weights come from Q K^T / sqrt(d), and dQ, dK carry 1/sqrt(d)"
    return None


def _backward_mask_ignored(ctx: DiagnosisContext) -> str | None:
    if ctx.call.args.get("mask") is None:
        return None
    if _explains(ctx, _backward_variant(ctx, mask=None)):
        return "the backward ignores the mask: recompute the weights with the masked scores set to -inf"
    return None


TASK = pair_task(
    "attention", "Scaled dot-product attention with a mask, forward and backward",
    ((params("Q", "K", "V", mask="None"), ("out",)), (params("dout", "Q", "K", "V", mask="None"), ("dQ", "dK", "dV"))),
    (attention_forward, attention_backward), _cases,
    (
        (
            _overflow("out"),
            _softmax_axis,
            _scale,
            _mask_ignored,
            _mask_inverted,
            _mask_after_softmax,
            _mask_as_zero,
        ),
        (
            _overflow("dQ"),
            _softmax_jacobian,
            _backward_scale,
            _backward_mask_ignored,
        ),
    ),
    {"Q": 0, "K": 1, "V": 2}, upstream_arg="dout",
)
