"""Task ``groupnorm``: group normalisation of x (N, C, H, W), forward and backward.

The C channels are split into num_groups contiguous groups of C / G channels; each example's group is normalised
with its own mean and biased variance over (C / G, H, W); gamma and beta (C,) scale and shift per channel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import normal, params, upstream, zeros_like_gamma


def _per_channel(v: np.ndarray) -> np.ndarray:
    return v.reshape(1, -1, 1, 1)


def _normalised(x: np.ndarray, groups: int, eps: float, ddof: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """x_hat (N, C, H, W) and std (N, G, 1) for ``groups`` groups of contiguous channels."""
    n = x.shape[0]
    xg = x.reshape(n, groups, -1)
    std = np.sqrt(xg.var(axis=-1, keepdims=True, ddof=ddof) + eps)
    xhat = (xg - xg.mean(axis=-1, keepdims=True)) / std
    return xhat.reshape(x.shape), std


def groupnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, num_groups: int, eps: float = 1e-5
) -> np.ndarray:
    """x (N, C, H, W), gamma, beta (C,), C divisible by num_groups -> y (N, C, H, W)."""
    xhat, _std = _normalised(x, num_groups, eps)
    y: np.ndarray = _per_channel(gamma) * xhat + _per_channel(beta)
    return y


def _variant_dx(
    dy: np.ndarray,
    x: np.ndarray,
    gamma: np.ndarray,
    groups: int,
    eps: float,
    mean_path: bool = True,
    var_path: bool = True,
) -> np.ndarray:
    """For the detectors: dx for statistics over ``groups`` groups, optionally without the mean or variance path."""
    n = x.shape[0]
    xhat, std = _normalised(x, groups, eps)
    g = (dy * _per_channel(gamma)).reshape(n, groups, -1)
    xh = xhat.reshape(n, groups, -1)
    dx = g
    if mean_path:
        dx = dx - g.mean(axis=-1, keepdims=True)
    if var_path:
        dx = dx - xh * (g * xh).mean(axis=-1, keepdims=True)
    out: np.ndarray = (dx / std).reshape(x.shape)
    return out


def groupnorm_backward(
    dy: np.ndarray, x: np.ndarray, gamma: np.ndarray, num_groups: int, eps: float = 1e-5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dy (N, C, H, W) -> dx (N, C, H, W), dgamma (C,), dbeta (C,) (summed over N, H and W)."""
    n = x.shape[0]
    xhat, std = _normalised(x, num_groups, eps)
    # Each (example, group) row is a layer norm of its own: fold gamma into the upstream gradient, then the usual
    # formula with means over the row.
    g = (dy * _per_channel(gamma)).reshape(n, num_groups, -1)
    xh = xhat.reshape(n, num_groups, -1)
    dx = (g - g.mean(axis=-1, keepdims=True) - xh * (g * xh).mean(axis=-1, keepdims=True)) / std
    return dx.reshape(x.shape), (dy * xhat).sum(axis=(0, 2, 3)), dy.sum(axis=(0, 2, 3))


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []

    def make_x(n: int, c: int, h: int, w: int) -> np.ndarray:
        # Every channel of every example gets its own offset and spread, so statistics over the wrong axes differ.
        x: np.ndarray = normal(rng, n, c, h, w) * rng.uniform(0.5, 2.0, (n, c, 1, 1)) + normal(rng, n, c, 1, 1)
        return x

    # name, (N, C, H, W), groups, eps, visible, what
    shapes: list[tuple[str, tuple[int, int, int, int], int, float | None, bool, str]] = [
        ("example", (2, 4, 2, 3), 2, None, True, "N = 2, 4 channels in 2 groups, 2 x 3 pixels"),
        ("batch1", (1, 6, 3, 2), 3, None, False, "a batch of one, 6 channels in 3 groups"),
        ("groups4", (2, 8, 2, 2), 4, None, False, "8 channels in 4 groups of 2"),
        ("wide_groups", (3, 6, 1, 4), 2, None, False, "6 channels in 2 groups of 3, a 1 x 4 image"),
        ("one_group", (2, 3, 2, 3), 1, None, False, "num_groups = 1: statistics over all of (C, H, W)"),
        ("group_per_channel", (2, 3, 3, 2), 3, None, False, "num_groups = C: statistics per channel"),
        ("eps", (2, 4, 3, 2), 2, 1e-2, False, "eps = 0.01"),
    ]
    for name, (n, c, h, w), groups, eps, visible, what in shapes:
        for fn in ("forward", "backward"):
            args: dict[str, Any] = {"x": make_x(n, c, h, w), "gamma": rng.uniform(0.5, 2.0, c)}
            if fn == "forward":
                args["beta"] = normal(rng, c)
            else:
                args = {"dy": upstream(rng, n, c, h, w), **args}
            args["num_groups"] = groups
            if eps is not None:
                args["eps"] = eps
            cases.append(Case(f"{fn}_{name}", (Call(f"groupnorm_{fn}", args),), visible, description=f"{fn}: {what}"))
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _eps(ctx: DiagnosisContext) -> float:
    return float(ctx.call.args.get("eps", 1e-5))


def _forward_with(ctx: DiagnosisContext, groups: int, ddof: int = 0) -> np.ndarray:
    a = ctx.call.args
    x = np.asarray(a["x"], dtype=np.float64)
    xhat, _std = _normalised(x, groups, _eps(ctx), ddof)
    y: np.ndarray = _per_channel(np.asarray(a["gamma"])) * xhat + _per_channel(np.asarray(a["beta"]))
    return y


def _per_channel_stats(ctx: DiagnosisContext) -> str | None:
    c = ctx.call.args["x"].shape[1]
    if diagnose.matches_variant(ctx.got.get("y"), _forward_with(ctx, c), ctx.expected["y"]):
        return (
            "y is normalised per channel (instance norm); group norm takes the statistics over each group of"
            " C / num_groups channels together, and H and W"
        )
    return None


def _whole_layer_stats(ctx: DiagnosisContext) -> str | None:
    if diagnose.matches_variant(ctx.got.get("y"), _forward_with(ctx, 1), ctx.expected["y"]):
        return (
            "y is normalised over all channels at once (layer norm over (C, H, W)); group norm normalises each group"
            " of C / num_groups channels separately"
        )
    return None


def _interleaved_groups(ctx: DiagnosisContext) -> str | None:
    a = ctx.call.args
    x = np.asarray(a["x"], dtype=np.float64)
    c = x.shape[1]
    groups = int(a["num_groups"])
    # Channel k put in group k % G instead of k // (C / G).
    order = np.argsort(np.arange(c) % groups, kind="stable")
    xhat, _std = _normalised(x[:, order], groups, _eps(ctx))
    xhat = xhat[:, np.argsort(order)]
    y = _per_channel(np.asarray(a["gamma"])) * xhat + _per_channel(np.asarray(a["beta"]))
    if diagnose.matches_variant(ctx.got.get("y"), y, ctx.expected["y"]):
        return (
            "channels are assigned to groups round-robin (channel k in group k % num_groups); the groups are"
            " contiguous: channels g*C/G ... (g+1)*C/G - 1 form group g"
        )
    return None


def _unbiased(ctx: DiagnosisContext) -> str | None:
    groups = int(ctx.call.args["num_groups"])
    if diagnose.matches_variant(ctx.got.get("y"), _forward_with(ctx, groups, ddof=1), ctx.expected["y"]):
        return "y is normalised with the unbiased variance (divided by count - 1); group norm uses the biased one"
    return None


def _backward_args(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float]:
    a = ctx.call.args
    dy, x, gamma = (np.asarray(a[k], dtype=np.float64) for k in ("dy", "x", "gamma"))
    return dy, x, gamma, int(a["num_groups"]), _eps(ctx)


def _dx_constant_stats(ctx: DiagnosisContext) -> str | None:
    dy, x, gamma, groups, eps = _backward_args(ctx)
    variant = _variant_dx(dy, x, gamma, groups, eps, mean_path=False, var_path=False)
    if diagnose.matches_variant(ctx.got.get("dx"), variant, ctx.expected["dx"]):
        return (
            "dx treats each group's mean and variance as constants; they depend on x too: add the gradient paths"
            " through the group mean and variance"
        )
    return None


def _dx_other_grouping(ctx: DiagnosisContext) -> str | None:
    dy, x, gamma, _groups, eps = _backward_args(ctx)
    got, exp = ctx.got.get("dx"), ctx.expected["dx"]
    if diagnose.matches_variant(got, _variant_dx(dy, x, gamma, x.shape[1], eps), exp):
        return "dx is the gradient of a per-channel normalisation (instance norm); the statistics are per group"
    if diagnose.matches_variant(got, _variant_dx(dy, x, gamma, 1, eps), exp):
        return "dx is the gradient of a normalisation over all channels (layer norm); the statistics are per group"
    return None


_NHW = (0, 2, 3)
_AXIS_NAMES = ("N", "C", "H", "W")

TASK = pair_task(
    "groupnorm", "Group normalisation forward and backward",
    (
        (params("x", "gamma", "beta", "num_groups", eps="1e-5"), ("y",)),
        (params("dy", "x", "gamma", "num_groups", eps="1e-5"), ("dx", "dgamma", "dbeta")),
    ),
    (groupnorm_forward, groupnorm_backward), _cases,
    (
        (_per_channel_stats, _whole_layer_stats, _interleaved_groups, _unbiased),
        (
            diagnose.not_reduced_over("dgamma", "x", _NHW, _AXIS_NAMES),
            diagnose.not_reduced_over("dbeta", "x", _NHW, _AXIS_NAMES),
            _dx_constant_stats,
            _dx_other_grouping,
        ),
    ),
    {"x": 0, "gamma": 1, "beta": 2}, forward_fixed_args={"beta": zeros_like_gamma},
)
