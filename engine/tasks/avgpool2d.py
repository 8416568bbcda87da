"""Task ``avgpool2d``: 2-D average pooling with a square window, no padding, and its backward.

x (N, C, H, W) -> y (N, C, H_out, W_out), H_out = (H - kernel_size) // stride + 1, likewise W_out; y is the mean of
each kernel_size x kernel_size window. The backward spreads each dy[n, c, i, j] / kernel_size**2 over its window;
overlapping windows accumulate; positions that no window covers get 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.task import Case, DiagnosisContext
from engine.tasks._util import normal, pool_dims
from engine.tasks.maxpool2d import (
    OVERLAPPING,
    PoolShape,
    maxpool2d_backward,
    pool_cases,
    pool_geometry,
    pool_out_size,
    pool_task,
)


def avgpool2d_forward(x: np.ndarray, kernel_size: int, stride: int) -> np.ndarray:
    """x (N, C, H, W) -> y (N, C, H_out, W_out), the mean of each window."""
    x = np.asarray(x, dtype=np.float64)
    n, c, h, w = x.shape
    k = kernel_size
    h_out, w_out = pool_out_size(h, k, stride), pool_out_size(w, k, stride)
    y = np.empty((n, c, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            y[:, :, i, j] = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k].mean(axis=(2, 3))
    return y


def _spread(dy: np.ndarray, shape: tuple[int, ...], k: int, step: int, accumulate: bool = True) -> np.ndarray:
    """dy / k**2 spread over windows ``step`` apart; without ``accumulate`` a later window overwrites."""
    dx = np.zeros(shape)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            rs, cs = i * step, j * step
            region = dx[:, :, rs : rs + k, cs : cs + k]
            if region.shape[2:] != (k, k):
                raise ValueError("window outside the input")
            g = np.asarray(dy[:, :, i, j], dtype=np.float64)[:, :, None, None] / (k * k)
            if accumulate:
                region += g
            else:
                region[...] = g
    return dx


def avgpool2d_backward(dy: np.ndarray, x: np.ndarray, kernel_size: int, stride: int) -> np.ndarray:
    """dy (N, C, H_out, W_out) -> dx (N, C, H, W)."""
    return _spread(np.asarray(dy, dtype=np.float64), np.shape(x), kernel_size, stride)


# ---------------------------------------------------------------------------------------------------- detectors


def _forward_stride(ctx: DiagnosisContext) -> str | None:
    k, s = pool_geometry(ctx)
    got = ctx.got.get("y")
    if s != k and diagnose.matches_variant(got, ctx.reference(stride=k)["y"], ctx.expected["y"]):
        return "y assumes stride = kernel_size (non-overlapping windows); use the given stride"
    if s != 1 and diagnose.matches_variant(got, ctx.reference(stride=1)["y"], ctx.expected["y"]):
        return "y is pooled with stride 1: move the window by `stride` positions, H_out = (H - k) // stride + 1"
    return None


def _forward_max(ctx: DiagnosisContext) -> str | None:
    x = np.asarray(ctx.call.args["x"], dtype=np.float64)
    k, s = pool_geometry(ctx)
    got = ctx.got.get("y")
    if got is None or got.shape != ctx.expected["y"].shape:
        return None
    h_out, w_out = got.shape[2:]
    variant = np.empty(got.shape)
    for i in range(h_out):
        for j in range(w_out):
            variant[:, :, i, j] = x[:, :, i * s : i * s + k, j * s : j * s + k].max(axis=(2, 3))
    if diagnose.matches_variant(got, variant, ctx.expected["y"]):
        return "y takes each window's maximum (max pooling): average pooling takes each window's mean"
    return None


def _forward_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    k, _ = pool_geometry(ctx)
    if k == 1:
        return []
    return [
        (float(k * k), "y is each window's sum: divide by kernel_size**2 to get the mean"),
        (float(k), "y is divided by kernel_size once: a window holds kernel_size**2 elements"),
    ]


def _backward_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    k, _ = pool_geometry(ctx)
    out: list[tuple[float, str]] = [(-1.0, "dx has the wrong sign")]
    if k > 1:
        out += [
            (
                float(k * k),
                "dx is missing the 1 / kernel_size**2 factor: each element is 1 / k**2 of its window's mean",
            ),
            (float(k), "dx is divided by kernel_size once: a window holds kernel_size**2 elements"),
            (1.0 / (k * k), "dx is divided by kernel_size**2 twice"),
        ]
    return out


def _variant(ctx: DiagnosisContext, step: int | None = None, accumulate: bool = True) -> np.ndarray:
    dy = np.asarray(ctx.call.args["dy"], dtype=np.float64)
    k, s = pool_geometry(ctx)
    return _spread(dy, np.shape(ctx.call.args["x"]), k, s if step is None else step, accumulate)


def _overwritten(ctx: DiagnosisContext) -> str | None:
    if diagnose.matches_variant(ctx.got.get("dx"), _variant(ctx, accumulate=False), ctx.expected["dx"]):
        return (
            "dx is overwritten where windows overlap: an element inside several windows receives the sum of"
            " their shares (use +=, not =)"
        )
    return None


def _backward_stride(ctx: DiagnosisContext) -> str | None:
    k, s = pool_geometry(ctx)
    for step in dict.fromkeys((k, 1)):
        if step == s:
            continue
        try:
            variant = _variant(ctx, step=step)
        except ValueError:
            continue
        if diagnose.matches_variant(ctx.got.get("dx"), variant, ctx.expected["dx"]):
            what = "stride = kernel_size" if step == k else "stride 1"
            return f"dx places the windows at {what}; window (i, j) starts at row i * stride, column j * stride"
    return None


def _backward_max(ctx: DiagnosisContext) -> str | None:
    a = ctx.call.args
    variant = maxpool2d_backward(a["dy"], a["x"], a["kernel_size"], a["stride"])
    if diagnose.matches_variant(ctx.got.get("dx"), variant, ctx.expected["dx"]):
        return (
            "dx routes each window's gradient to its maximum (max pooling's backward): average pooling spreads"
            " dy / kernel_size**2 evenly over the window"
        )
    return None


# ---------------------------------------------------------------------------------------------------- cases

# name, (N, C, H, W), kernel_size, stride, what
_SHAPES: tuple[PoolShape, ...] = (
    ("example", (1, 2, 4, 6), 2, 2, "2x2 windows with stride 2 (non-overlapping) on a 4x6 image"),
    *OVERLAPPING,
    ("gaps_k2_s3", (2, 2, 8, 7), 2, 3, "2x2 windows with stride 3: rows and columns between windows get 0"),
    ("batch1_k4", (1, 2, 9, 6), 4, 2, "a batch of one, 4x4 windows with stride 2"),
    ("k1_s2", (2, 2, 5, 4), 1, 2, "1x1 windows with stride 2: every other pixel"),
)


def _cases(rng: np.random.Generator) -> list[Case]:
    def draw(_name: str, shape: tuple[int, int, int, int], forward: bool) -> np.ndarray:
        return normal(rng, *shape) + 0.5 if forward else normal(rng, *shape)

    return pool_cases(rng, "avgpool2d", _SHAPES, draw)


TASK = pool_task(
    "avgpool2d", "2-D average pooling forward and backward", (avgpool2d_forward, avgpool2d_backward), _cases,
    (
        (
            diagnose.output_size("y", pool_dims),
            _forward_stride,
            _forward_max,
            diagnose.factor_explained("y", _forward_factors),
        ),
        (
            _overwritten,
            _backward_stride,
            _backward_max,
            diagnose.upstream_ignored("dx"),
            diagnose.factor_explained("dx", _backward_factors),
        ),
    ),
)
