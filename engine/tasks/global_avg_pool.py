"""Task ``global_avg_pool``: the mean over the spatial axes, x (N, C, H, W) -> y (N, C), and its backward.

As torch.nn.AdaptiveAvgPool2d(1) followed by a flatten: y[n, c] = mean over H and W of x[n, c]; the backward
spreads each dy[n, c] evenly, dx[n, c, h, w] = dy[n, c] / (H * W). H != W in most cases, so dividing by H or by W
alone, and averaging over the wrong axes, show up.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.compare import values_revealed
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import normal, params, upstream


def global_avg_pool_forward(x: np.ndarray) -> np.ndarray:
    """x (N, C, H, W) -> y (N, C), the mean over H and W."""
    out: np.ndarray = np.asarray(x, dtype=np.float64).mean(axis=(2, 3))
    return out


def global_avg_pool_backward(dy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dy (N, C) -> dx (N, C, H, W) = dy[n, c] / (H * W) everywhere in channel (n, c)."""
    h, w = np.shape(x)[2:]
    out: np.ndarray = np.broadcast_to(np.asarray(dy, dtype=np.float64)[:, :, None, None] / (h * w), np.shape(x))
    return out.copy()


# ---------------------------------------------------------------------------------------------------- detectors


def _forward_axes(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("y"), ctx.expected["y"]
    x = np.asarray(ctx.call.args["x"], dtype=np.float64)
    if got is None:
        return None
    if got.shape != exp.shape and got.size == exp.size and diagnose.close(got.reshape(exp.shape), exp):
        return "y keeps the pooled axes (shape (N, C, 1, 1) or similar): return shape (N, C), without keepdims"
    for axes in ((0, 1), (1, 2), (1, 3), (0, 2), (0, 3), (2,), (3,), (1, 2, 3), (0, 2, 3)):
        variant = x.mean(axis=axes)
        differs = got.shape != exp.shape or not diagnose.close(variant, exp)
        if got.shape == variant.shape and differs and diagnose.close(got, variant):
            return f"y averages over axes {axes}: average over the spatial axes (2, 3) and keep N and C"
    return None


def _forward_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    h, w = np.shape(ctx.call.args["x"])[2:]
    out: list[tuple[float, str]] = []
    if h * w > 1:
        out.append((float(h * w), "y is the sum over H and W: divide by H * W to get the mean"))
    out += _one_side(h, w, "y")
    return out


def _one_side(h: int, w: int, name: str) -> list[tuple[float, str]]:
    """Factors for dividing by only one of H and W (when that differs from dividing by H * W)."""
    if h == w and h > 1:
        return [(float(h), f"{name} is divided by only one of H and W: divide by H * W")]
    out: list[tuple[float, str]] = []
    if h > 1 and w > 1:
        out.append((float(h), f"{name} is divided by W only: divide by H * W"))
        out.append((float(w), f"{name} is divided by H only: divide by H * W"))
    return out


def _backward_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    n, _, h, w = np.shape(ctx.call.args["x"])
    out: list[tuple[float, str]] = [(-1.0, "dx has the wrong sign")]
    if h * w > 1:
        out.append(
            (float(h * w), "dx is missing the 1 / (H * W) factor: each element contributes 1 / (H * W) of the mean")
        )
        out.append((1.0 / (h * w), "dx is divided by H * W twice"))
    out += _one_side(h, w, "dx")
    if n > 1:
        out.append((1.0 / n, "dx is also divided by the batch size N: divide by H * W only"))
    return out


def _backward_shape(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("dx"), ctx.expected["dx"]
    if got is None or got.shape == exp.shape:
        return None
    if got.ndim == 4 and got.shape[2:] == (1, 1):
        return "dx has shape (N, C, 1, 1): broadcast dy / (H * W) over the whole (N, C, H, W) input"
    shown = f"shape {tuple(got.shape)}" if values_revealed() else "another shape"  # hidden: sizes the code chose
    return f"dx has {shown}: it has the shape of x, (N, C, H, W)"


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    # name, (N, C, H, W), visible, what
    shapes: list[tuple[str, tuple[int, int, int, int], bool, str]] = [
        ("example", (2, 3, 2, 3), True, "2 images, 3 channels, 2x3 spatial"),
        ("batch1", (1, 4, 3, 5), False, "a batch of one, 3x5 spatial"),
        ("tall", (3, 2, 6, 2), False, "6x2 spatial"),
        ("square", (2, 5, 4, 4), False, "square 4x4 spatial"),
        ("one_pixel", (3, 2, 1, 1), False, "1x1 spatial: pooling is the identity"),
        ("row", (2, 3, 1, 7), False, "1x7 spatial"),
        ("many_channels", (4, 16, 5, 3), False, "16 channels, 5x3 spatial"),
    ]
    cases: list[Case] = []
    for name, (n, c, h, w), visible, what in shapes:
        x = normal(rng, n, c, h, w, scale=2.0) + 0.5
        cases.append(
            Case(
                f"forward_{name}",
                (Call("global_avg_pool_forward", {"x": x}),),
                visible,
                description=f"forward: {what}",
            )
        )
        bx = normal(rng, n, c, h, w)
        dy = upstream(rng, n, c)
        cases.append(
            Case(
                f"backward_{name}",
                (Call("global_avg_pool_backward", {"dy": dy, "x": bx}),),
                visible,
                description=f"backward: {what}",
            )
        )
    return cases


TASK = pair_task(
    "global_avg_pool", "Global average pooling forward and backward",
    ((params("x"), ("y",)), (params("dy", "x"), ("dx",))),
    (global_avg_pool_forward, global_avg_pool_backward), _cases,
    (
        (_forward_axes, diagnose.factor_explained("y", _forward_factors)),
        (
            _backward_shape,
            diagnose.upstream_ignored("dx"),
            diagnose.factor_explained("dx", _backward_factors),
        ),
    ),
    {"x": None},
)
