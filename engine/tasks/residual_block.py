"""Task ``residual_block``: y = x + relu(x W1^T + b1) W2^T + b2 (torch Linear layouts), forward and backward.

x (N, D), W1 (H, D), b1 (H,), W2 (D, H), b2 (D,); y (N, D). Cases keep every pre-activation away from the ReLU kink.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import call_arrays, normal, params, upstream

NAMES = ("dx", "dW1", "db1", "dW2", "db2")
_ARGS = ("x", "W1", "b1", "W2", "b2")
Grads = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
MARGIN = 0.05


def residual_block_forward(x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """x (N, D), W1 (H, D), b1 (H,), W2 (D, H), b2 (D,) -> y (N, D)."""
    y: np.ndarray = x + np.maximum(x @ W1.T + b1, 0.0) @ W2.T + b2
    return y


def _variant_backward(
    dy: np.ndarray,
    x: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    skip: bool = True,
    gate: str = "pre",
) -> Grads:
    """The backward for the detectors, with knobs for the classic mistakes.

    ``gate`` chooses what the ReLU derivative is taken from: "pre" (x W1^T + b1 > 0, right), "no_bias"
    (x W1^T > 0), "upstream" (the incoming gradient > 0), "none" (no gate at all).
    """
    pre = x @ W1.T + b1
    a = np.maximum(pre, 0.0)
    da = dy @ W2
    masks = {"pre": pre > 0, "no_bias": x @ W1.T > 0, "upstream": da > 0, "none": np.ones_like(pre, dtype=bool)}
    dpre = da * masks[gate]
    dx = dpre @ W1 + (dy if skip else 0.0)
    return dx, dpre.T @ x, dpre.sum(axis=0), dy.T @ a, dy.sum(axis=0)


def residual_block_backward(
    dy: np.ndarray, x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """dy (N, D) -> dx (N, D), dW1 (H, D), db1 (H,), dW2 (D, H), db2 (D,)."""
    pre = x @ W1.T + b1
    a = np.maximum(pre, 0.0)
    dpre = (dy @ W2) * (pre > 0)  # the ReLU passes gradient where its input is positive
    dx = dy + dpre @ W1  # the skip path plus the branch
    return dx, dpre.T @ x, dpre.sum(axis=0), dy.T @ a, dy.sum(axis=0)


# ---------------------------------------------------------------------------------------------------- cases


def _inputs(rng: np.random.Generator, n: int, d: int, hidden: int) -> dict[str, Any]:
    """Inputs whose pre-activations x W1^T + b1 are all at least MARGIN away from 0, with both signs present."""
    while True:
        x = normal(rng, n, d)
        W1 = normal(rng, hidden, d, scale=1.0 / np.sqrt(d))
        b1 = normal(rng, hidden, scale=0.5)
        pre = x @ W1.T + b1
        if np.abs(pre).min() >= MARGIN and (pre > 0).any() and (pre < 0).any():
            break
    return {"x": x, "W1": W1, "b1": b1, "W2": normal(rng, d, hidden, scale=1.0 / np.sqrt(hidden)), "b2": normal(rng, d)}


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    # name, N, D, H, visible, what
    shapes = [
        ("example", 2, 3, 4, True, "a batch of 2, D = 3, hidden size 4"),
        ("batch1", 1, 4, 6, False, "a batch of one example"),
        ("narrow_hidden", 5, 6, 2, False, "a bottleneck: hidden size 2 < D = 6"),
        ("wide_hidden", 3, 2, 7, False, "hidden size 7 > D = 2"),
        ("square", 4, 5, 5, False, "hidden size = D, where transposed weights keep their shapes"),
    ]
    for name, n, d, hidden, visible, what in shapes:
        for fn in ("forward", "backward"):
            args = _inputs(rng, n, d, hidden)
            if fn == "backward":
                args = {"dy": upstream(rng, n, d), **args}
            call = Call(f"residual_block_{fn}", args)
            cases.append(Case(f"{fn}_{name}", (call,), visible, description=f"{fn}: {what}"))
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _forward_skip_missing(ctx: DiagnosisContext) -> str | None:
    x, W1, b1, W2, b2 = call_arrays(ctx, *_ARGS)
    if diagnose.matches_variant(ctx.got.get("y"), np.maximum(x @ W1.T + b1, 0.0) @ W2.T + b2, ctx.expected["y"]):
        return "y is missing the skip connection: y = x + relu(x W1^T + b1) W2^T + b2"
    return None


def _forward_no_relu(ctx: DiagnosisContext) -> str | None:
    x, W1, b1, W2, b2 = call_arrays(ctx, *_ARGS)
    if diagnose.matches_variant(ctx.got.get("y"), x + (x @ W1.T + b1) @ W2.T + b2, ctx.expected["y"]):
        return "the ReLU is missing: apply max(., 0) to x W1^T + b1 before W2"
    return None


def _variant(ctx: DiagnosisContext, **knobs: Any) -> Grads:
    dy, x, W1, b1, W2, b2 = call_arrays(ctx, "dy", *_ARGS)
    return _variant_backward(dy, x, W1, b1, W2, b2, **knobs)


def _matches(ctx: DiagnosisContext, outputs: tuple[str, ...], **knobs: Any) -> bool:
    variant = _variant(ctx, **knobs)
    return any(
        diagnose.matches_variant(ctx.got.get(name), v, ctx.expected[name])
        for name, v in zip(NAMES, variant, strict=True)
        if name in outputs
    )


def _skip_gradient_missing(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, ("dx",), skip=False):
        return "dx is missing the skip path: y = x + F(x), so dx = dy + (gradient through F)"
    return None


def _gate(ctx: DiagnosisContext) -> str | None:
    texts = {
        "upstream": "the ReLU gate uses the sign of the incoming gradient; it must use the pre-activation:"
        " pass the gradient where x W1^T + b1 > 0",
        "no_bias": "the ReLU gate ignores b1; it must use the full pre-activation x W1^T + b1 > 0",
        "none": "the ReLU derivative is missing: zero the gradient where x W1^T + b1 <= 0",
    }
    found = [
        text
        for gate, text in texts.items()
        if any(_matches(ctx, ("dx", "dW1", "db1"), gate=gate, skip=skip) for skip in (True, False))
    ]
    # Two gates can coincide on one call (x W1^T > 0 everywhere, say): name a mistake only when this call tells.
    return found[0] if len(found) == 1 else None


TASK = pair_task(
    "residual_block", "Residual MLP block forward and backward",
    ((params(*_ARGS), ("y",)), (params("dy", *_ARGS), NAMES)),
    (residual_block_forward, residual_block_backward), _cases,
    (
        (_forward_skip_missing, _forward_no_relu),
        (
            _skip_gradient_missing,
            _gate,
            diagnose.transposed("dW1"),
            diagnose.transposed("dW2"),
            diagnose.not_summed("db1"),
            diagnose.not_summed("db2"),
        ),
    ),
    {n: k for k, n in enumerate(_ARGS)},
)
