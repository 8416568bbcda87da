"""Task ``batchnorm``: batch normalisation over the batch axis of x (N, D), train and eval mode, and its backward.

Train mode normalises with the batch mean and the biased batch variance and updates the running statistics with
the unbiased one (as PyTorch does); eval mode normalises with the running statistics and returns them unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._batchnorm_common import (
    DX_CONSTANT_STATS,
    EVAL_USES_BATCH_STATS,
    batchnorm_task,
    eps_of,
    eval_changes_running,
    forward_call,
    momentum_of,
)
from engine.tasks._util import call_arrays, normal, upstream

SPREAD_FLOOR = 0.3  # the least std of a case's feature column, as a fraction of its nominal spread


def batchnorm_forward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    train: bool,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x (N, D); gamma, beta, running_mean, running_var (D,) -> y (N, D), new_running_mean, new_running_var (D,)."""
    if not train:
        y = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
        return y, np.array(running_mean, dtype=np.float64), np.array(running_var, dtype=np.float64)
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    y = gamma * (x - mu) / np.sqrt(var + eps) + beta
    new_mean = (1.0 - momentum) * running_mean + momentum * mu
    new_var = (1.0 - momentum) * running_var + momentum * var * (n / (n - 1))
    return y, new_mean, new_var


def batchnorm_backward(
    dy: np.ndarray, x: np.ndarray, gamma: np.ndarray, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the train-mode y: dy (N, D) -> dx (N, D), dgamma (D,), dbeta (D,)."""
    std = np.sqrt(x.var(axis=0) + eps)
    xhat = (x - x.mean(axis=0)) / std
    g = dy * gamma
    dx = (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0)) / std
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)


# ---------------------------------------------------------------------------------------------------- cases


def spread_out(x: np.ndarray, floor: float) -> np.ndarray:
    """``x`` (N, D) with every column's standard deviation at least ``floor`` (narrower columns are stretched about
    their mean).

    Normalisation divides by the batch's std, so a draw that puts a column's values almost together (two examples
    close by chance: about 1 seed in 40 at N = 2) magnifies float32 rounding past the tolerance; the floor keeps the
    cases sound for every seed while keeping the small spreads they are about.
    """
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    narrow = std < floor
    stretched = mean + (x - mean) * (floor / np.maximum(std, 1e-12))
    out: np.ndarray = np.where(narrow, stretched, x)  # other columns exactly as drawn
    return out


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []

    def forward(
        name: str,
        n: int,
        d: int,
        train: bool,
        what: str,
        visible: bool = False,
        momentum: float | None = None,
        eps: float | None = None,
        shift: float = 0.0,
        spread: float = 1.0,
    ) -> None:
        x = spread_out(normal(rng, n, d, scale=spread), SPREAD_FLOOR * spread) + shift + normal(rng, d)
        call = forward_call("batchnorm_forward", rng, x, d, train, momentum, eps)
        cases.append(Case(name, (call,), visible, description=f"forward: {what}"))

    def backward(
        name: str, n: int, d: int, what: str, visible: bool = False, eps: float | None = None, spread: float = 1.0
    ) -> None:
        x = spread_out(normal(rng, n, d, scale=spread), SPREAD_FLOOR * spread) + normal(rng, d)
        args: dict[str, Any] = {"dy": upstream(rng, n, d), "x": x, "gamma": rng.uniform(0.5, 2.0, d)}
        if eps is not None:
            args["eps"] = eps
        cases.append(Case(name, (Call("batchnorm_backward", args),), visible, description=f"backward: {what}"))

    forward("forward_train_example", 4, 3, True, "train mode, a batch of 4 with 3 features", visible=True)
    backward("backward_example", 4, 3, "a batch of 4 with 3 features", visible=True)
    forward("forward_train_batch2", 2, 5, True, "train mode with the smallest batch, N = 2")
    forward("forward_train_momentum", 7, 4, True, "train mode, momentum 0.3", momentum=0.3)
    forward(
        "forward_train_shifted",
        6,
        3,
        True,
        "train mode, features with large means and small spread",
        shift=3.0,
        spread=0.5,
    )
    forward(
        "forward_train_eps", 5, 2, True, "train mode, eps = 0.01 and momentum 0.25", momentum=0.25, eps=1e-2, spread=0.3
    )
    forward("forward_eval", 5, 4, False, "eval mode: running statistics, returned unchanged")
    forward("forward_eval_batch1", 1, 3, False, "eval mode with a batch of one example")
    forward(
        "forward_eval_momentum", 3, 6, False, "eval mode with momentum 0.5 given (it must not matter)", momentum=0.5
    )
    backward("backward_batch2", 2, 4, "the smallest batch, N = 2")
    backward("backward_wide", 3, 7, "more features than examples")
    backward("backward_tall", 8, 2, "many examples, two features")
    backward("backward_eps", 5, 3, "eps = 0.01 and features with a small spread", eps=1e-2, spread=0.2)
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _normalise(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, mu: np.ndarray, var: np.ndarray, eps: float
) -> np.ndarray:
    y: np.ndarray = gamma * (x - mu) / np.sqrt(var + eps) + beta
    return y


def _eval_uses_batch_stats(ctx: DiagnosisContext) -> str | None:
    if ctx.call.args["train"]:
        return None
    x, gamma, beta = call_arrays(ctx, "x", "gamma", "beta")
    if diagnose.matches_variant(
        ctx.got.get("y"), _normalise(x, gamma, beta, x.mean(0), x.var(0), eps_of(ctx)), ctx.expected["y"]
    ):
        return EVAL_USES_BATCH_STATS
    return None


def _affine_missing(ctx: DiagnosisContext) -> str | None:
    """y is x_hat (or gamma * x_hat, or x_hat + beta) with the statistics of the call's mode."""
    x, gamma, beta, rm, rv = call_arrays(ctx, "x", "gamma", "beta", "running_mean", "running_var")
    train = bool(ctx.call.args["train"])
    mu, var = (x.mean(0), x.var(0)) if train else (rm, rv)
    mode = "train" if train else "eval"
    ones, zeros = np.ones_like(gamma), np.zeros_like(beta)
    for g, b, what in (
        (ones, zeros, "gamma and beta are"),
        (ones, beta, "gamma is"),
        (gamma, zeros, "beta is"),
    ):
        if diagnose.matches_variant(ctx.got.get("y"), _normalise(x, g, b, mu, var, eps_of(ctx)), ctx.expected["y"]):
            return f"in {mode} mode {what} not applied: y = gamma * x_hat + beta in both modes"
    return None


def _train_uses_running_stats(ctx: DiagnosisContext) -> str | None:
    if not ctx.call.args["train"]:
        return None
    x, gamma, beta, rm, rv = call_arrays(ctx, "x", "gamma", "beta", "running_mean", "running_var")
    if diagnose.matches_variant(ctx.got.get("y"), _normalise(x, gamma, beta, rm, rv, eps_of(ctx)), ctx.expected["y"]):
        return (
            "in train mode (train=True) y is normalised with the running statistics; train mode must use the"
            " batch mean and variance"
        )
    return None


def _running_not_updated(ctx: DiagnosisContext) -> str | None:
    if not ctx.call.args["train"]:
        return None
    for name, arg in (("new_running_mean", "running_mean"), ("new_running_var", "running_var")):
        if diagnose.close(ctx.got.get(name), np.asarray(ctx.call.args[arg], dtype=np.float64)):
            return f"{name} is {arg} unchanged; train mode must update it with the batch statistic"
    return None


def _unbiased_in_normalisation(ctx: DiagnosisContext) -> str | None:
    if not ctx.call.args["train"]:
        return None
    x, gamma, beta = call_arrays(ctx, "x", "gamma", "beta")
    n = x.shape[0]
    if n < 2:
        return None
    var = x.var(0, ddof=1)
    if diagnose.matches_variant(
        ctx.got.get("y"), _normalise(x, gamma, beta, x.mean(0), var, eps_of(ctx)), ctx.expected["y"]
    ):
        return (
            "y is normalised with the unbiased variance (divided by N - 1); batch norm normalises with the biased"
            " batch variance (divided by N)"
        )
    return None


def _running_var_biased(ctx: DiagnosisContext) -> str | None:
    if not ctx.call.args["train"]:
        return None
    x, rv = call_arrays(ctx, "x", "running_var")
    m = momentum_of(ctx)
    if diagnose.matches_variant(
        ctx.got.get("new_running_var"), (1 - m) * rv + m * x.var(0), ctx.expected["new_running_var"]
    ):
        return (
            "new_running_var is updated with the biased batch variance; the running estimate uses the unbiased"
            " one, var * N / (N - 1), as PyTorch does"
        )
    return None


def _momentum_swapped(ctx: DiagnosisContext) -> str | None:
    if not ctx.call.args["train"]:
        return None
    x, rm, rv = call_arrays(ctx, "x", "running_mean", "running_var")
    m = momentum_of(ctx)
    n = x.shape[0]
    mean_swapped = diagnose.matches_variant(
        ctx.got.get("new_running_mean"), m * rm + (1 - m) * x.mean(0), ctx.expected["new_running_mean"]
    )
    var_swapped = any(
        diagnose.matches_variant(ctx.got.get("new_running_var"), m * rv + (1 - m) * v, ctx.expected["new_running_var"])
        for v in (x.var(0) * n / (n - 1), x.var(0))
    )
    if mean_swapped or var_swapped:
        return (
            "momentum is applied the wrong way round: the new running statistic is (1 - momentum) * running"
            " + momentum * batch statistic"
        )
    return None


def _backward_parts(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    dy, x, gamma = call_arrays(ctx, "dy", "x", "gamma")
    std = np.sqrt(x.var(0) + eps_of(ctx))
    return dy * gamma, (x - x.mean(0)) / std, std, dy


def _dx_constant_stats(ctx: DiagnosisContext) -> str | None:
    g, _xhat, std, _dy = _backward_parts(ctx)
    if diagnose.matches_variant(ctx.got.get("dx"), g / std, ctx.expected["dx"]):
        return DX_CONSTANT_STATS
    return None


def _dx_no_variance_path(ctx: DiagnosisContext) -> str | None:
    g, _xhat, std, _dy = _backward_parts(ctx)
    if diagnose.matches_variant(ctx.got.get("dx"), (g - g.mean(0)) / std, ctx.expected["dx"]):
        return "dx has the gradient path through the batch mean but misses the one through the batch variance"
    return None


def _dx_no_mean_path(ctx: DiagnosisContext) -> str | None:
    g, xhat, std, _dy = _backward_parts(ctx)
    if diagnose.matches_variant(ctx.got.get("dx"), (g - xhat * (g * xhat).mean(0)) / std, ctx.expected["dx"]):
        return "dx has the gradient path through the batch variance but misses the one through the batch mean"
    return None


def _dgamma_uses_x(ctx: DiagnosisContext) -> str | None:
    _g, _xhat, _std, dy = _backward_parts(ctx)
    (x,) = call_arrays(ctx, "x")
    got = ctx.got.get("dgamma")
    if diagnose.matches_variant(got, (dy * x).sum(0), ctx.expected["dgamma"]) or diagnose.matches_variant(
        got, (dy * (x - x.mean(0))).sum(0), ctx.expected["dgamma"]
    ):
        return "dgamma must be the sum of dy times the normalised input x_hat = (x - mu) / sqrt(var + eps)"
    return None


TASK = batchnorm_task(
    "batchnorm", "Batch normalisation forward (train and eval) and backward", (batchnorm_forward, batchnorm_backward),
    _cases,
    (
        (
            _affine_missing,
            _eval_uses_batch_stats,
            eval_changes_running,
            _train_uses_running_stats,
            _running_not_updated,
            _unbiased_in_normalisation,
            _running_var_biased,
            _momentum_swapped,
        ),
        (
            diagnose.not_summed("dgamma"),
            diagnose.not_summed("dbeta"),
            _dgamma_uses_x,
            _dx_constant_stats,
            _dx_no_variance_path,
            _dx_no_mean_path,
        ),
    ),
)
