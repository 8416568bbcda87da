"""Task ``batchnorm2d``: batch normalisation of images x (N, C, H, W), train and eval mode, and its backward.

Per-channel statistics over (N, H, W); train mode normalises with the batch mean and biased variance and updates the
running variance with the unbiased one (count N * H * W, as PyTorch); eval mode normalises with the running
statistics and returns them unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks import _batchnorm_common as bn
from engine.tasks._util import call_arrays, normal, upstream
from engine.tasks.batchnorm import batchnorm_backward, batchnorm_forward

AXES = (0, 2, 3)


def _c(v: np.ndarray) -> np.ndarray:
    """(C,) -> (1, C, 1, 1), to broadcast per channel."""
    return np.asarray(v, dtype=np.float64).reshape(1, -1, 1, 1)


def _normalise(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, mu: np.ndarray, var: np.ndarray, eps: float
) -> np.ndarray:
    """``mu`` and ``var`` broadcast against x (keepdims shapes)."""
    y: np.ndarray = _c(gamma) * (x - mu) / np.sqrt(var + eps) + _c(beta)
    return y


def _rows(x: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (N * H * W, C): one row per pixel of each image, one column per channel."""
    return x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])


def _images(rows: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The inverse of ``_rows``: (N * H * W, C) -> (N, C, H, W)."""
    n, c, h, w = shape
    return rows.reshape(n, h, w, c).transpose(0, 3, 1, 2)


def batchnorm2d_forward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    train: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x (N, C, H, W); gamma, beta, running_mean, running_var (C,) -> y (N, C, H, W), new running mean, var (C,).

    Batch norm 2-D is batch norm 1-D with every pixel of every image as one example: statistics per channel over
    N, H and W (count N * H * W for the unbiased running variance).
    """
    y, new_mean, new_var = batchnorm_forward(_rows(x), gamma, beta, running_mean, running_var, train, momentum, eps)
    return _images(y, x.shape), new_mean, new_var


def _variant_dx(
    dy: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float, axes: tuple[int, ...] = AXES, paths: bool = True
) -> np.ndarray:
    """For the detectors: dx for statistics over ``axes``; ``paths=False`` treats the statistics as constants."""
    std = np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    xhat = (x - x.mean(axis=axes, keepdims=True)) / std
    g = dy * _c(gamma)
    if not paths:
        return np.asarray(g / std)
    dx: np.ndarray = (g - g.mean(axis=axes, keepdims=True) - xhat * (g * xhat).mean(axis=axes, keepdims=True)) / std
    return dx


def batchnorm2d_backward(
    dy: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the train-mode y: dy (N, C, H, W) -> dx (N, C, H, W), dgamma (C,), dbeta (C,)."""
    dx, dgamma, dbeta = batchnorm_backward(_rows(dy), _rows(x), gamma, eps)
    return _images(dx, x.shape), dgamma, dbeta


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []

    def make_x(n: int, c: int, h: int, w: int, shift: float = 0.0, spread: float = 1.0) -> np.ndarray:
        # Per-channel offsets, plus per-example and per-pixel structure, so statistics over the wrong axes differ.
        x: np.ndarray = (
            normal(rng, n, c, h, w, scale=spread)
            + normal(rng, 1, c, 1, 1)
            + normal(rng, n, 1, 1, 1, scale=0.5)
            + normal(rng, 1, 1, h, w, scale=0.5)
            + shift
        )
        return x

    def forward(
        name: str,
        shape: tuple[int, int, int, int],
        train: bool,
        what: str,
        visible: bool = False,
        momentum: float | None = None,
        eps: float | None = None,
        shift: float = 0.0,
        spread: float = 1.0,
    ) -> None:
        n, c, h, w = shape
        call = bn.forward_call("batchnorm2d_forward", rng, make_x(n, c, h, w, shift, spread), c, train, momentum, eps)
        cases.append(Case(name, (call,), visible, description=f"forward: {what}"))

    def backward(
        name: str, shape: tuple[int, int, int, int], what: str, visible: bool = False, eps: float | None = None
    ) -> None:
        n, c, h, w = shape
        args: dict[str, Any] = {
            "dy": upstream(rng, n, c, h, w),
            "x": make_x(n, c, h, w),
            "gamma": rng.uniform(0.5, 2.0, c),
        }
        if eps is not None:
            args["eps"] = eps
        cases.append(Case(name, (Call("batchnorm2d_backward", args),), visible, description=f"backward: {what}"))

    forward("forward_train_example", (2, 3, 2, 2), True, "train mode, N = 2, 3 channels, 2 x 2 pixels", visible=True)
    backward("backward_example", (2, 3, 2, 2), "N = 2, 3 channels, 2 x 2 pixels", visible=True)
    forward("forward_train", (3, 2, 3, 4), True, "train mode, N = 3, 2 channels, 3 x 4 pixels")
    forward("forward_train_batch1", (1, 3, 3, 2), True, "train mode with a batch of ONE image: statistics over H and W")
    forward("forward_train_1x1", (4, 3, 1, 1), True, "train mode with 1 x 1 images (it reduces to batch norm 1-D)")
    forward("forward_train_momentum", (2, 4, 2, 3), True, "train mode, momentum 0.3", momentum=0.3)
    forward(
        "forward_train_eps",
        (3, 2, 2, 2),
        True,
        "train mode, eps = 0.01, momentum 0.25, small spread around large means",
        momentum=0.25,
        eps=1e-2,
        shift=3.0,
        spread=0.3,
    )
    forward("forward_eval", (2, 3, 2, 3), False, "eval mode: running statistics, returned unchanged")
    forward("forward_eval_batch1", (1, 2, 3, 3), False, "eval mode with a batch of one image")
    forward(
        "forward_eval_momentum", (3, 2, 2, 2), False, "eval mode with momentum 0.5 (it must not matter)", momentum=0.5
    )
    backward("backward_batch1", (1, 3, 2, 3), "a batch of one image")
    backward("backward_wide", (2, 5, 3, 2), "5 channels, 3 x 2 pixels")
    backward("backward_1x1", (5, 2, 1, 1), "1 x 1 images")
    backward("backward_eps", (3, 2, 2, 3), "eps = 0.01", eps=1e-2)
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _y_with_stats_over(ctx: DiagnosisContext, axes: tuple[int, ...]) -> np.ndarray:
    x, gamma, beta = call_arrays(ctx, "x", "gamma", "beta")
    return _normalise(x, gamma, beta, x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True), bn.eps_of(ctx))


def _wrong_axes(ctx: DiagnosisContext) -> str | None:
    if not ctx.call.args["train"]:
        return None
    got, exp = ctx.got.get("y"), ctx.expected["y"]
    if diagnose.matches_variant(got, _y_with_stats_over(ctx, (0,)), exp):
        return (
            "y is normalised with statistics over N only (a separate mean and variance per channel AND pixel);"
            " batch norm 2-D takes one mean and variance per channel over N, H and W together"
        )
    if diagnose.matches_variant(got, _y_with_stats_over(ctx, (2, 3)), exp):
        return (
            "y is normalised with statistics over H and W only (per image and channel, which is instance norm);"
            " batch norm 2-D takes one mean and variance per channel over N, H and W together"
        )
    if diagnose.matches_variant(got, _y_with_stats_over(ctx, (1, 2, 3)), exp):
        return "y is normalised per image over (C, H, W) (layer norm); batch norm 2-D normalises per channel"
    return None


def _unbiased_in_normalisation(ctx: DiagnosisContext) -> str | None:
    if not ctx.call.args["train"]:
        return None
    x, gamma, beta = call_arrays(ctx, "x", "gamma", "beta")
    mu = x.mean(axis=AXES, keepdims=True)
    var = x.var(axis=AXES, keepdims=True, ddof=1)
    y = _normalise(x, gamma, beta, mu, var, bn.eps_of(ctx))
    if diagnose.matches_variant(ctx.got.get("y"), y, ctx.expected["y"]):
        return (
            "y is normalised with the unbiased variance; batch norm normalises with the biased batch variance"
            " (divided by N * H * W)"
        )
    return None


def _eval_uses_batch_stats(ctx: DiagnosisContext) -> str | None:
    if ctx.call.args["train"]:
        return None
    if diagnose.matches_variant(ctx.got.get("y"), _y_with_stats_over(ctx, AXES), ctx.expected["y"]):
        return bn.EVAL_USES_BATCH_STATS
    return None


def _train_uses_running_stats(ctx: DiagnosisContext) -> str | None:
    if not ctx.call.args["train"]:
        return None
    x, gamma, beta, rm, rv = call_arrays(ctx, "x", "gamma", "beta", "running_mean", "running_var")
    if diagnose.matches_variant(
        ctx.got.get("y"), _normalise(x, gamma, beta, _c(rm), _c(rv), bn.eps_of(ctx)), ctx.expected["y"]
    ):
        return "in train mode (train=True) y is normalised with the running statistics; use the batch statistics"
    return None


def _unbiased_count(ctx: DiagnosisContext) -> str | None:
    if not ctx.call.args["train"]:
        return None
    x, rv = call_arrays(ctx, "x", "running_var")
    n, _, h, w = x.shape
    got, exp = ctx.got.get("new_running_var"), ctx.expected["new_running_var"]
    m = bn.momentum_of(ctx)
    var = x.var(axis=AXES)
    wrong_count = (
        "new_running_var uses the wrong count for the unbiased variance: the count is the number of values per"
        " channel, m = N * H * W, so the batch variance is multiplied by m / (m - 1), not N / (N - 1)"
    )
    if n == 1 and h * w > 1:
        # N - 1 = 0: the running variance comes out as inf or NaN.
        if got is not None and got.shape == exp.shape and got.dtype.kind == "f" and not np.all(np.isfinite(got)):
            return wrong_count
        return None
    for count in (n, h * w):
        if count >= 2 and diagnose.matches_variant(got, (1 - m) * rv + m * var * count / (count - 1), exp):
            return wrong_count
    if diagnose.matches_variant(got, (1 - m) * rv + m * var, exp):
        return (
            "new_running_var is updated with the biased batch variance; the running estimate uses the unbiased one,"
            " var * m / (m - 1) with m = N * H * W, as PyTorch does"
        )
    return None


def _running_stats_wrong_axes(ctx: DiagnosisContext) -> str | None:
    if not ctx.call.args["train"]:
        return None
    got = ctx.got.get("new_running_mean")
    exp = ctx.expected["new_running_mean"]
    if got is not None and got.shape != exp.shape and got.ndim > 1:
        return (
            "new_running_mean is not one value per channel: running statistics have shape (C,), the mean over N, H"
            " and W"
        )
    return None


def _backward_parts(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    dy, x, gamma = call_arrays(ctx, "dy", "x", "gamma")
    return dy, x, gamma, bn.eps_of(ctx)


def _dx_constant_stats(ctx: DiagnosisContext) -> str | None:
    dy, x, gamma, eps = _backward_parts(ctx)
    if diagnose.matches_variant(ctx.got.get("dx"), _variant_dx(dy, x, gamma, eps, paths=False), ctx.expected["dx"]):
        return bn.DX_CONSTANT_STATS
    return None


def _dx_wrong_axes(ctx: DiagnosisContext) -> str | None:
    dy, x, gamma, eps = _backward_parts(ctx)
    got, exp = ctx.got.get("dx"), ctx.expected["dx"]
    for axes, what in (((0,), "N only (per pixel)"), ((2, 3), "H and W only (per image)")):
        if diagnose.matches_variant(got, _variant_dx(dy, x, gamma, eps, axes=axes), exp):
            return f"dx is the gradient of statistics over {what}; the statistics are over N, H and W together"
    return None


_NAMES = ("N", "C", "H", "W")

TASK = bn.batchnorm_task(
    "batchnorm2d", "Batch normalisation 2-D (images) forward (train and eval) and backward",
    (batchnorm2d_forward, batchnorm2d_backward), _cases,
    (
        (
            _wrong_axes,
            _unbiased_in_normalisation,
            _eval_uses_batch_stats,
            bn.eval_changes_running,
            _train_uses_running_stats,
            _unbiased_count,
            _running_stats_wrong_axes,
        ),
        (
            diagnose.not_reduced_over("dgamma", "x", AXES, _NAMES),
            diagnose.not_reduced_over("dbeta", "x", AXES, _NAMES),
            _dx_constant_stats,
            _dx_wrong_axes,
        ),
    ),
)
