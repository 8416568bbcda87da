"""Task ``rmsnorm``: root-mean-square normalisation over the last axis (torch.nn.RMSNorm, LLaMA), and its backward.

y = x / sqrt(mean(x^2, axis=-1) + eps) * weight: no mean is subtracted and there is no bias. For any number of
leading axes; dweight sums over all of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import normal, params, upstream


def rmsnorm_forward(x: np.ndarray, weight: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """x (..., D), weight (D,) -> y (..., D) = x / sqrt(mean(x**2, axis=-1) + eps) * weight."""
    x = np.asarray(x, dtype=np.float64)
    inv_rms = 1.0 / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    y: np.ndarray = x * inv_rms * weight
    return y


def rmsnorm_backward(
    dy: np.ndarray, x: np.ndarray, weight: np.ndarray, eps: float = 1e-6
) -> tuple[np.ndarray, np.ndarray]:
    """dy, x (..., D), weight (D,) -> dx (..., D), dweight (D,) (summed over every leading axis).

    With r = 1 / sqrt(mean(x**2) + eps), x_hat = x * r and g = dy * weight, per row:
    dx = r * (g - x_hat * mean(g * x_hat)); the second term is the path through the mean square.
    """
    x = np.asarray(x, dtype=np.float64)
    inv_rms = 1.0 / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    xhat = x * inv_rms
    g = dy * weight
    dx: np.ndarray = inv_rms * (g - xhat * np.mean(g * xhat, axis=-1, keepdims=True))
    dweight: np.ndarray = np.sum(dy * xhat, axis=tuple(range(x.ndim - 1)))
    return dx, dweight


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []

    def make_x(shape: tuple[int, ...], scale: float) -> np.ndarray:
        # Each row gets its own scale and a clear non-zero mean, so that subtracting the mean (layer norm) and
        # normalising over the wrong axis both change the result.
        rows = (*shape[:-1], 1)
        x: np.ndarray = (normal(rng, *shape) + rng.choice([-1.0, 1.0], rows) * rng.uniform(0.8, 2.0, rows)) * (
            scale * rng.uniform(0.5, 2.0, rows)
        )
        return x

    def add(name: str, fn: str, shape: tuple[int, ...], what: str, visible: bool = False, **kw: Any) -> None:
        eps, scale = kw.get("eps"), kw.get("scale", 1.0)
        args: dict[str, Any] = {"x": make_x(shape, scale), "weight": rng.uniform(0.5, 2.0, shape[-1])}
        if fn == "rmsnorm_backward":
            args = {"dy": upstream(rng, *shape), **args}
        if eps is not None:
            args["eps"] = eps
        kind = fn.removeprefix("rmsnorm_")
        cases.append(Case(name, (Call(fn, args),), visible, description=f"{kind}: {what}"))

    for fn in ("rmsnorm_forward", "rmsnorm_backward"):
        kind = fn.removeprefix("rmsnorm_")
        add(f"{kind}_example", fn, (3, 4), "3 rows of 4 features", visible=True)
        add(f"{kind}_batch1", fn, (1, 5), "a single row")
        add(f"{kind}_vector", fn, (6,), "a 1-D input: one row, no leading axes")
        add(f"{kind}_tall", fn, (7, 3), "more rows than features")
        add(f"{kind}_3d", fn, (2, 3, 6), "x of shape (B, T, D): a batch of sequences")
        add(f"{kind}_4d", fn, (2, 2, 3, 5), "three leading axes")
        add(f"{kind}_eps", fn, (4, 5), "eps = 0.01 with small inputs (mean square about 0.01)", eps=1e-2, scale=0.06)
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _args(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, float]:
    x = np.asarray(ctx.call.args["x"], dtype=np.float64)
    return x, np.asarray(ctx.call.args["weight"], dtype=np.float64), float(ctx.call.args.get("eps", 1e-6))


def _forward_variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray | None, str]]:
    x, w, eps = _args(ctx)
    ms = np.mean(x * x, axis=-1, keepdims=True)
    centred = x - x.mean(axis=-1, keepdims=True)
    out: list[tuple[np.ndarray | None, str]] = [
        (
            centred / np.sqrt(np.mean(centred**2, axis=-1, keepdims=True) + eps) * w,
            "y subtracts the row mean: that is layer norm; RMSNorm divides x itself by sqrt(mean(x**2) + eps)",
        ),
        (
            x / (np.sqrt(ms) + eps) * w,
            "y adds eps outside the square root: divide by sqrt(mean(x**2) + eps), not sqrt(mean(x**2)) + eps",
        ),
        (
            x / (ms + eps) * w,
            "y divides by the mean square itself: take its square root, x / sqrt(mean(x**2) + eps)",
        ),
    ]
    if x.ndim >= 2:
        whole = x / np.sqrt(np.mean(x * x) + eps) * w
        out.append((whole, "y uses one mean square for the whole array: take it over the last axis, row by row"))
    return out


def _dx_variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray | None, str]]:
    x, w, eps = _args(ctx)
    dy = np.asarray(ctx.call.args["dy"], dtype=np.float64)
    inv_rms = 1.0 / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    g = dy * w
    xhat = x * inv_rms
    return [
        (
            g * inv_rms,
            "dx treats the row's mean square as a constant: it depends on x too; subtract the path through it,"
            " dx = r * (g - x_hat * mean(g * x_hat)) with g = dy * weight",
        ),
        (
            inv_rms * (g - g.mean(axis=-1, keepdims=True) - xhat * np.mean(g * xhat, axis=-1, keepdims=True)),
            "dx has an extra path through the row mean (as in layer norm): RMSNorm subtracts no mean",
        ),
        (
            inv_rms * (dy - xhat * np.mean(dy * xhat, axis=-1, keepdims=True)),
            "dx ignores weight: the gradient reaching x_hat is dy * weight",
        ),
    ]


TASK = pair_task(
    "rmsnorm", "RMSNorm forward and backward",
    ((params("x", "weight", eps="1e-6"), ("y",)), (params("dy", "x", "weight", eps="1e-6"), ("dx", "dweight"))),
    (rmsnorm_forward, rmsnorm_backward), _cases,
    (
        (diagnose.variant_explained("y", _forward_variants),),
        (
            diagnose.not_summed("dweight", over="all leading axes"),
            diagnose.variant_explained("dx", _dx_variants),
        ),
    ),
    {"x": 0, "weight": 1},
)
