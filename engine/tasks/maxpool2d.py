"""Task ``maxpool2d``: 2-D max pooling with a square window, no padding, and its backward.

x (N, C, H, W) -> y (N, C, H_out, W_out), H_out = (H - kernel_size) // stride + 1. Each window's gradient goes to
its maximum; on a tie, to the first maximum in row-major order within the window; overlapping windows accumulate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, Task
from engine.tasks._task_builders import DetectorPair, MakeCases, Pair, pair_task
from engine.tasks._util import params, pool_dims, upstream


def pool_out_size(h: int, kernel_size: int, stride: int) -> int:
    """The pooled size along one axis: (h - kernel_size) // stride + 1 (no padding)."""
    return (h - kernel_size) // stride + 1


def maxpool2d_forward(x: np.ndarray, kernel_size: int, stride: int) -> np.ndarray:
    """x (N, C, H, W) -> y (N, C, H_out, W_out)."""
    n, c, h, w = x.shape
    k = kernel_size
    h_out, w_out = pool_out_size(h, k, stride), pool_out_size(w, k, stride)
    y = np.empty((n, c, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            y[:, :, i, j] = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k].max(axis=(2, 3))
    return y


Tie = Literal["first", "last", "all", "split"]


def _pool_backward(
    dy: np.ndarray,
    x: np.ndarray,
    k: int,
    step: int,
    *,
    tie: Tie = "first",
    accumulate: bool = True,
    whole_window: bool = False,
) -> np.ndarray:
    """dy (N, C, Ho, Wo), x (N, C, H, W) -> dx (N, C, H, W): each window's gradient goes to its maximum.

    ``step`` is how far apart the windows are placed. The detectors' mistakes (knobs): ``tie`` where a tied window's
    gradient goes; without ``accumulate`` a later window overwrites what an earlier one wrote (at its maximum, or
    over its whole window).
    """
    n, c = x.shape[:2]
    dx = np.zeros(x.shape)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            rs, cs = i * step, j * step
            win = x[:, :, rs : rs + k, cs : cs + k].reshape(n, c, -1)
            if win.shape[2] != k * k:
                raise ValueError("window outside the input")
            is_max = win == win.max(axis=2, keepdims=True)
            if tie == "first":
                share = np.zeros_like(win)
                np.put_along_axis(share, np.argmax(win, axis=2)[:, :, None], 1.0, axis=2)
            elif tie == "last":
                share = np.zeros_like(win)
                last = k * k - 1 - np.argmax(win[:, :, ::-1], axis=2)
                np.put_along_axis(share, last[:, :, None], 1.0, axis=2)
            elif tie == "all":
                share = is_max.astype(np.float64)
            else:
                share = is_max / is_max.sum(axis=2, keepdims=True)
            g = (share * dy[:, :, i, j][:, :, None]).reshape(n, c, k, k)
            region = dx[:, :, rs : rs + k, cs : cs + k]
            if accumulate:
                region += g
            elif whole_window:
                region[...] = g
            else:
                where = share.reshape(n, c, k, k) > 0
                region[where] = g[where]
    return dx


def maxpool2d_backward(dy: np.ndarray, x: np.ndarray, kernel_size: int, stride: int) -> np.ndarray:
    """dy (N, C, H_out, W_out) -> dx (N, C, H, W)."""
    return _pool_backward(dy, x, kernel_size, stride)


# ---------------------------------------------------------------------------------------------------- cases


def _distinct(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Values of order 1 with no ties: a shuffled grid spaced 0.02 apart plus noise below 0.004.

    Neighbouring values stay at least 0.012 apart, far above float32 rounding and the cross-check's step.
    """
    size = int(np.prod(shape))
    grid = (rng.permutation(size) - (size - 1) / 2) * 0.02
    return (grid + rng.uniform(-0.004, 0.004, size)).reshape(shape)


def _tied(rng: np.random.Generator, *shape: int, levels: int = 3) -> np.ndarray:
    """Small integers: many exact ties, exact in float32 too."""
    return rng.integers(0, levels, size=shape).astype(np.float64)


def _make_x(rng: np.random.Generator, name: str, shape: tuple[int, int, int, int]) -> np.ndarray:
    """Distinct values, or many exact ties for the cases named ``ties_...``."""
    if name == "constant_windows":
        return np.full(shape, float(rng.integers(-24, 25)) / 8.0)  # one value (in eighths, exact) everywhere
    return _tied(rng, *shape) if name.startswith("ties_") else _distinct(rng, *shape)


# name, (N, C, H, W), kernel_size, stride, what (the "ties_..." cases draw many exact ties)
PoolShape = tuple[str, tuple[int, int, int, int], int, int, str]
OVERLAPPING: tuple[PoolShape, ...] = (  # windows that overlap, for max and average pooling alike
    ("overlap_k3_s1", (2, 2, 5, 6), 3, 1, "3x3 windows with stride 1: windows overlap"),
    ("overlap_k3_s2", (1, 3, 7, 8), 3, 2, "3x3 windows with stride 2: windows overlap by one row, and the last"
     " column is not covered"),
    ("overlap_k2_s1", (2, 1, 4, 5), 2, 1, "2x2 windows with stride 1"),
)
_SHAPES: tuple[PoolShape, ...] = (
    ("example", (2, 2, 4, 6), 2, 2, "2x2 windows with stride 2 (non-overlapping) on a 4x6 image"),
    *OVERLAPPING,
    ("gaps_k2_s3", (2, 2, 8, 7), 2, 3, "2x2 windows with stride 3: rows and columns between windows"),
    ("batch1_k4", (1, 2, 9, 6), 4, 2, "a batch of one, 4x4 windows with stride 2"),
    ("ties_k2_s2", (2, 2, 6, 4), 2, 2, "exact ties inside non-overlapping 2x2 windows"),
    ("ties_k3_s1", (1, 2, 5, 5), 3, 1, "exact ties with overlapping 3x3 windows"),
    ("ties_k3_s2", (2, 1, 7, 7), 3, 2, "exact ties with 3x3 windows at stride 2"),
    ("constant_windows", (1, 1, 4, 4), 2, 1, "every value equal: each window is a full tie"),
)


def pool_cases(
    rng: np.random.Generator,
    prefix: str,
    shapes: Sequence[PoolShape],
    draw: Callable[[str, tuple[int, int, int, int], bool], np.ndarray],
) -> list[Case]:
    """A forward and a backward case of ``<prefix>_forward(x, kernel_size, stride)`` and
    ``<prefix>_backward(dy, x, kernel_size, stride)`` for each shape ``(name, (N, C, H, W), kernel_size, stride,
    what)``; x is ``draw(name, shape, forward)``, drawn again for the backward after its upstream dy."""
    cases: list[Case] = []
    for name, (n, c, h, w), k, stride, what in shapes:
        visible = name == "example"
        fargs: dict[str, Any] = {"x": draw(name, (n, c, h, w), True), "kernel_size": k, "stride": stride}
        call = Call(f"{prefix}_forward", fargs)
        cases.append(Case(f"forward_{name}", (call,), visible, description=f"forward: {what}"))
        dy = upstream(rng, n, c, pool_out_size(h, k, stride), pool_out_size(w, k, stride))
        bargs: dict[str, Any] = {"dy": dy, "x": draw(name, (n, c, h, w), False), "kernel_size": k, "stride": stride}
        call = Call(f"{prefix}_backward", bargs)
        cases.append(Case(f"backward_{name}", (call,), visible, description=f"backward: {what}"))
    return cases


def _cases(rng: np.random.Generator) -> list[Case]:
    return pool_cases(rng, "maxpool2d", _SHAPES, lambda name, shape, _forward: _make_x(rng, name, shape))


# ---------------------------------------------------------------------------------------------------- detectors


def pool_geometry(ctx: DiagnosisContext) -> tuple[int, int]:
    """The failing call's (kernel_size, stride)."""
    return int(ctx.call.args["kernel_size"]), int(ctx.call.args["stride"])


def _forward_stride(ctx: DiagnosisContext) -> str | None:
    k, s = pool_geometry(ctx)
    got = ctx.got.get("y")
    if s != 1 and diagnose.matches_variant(got, ctx.reference(stride=1)["y"], ctx.expected["y"]):
        return "y is pooled with stride 1: move the window by `stride` positions, H_out = (H - k) // stride + 1"
    if s != k and diagnose.matches_variant(got, ctx.reference(stride=k)["y"], ctx.expected["y"]):
        return "y assumes stride = kernel_size (non-overlapping windows); use the given stride"
    return None


def _backward_variant(ctx: DiagnosisContext, **kwargs: Any) -> np.ndarray:
    dy = np.asarray(ctx.call.args["dy"], dtype=np.float64)
    x = np.asarray(ctx.call.args["x"], dtype=np.float64)
    k, s = pool_geometry(ctx)
    return _pool_backward(dy, x, k, kwargs.pop("step", s), **kwargs)


def _overwritten(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("dx")
    for whole in (False, True):
        if diagnose.matches_variant(
            got, _backward_variant(ctx, accumulate=False, whole_window=whole), ctx.expected["dx"]
        ):
            return (
                "dx is overwritten where windows overlap: an element that is the maximum of several windows"
                " receives the sum of their gradients (use +=, not =)"
            )
    return None


def _ties_all(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("dx")
    if diagnose.matches_variant(got, _backward_variant(ctx, tie="all"), ctx.expected["dx"]):
        return (
            "on a tie, dx gives the gradient to every maximum of the window (a mask x == max); it goes to the"
            " first maximum in row-major order only"
        )
    if diagnose.matches_variant(got, _backward_variant(ctx, tie="split"), ctx.expected["dx"]):
        return (
            "on a tie, dx splits the gradient among the maxima; it goes whole to the first maximum in row-major order"
        )
    return None


def _ties_last(ctx: DiagnosisContext) -> str | None:
    if diagnose.matches_variant(ctx.got.get("dx"), _backward_variant(ctx, tie="last"), ctx.expected["dx"]):
        return "on a tie, dx gives the gradient to the last maximum; it goes to the first in row-major order"
    return None


def _backward_stride(ctx: DiagnosisContext) -> str | None:
    k, s = pool_geometry(ctx)
    got = ctx.got.get("dx")
    for step in (1, k):
        if step == s:
            continue
        try:
            variant = _backward_variant(ctx, step=step)
        except ValueError:
            continue
        if diagnose.matches_variant(got, variant, ctx.expected["dx"]):
            what = "stride 1" if step == 1 else "stride = kernel_size"
            return f"dx places the windows at {what}; window (i, j) starts at row i * stride, column j * stride"
    return None


def pool_task(prefix: str, title: str, reference: Pair, make_cases: MakeCases, detectors: DetectorPair) -> Task:
    """A 2-D pooling task: ``<prefix>_forward(x, kernel_size, stride) -> y`` and
    ``<prefix>_backward(dy, x, kernel_size, stride) -> dx``."""
    signatures = ((params("x", "kernel_size", "stride"), ("y",)), (params("dy", "x", "kernel_size", "stride"), ("dx",)))
    return pair_task(prefix, title, signatures, reference, make_cases, detectors, {"x": None})


TASK = pool_task(
    "maxpool2d", "2-D max pooling forward and backward", (maxpool2d_forward, maxpool2d_backward), _cases,
    (
        (diagnose.output_size("y", pool_dims), _forward_stride),
        (_overwritten, _ties_all, _ties_last, _backward_stride),
    ),
)
