"""Task ``mha_backward``: the backward pass of multi-head attention, with its forward.

Conventions are the ``multi_head_attention`` task's (engine/tasks/multi_head_attention.py): x_q (N, Lq, E),
x_kv (N, Lk, E), W_q, W_k, W_v, W_o (E, E) applied as x @ W.T, head h on the contiguous features h*d ... (h+1)*d - 1,
scores scaled by 1/sqrt(d), an optional boolean mask (True = may attend). The backward returns the gradients of both
inputs and the four weights; per head, the attention part is the ``attention`` task's backward.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Case, Detector, DiagnosisContext, FunctionSpec, GradientLink, Task
from engine.tasks import multi_head_attention as mha
from engine.tasks._util import params, with_backward_cases
from engine.tasks._variants import gradients_variant
from engine.tasks.attention import attention_gradients, attention_weights
from engine.tasks.multi_head_attention import (
    _head_split,
    _scale,
    merge_heads,
    multi_head_attention_forward,
    project_heads,
    split_heads,
)

NAMES = ("dx_q", "dx_kv", "dW_q", "dW_k", "dW_v", "dW_o")
Grads = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def multi_head_attention_backward(
    dout: np.ndarray,
    x_q: np.ndarray,
    x_kv: np.ndarray,
    W_q: np.ndarray,
    W_k: np.ndarray,
    W_v: np.ndarray,
    W_o: np.ndarray,
    num_heads: int,
    mask: np.ndarray | None = None,
    *,
    kv_paths: str = "both",
    **attention_knobs: Any,
) -> Grads:
    """dout (N, Lq, E) -> dx_q (N, Lq, E), dx_kv (N, Lk, E), dW_q, dW_k, dW_v, dW_o (E, E).

    Each weight's gradient sums over the batch and the positions: dW = sum over (n, l) of dproj^T x, the layout of
    W (out features, in features). When x_q and x_kv are the same array (self-attention) the two gradients are
    still returned separately; the caller adds them.

    The keyword-only knobs make the classic mistakes for the detectors: ``kv_paths`` "k" or "v" keeps only one of
    the two roads from x_kv to the output; ``attention_knobs`` go to the attention task's backward variant
    (``full_jacobian``, ``scale_in_backward``).
    """
    heads = int(num_heads)
    x_q, x_kv = np.asarray(x_q, dtype=np.float64), np.asarray(x_kv, dtype=np.float64)
    q, k, v = project_heads(x_q, x_kv, W_q, W_k, W_v, heads)  # (N, heads, L, d)
    concat = merge_heads(attention_weights(q, k, mask) @ v)  # (N, Lq, E)
    dW_o = np.einsum("nle,nlf->ef", dout, concat)
    dq, dk, dv = attention_gradients(split_heads(dout @ W_o, heads), q, k, v, mask, **attention_knobs)  # per head
    dq_proj, dk_proj, dv_proj = (merge_heads(g) for g in (dq, dk, dv))
    dx_kv = (dk_proj @ W_k if kv_paths != "v" else 0.0) + (dv_proj @ W_v if kv_paths != "k" else 0.0)
    return (
        dq_proj @ W_q,
        np.asarray(dx_kv),
        np.einsum("nle,nlf->ef", dq_proj, x_q),
        np.einsum("nle,nlf->ef", dk_proj, x_kv),
        np.einsum("nle,nlf->ef", dv_proj, x_kv),
        dW_o,
    )


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    """The multi_head_attention task's forward cases, then the same shapes and masks with fresh values and dout."""
    forward, backward = with_backward_cases(
        mha.TASK.make_cases, rng, "multi_head_attention_backward", "dout", lambda args: args["x_q"].shape
    )
    return [replace(c, description=f"forward: {c.description}") for c in forward] + backward


# ---------------------------------------------------------------------------------------------------- detectors


def _mistake(text: str, names: tuple[str, ...], **knobs: Any) -> Detector:
    def variant(ctx: DiagnosisContext) -> dict[str, np.ndarray]:
        dout = np.asarray(ctx.call.args["dout"], dtype=np.float64)
        grads = multi_head_attention_backward(dout, **mha.call_inputs(ctx), **knobs)
        return dict(zip(NAMES, grads, strict=True))

    return gradients_variant(text, names, variant)


TASK = Task(
    id="mha_backward",
    title="Multi-head attention backward",
    functions=(
        mha.FORWARD,
        FunctionSpec(
            "multi_head_attention_backward",
            params("dout", "x_q", "x_kv", "W_q", "W_k", "W_v", "W_o", "num_heads", mask="None"),
            NAMES,
        ),
    ),
    reference={
        "multi_head_attention_forward": multi_head_attention_forward,
        "multi_head_attention_backward": multi_head_attention_backward,
    },
    make_cases=_cases,
    detectors={
        "multi_head_attention_forward": (_scale, _head_split),
        "multi_head_attention_backward": (
            _mistake(
                "the softmax backward keeps only the diagonal of its Jacobian (dS = P * dP); each weight depends on"
                " every score of its row: dS = P * (dP - sum(P * dP, over keys))",
                ("dx_q", "dW_q"),
                full_jacobian=False,
            ),
            _mistake(
                "the query and key gradients miss the factor 1/sqrt(d): the scores are q k^T / sqrt(d) with d the"
                " head size",
                ("dx_q", "dW_q"),
                scale_in_backward=False,
            ),
            _mistake(
                "dx_kv only has the path through the keys: x_kv also feeds the values, so add dv_proj @ W_v",
                ("dx_kv",),
                kv_paths="k",
            ),
            _mistake(
                "dx_kv only has the path through the values: x_kv also feeds the keys, so add dk_proj @ W_k",
                ("dx_kv",),
                kv_paths="v",
            ),
            diagnose.transposed("dW_q"),
            diagnose.transposed("dW_o"),
        ),
    },
    links=(
        GradientLink(
            "multi_head_attention_forward",
            "multi_head_attention_backward",
            {"x_q": 0, "x_kv": 1, "W_q": 2, "W_k": 3, "W_v": 4, "W_o": 5},
            upstream_arg="dout",
        ),
    ),
)
