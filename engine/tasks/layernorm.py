"""Task ``layernorm``: layer normalisation over the last axis of x (..., D), and its backward."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import call_arrays, normal, params, upstream, zeros_like_gamma


def layernorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """x (..., D); gamma, beta (D,) -> y (..., D), each row normalised over its last axis."""
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    y: np.ndarray = gamma * (x - mu) / np.sqrt(var + eps) + beta
    return y


def layernorm_backward(
    dy: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dy (..., D) -> dx (..., D), dgamma (D,), dbeta (D,) (summed over every leading axis)."""
    std = np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=-1, keepdims=True)) / std
    g = dy * gamma
    dx = (g - g.mean(axis=-1, keepdims=True) - xhat * (g * xhat).mean(axis=-1, keepdims=True)) / std
    lead = tuple(range(x.ndim - 1))
    return dx, (dy * xhat).sum(axis=lead), dy.sum(axis=lead)


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []

    def make_x(shape: tuple[int, ...], spread: float) -> np.ndarray:
        # Each row gets its own offset and scale, so normalising over the wrong axis gives other numbers.
        rows = (*shape[:-1], 1)
        x: np.ndarray = normal(rng, *shape) * spread * rng.uniform(0.5, 2.0, rows) + normal(rng, *rows, scale=2.0)
        return x

    def add(
        fn: str, name: str, shape: tuple[int, ...], what: str, visible: bool = False, eps: float | None = None,
        spread: float = 1.0,
    ) -> None:
        """A case of ``layernorm_<fn>``: the forward draws x, gamma, beta; the backward dy, x, gamma."""
        d = shape[-1]
        args: dict[str, Any] = {"dy": upstream(rng, *shape)} if fn == "backward" else {}
        args.update(x=make_x(shape, spread), gamma=rng.uniform(0.5, 2.0, d))
        if fn == "forward":
            args["beta"] = normal(rng, d)
        if eps is not None:
            args["eps"] = eps
        cases.append(Case(f"{fn}_{name}", (Call(f"layernorm_{fn}", args),), visible, description=f"{fn}: {what}"))

    add("forward", "example", (3, 4), "3 rows of 4 features", visible=True)
    add("backward", "example", (3, 4), "3 rows of 4 features", visible=True)
    add("forward", "batch1", (1, 5), "a single row")
    add("forward", "tall", (7, 3), "more rows than features")
    add("forward", "3d", (2, 3, 6), "x of shape (B, T, D): a batch of sequences")
    add("forward", "4d", (2, 2, 3, 5), "two leading axes besides the batch")
    add("forward", "eps", (4, 6), "eps = 0.01 and rows with a small spread", eps=1e-2, spread=0.2)
    add("backward", "batch1", (1, 5), "a single row")
    add("backward", "tall", (6, 3), "more rows than features")
    add("backward", "3d", (2, 3, 6), "x of shape (B, T, D): dgamma and dbeta sum over B and T")
    add("backward", "4d", (2, 2, 3, 5), "three leading axes to sum over")
    add("backward", "eps", (5, 4), "eps = 0.01 and rows with a small spread", eps=1e-2, spread=0.2)
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _eps(ctx: DiagnosisContext) -> float:
    return float(ctx.call.args.get("eps", 1e-5))


def _norm(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, axis: int | tuple[int, ...], eps: float, ddof: int = 0
) -> np.ndarray:
    mu = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True, ddof=ddof)
    y: np.ndarray = gamma * (x - mu) / np.sqrt(var + eps) + beta
    return y


def _wrong_axis(ctx: DiagnosisContext) -> str | None:
    x, gamma, beta = call_arrays(ctx, "x", "gamma", "beta")
    got = ctx.got.get("y")
    candidates: list[tuple[int | tuple[int, ...], str]] = [
        (a, f"axis {a}") for a in range(x.ndim - 1) if x.shape[a] > 1
    ]
    if x.ndim > 2:
        candidates.append((tuple(range(x.ndim - 1)), "all leading axes"))
    candidates.append((tuple(range(x.ndim)), "the whole tensor"))
    for axis, what in candidates:
        if diagnose.matches_variant(got, _norm(x, gamma, beta, axis, _eps(ctx)), ctx.expected["y"]):
            return (
                f"y is normalised over {what}; layer norm normalises each row over its last axis (the D"
                " features), independently of the other rows"
            )
    return None


def _unbiased(ctx: DiagnosisContext) -> str | None:
    x, gamma, beta = call_arrays(ctx, "x", "gamma", "beta")
    if x.shape[-1] < 2:
        return None
    if diagnose.matches_variant(ctx.got.get("y"), _norm(x, gamma, beta, -1, _eps(ctx), ddof=1), ctx.expected["y"]):
        return "y is normalised with the unbiased variance (divided by D - 1); layer norm uses the biased one"
    return None


def _backward_parts(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dy, x, gamma = call_arrays(ctx, "dy", "x", "gamma")
    std = np.sqrt(x.var(axis=-1, keepdims=True) + _eps(ctx))
    return dy * gamma, (x - x.mean(axis=-1, keepdims=True)) / std, std


def _dx_constant_stats(ctx: DiagnosisContext) -> str | None:
    g, _xhat, std = _backward_parts(ctx)
    if diagnose.matches_variant(ctx.got.get("dx"), g / std, ctx.expected["dx"]):
        return (
            "dx treats each row's mean and variance as constants; they depend on x too: add the gradient paths"
            " through mu and var"
        )
    return None


def _dx_no_variance_path(ctx: DiagnosisContext) -> str | None:
    g, _xhat, std = _backward_parts(ctx)
    if diagnose.matches_variant(ctx.got.get("dx"), (g - g.mean(axis=-1, keepdims=True)) / std, ctx.expected["dx"]):
        return "dx has the gradient path through the row mean but misses the one through the row variance"
    return None


def _dx_wrong_axis(ctx: DiagnosisContext) -> str | None:
    dy, x, gamma = call_arrays(ctx, "dy", "x", "gamma")
    if x.ndim < 2 or x.shape[0] < 2:
        return None
    std = np.sqrt(x.var(axis=0, keepdims=True) + _eps(ctx))
    xhat = (x - x.mean(axis=0, keepdims=True)) / std
    g = dy * gamma
    dx = (g - g.mean(axis=0, keepdims=True) - xhat * (g * xhat).mean(axis=0, keepdims=True)) / std
    if diagnose.matches_variant(ctx.got.get("dx"), dx, ctx.expected["dx"]):
        return "dx is the gradient of a normalisation over axis 0 (batch norm); layer norm works over the last axis"
    return None


TASK = pair_task(
    "layernorm", "Layer normalisation forward and backward",
    (
        (params("x", "gamma", "beta", eps="1e-5"), ("y",)),
        (params("dy", "x", "gamma", eps="1e-5"), ("dx", "dgamma", "dbeta")),
    ),
    (layernorm_forward, layernorm_backward), _cases,
    (
        (_wrong_axis, _unbiased),
        (
            diagnose.not_summed("dgamma", over="all leading axes"),
            diagnose.not_summed("dbeta", over="all leading axes"),
            _dx_constant_stats,
            _dx_no_variance_path,
            _dx_wrong_axis,
        ),
    ),
    {"x": 0, "gamma": 1, "beta": 2}, forward_fixed_args={"beta": zeros_like_gamma},
)
