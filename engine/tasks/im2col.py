"""Task ``im2col``: unfold the sliding windows of an image into the rows of a matrix, and col2im, its adjoint.

x (N, C, H, W) -> cols (N * H_out * W_out, C * KH * KW): one row per window, rows in (n, oh, ow) order, each row the
window zero-padded by ``padding`` and flattened in (c, i, j) order, H_out = (H + 2p - KH) // stride + 1 (likewise
W_out). col2im(cols, x_shape, ...) scatters every row back to where it was read and ADDS overlapping entries, so it
is the transpose of im2col (the backward of a convolution written as a matrix product).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, GradientLink, Task
from engine.tasks._util import normal, params
from engine.tasks.conv2d import window


def _out_size(h: int, w: int, kh: int, kw: int, stride: int, padding: int) -> tuple[int, int]:
    return (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1


def im2col(x: np.ndarray, kh: int, kw: int, stride: int = 1, padding: int = 0) -> np.ndarray:
    """x (N, C, H, W) -> cols (N * H_out * W_out, C * KH * KW); row (n * H_out + oh) * W_out + ow holds the window
    at (oh * stride, ow * stride) of the padded x, flattened over (c, i, j)."""
    return _im2col(np.asarray(x, dtype=np.float64), kh, kw, stride, padding)


def _im2col(x: np.ndarray, kh: int, kw: int, stride: int, padding: int, *, order: str = "cij") -> np.ndarray:
    """x (N, C, H, W) -> cols (N * H_out * W_out, C * KH * KW): one row per window, channel first then kernel row
    and column.

    The detectors' mistake: ``order`` "ijc" flattens each window channels-last."""
    n, c, h, w = x.shape
    ho, wo = _out_size(h, w, kh, kw, stride, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = np.empty((n, c, kh, kw, ho, wo))
    for i in range(kh):
        for j in range(kw):
            windows[:, :, i, j] = xp[:, :, window(i, ho, stride), window(j, wo, stride)]
    axes = (0, 4, 5, 1, 2, 3) if order == "cij" else (0, 4, 5, 2, 3, 1)
    out: np.ndarray = windows.transpose(axes).reshape(n * ho * wo, c * kh * kw)
    return out


def col2im(
    cols: np.ndarray, x_shape: tuple[int, int, int, int], kh: int, kw: int, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """cols (N * H_out * W_out, C * KH * KW) -> dx (N, C, H, W) = x_shape: each entry added back to the input position
    it was read from (padding positions dropped)."""
    return _col2im(np.asarray(cols, dtype=np.float64), tuple(int(v) for v in x_shape), kh, kw, stride, padding)


def _col2im(
    cols: np.ndarray, x_shape: tuple[int, ...], kh: int, kw: int, stride: int, padding: int, *, mode: str = "add"
) -> np.ndarray:
    """cols (N * H_out * W_out, C * KH * KW) -> x (x_shape): every window added back where it came from.

    The detectors' mistakes: ``mode`` "assign" lets overlapping windows overwrite each other, "mean" averages
    them, "uncropped" returns the padded array."""
    n, c, h, w = x_shape
    ho, wo = _out_size(h, w, kh, kw, stride, padding)
    windows = cols.reshape(n, ho, wo, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)  # (N, C, KH, KW, H_out, W_out)
    xp = np.zeros((n, c, h + 2 * padding, w + 2 * padding))
    count = np.zeros_like(xp)
    for i in range(kh):
        for j in range(kw):
            rows, columns = window(i, ho, stride), window(j, wo, stride)
            if mode == "assign":
                xp[:, :, rows, columns] = windows[:, :, i, j]
            else:
                xp[:, :, rows, columns] += windows[:, :, i, j]
            count[:, :, rows, columns] += 1.0
    if mode == "mean":
        xp = xp / np.maximum(count, 1.0)
    if mode == "uncropped":
        return xp
    out: np.ndarray = xp[:, :, padding : padding + h, padding : padding + w]
    return out


# ---------------------------------------------------------------------------------------------------- cases

# name, (N, C, H, W), KH, KW, stride, padding, what
_SHAPES: tuple[tuple[str, tuple[int, int, int, int], int, int, int, int, str], ...] = (
    ("example", (1, 2, 3, 4), 2, 2, 1, 0, "one image of 2 channels, 3x4, a 2x2 window, stride 1"),
    ("stride2_pad1", (2, 3, 5, 4), 3, 3, 2, 1, "a batch of 2, a 3x3 window, stride 2, padding 1"),
    ("wide_window", (2, 2, 4, 6), 2, 3, 1, 1, "a non-square 2x3 window with padding 1"),
    ("no_overlap", (1, 1, 4, 6), 2, 2, 2, 0, "stride = window: the windows tile the image"),
    ("one_by_one", (1, 3, 3, 2), 1, 1, 1, 0, "a 1x1 window: rows are the pixels' channel vectors"),
    ("stride3_pad2", (2, 2, 7, 5), 3, 2, 3, 2, "stride 3, padding 2, a 3x2 window"),
    ("heavy_overlap", (2, 1, 5, 5), 4, 4, 1, 0, "a 4x4 window at stride 1: most pixels are in many windows"),
)


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    for name, shape, kh, kw, stride, padding, what in _SHAPES:
        visible = name == "example"
        geometry: dict[str, Any] = {"kh": kh, "kw": kw}
        if not visible:
            geometry.update(stride=stride, padding=padding)
        fwd = Call("im2col", {"x": normal(rng, *shape), **geometry})
        cases.append(Case(f"im2col_{name}", (fwd,), visible, description=f"im2col: {what}"))
        ho, wo = _out_size(shape[2], shape[3], kh, kw, stride, padding)
        cols = normal(rng, shape[0] * ho * wo, shape[1] * kh * kw)
        back = Call("col2im", {"cols": cols, "x_shape": shape, **geometry})
        cases.append(Case(f"col2im_{name}", (back,), visible, description=f"col2im: {what}"))
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _geometry(ctx: DiagnosisContext) -> tuple[int, int, int, int]:
    a = ctx.call.args
    return int(a["kh"]), int(a["kw"]), int(a.get("stride", 1)), int(a.get("padding", 0))


def _cols_variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray | None, str]]:
    kh, kw, stride, padding = _geometry(ctx)
    x = np.asarray(ctx.call.args["x"], dtype=np.float64)
    n, _c, h, w = x.shape
    ho, wo = _out_size(h, w, kh, kw, stride, padding)
    ref = _im2col(x, kh, kw, stride, padding)
    by_position = ref.reshape(n, ho, wo, -1).transpose(0, 2, 1, 3).reshape(ref.shape)
    out: list[tuple[np.ndarray | None, str]] = [
        (
            ref.T,
            "cols is (C * kh * kw, N * H_out * W_out), the transpose of this task's layout (CS231n uses that one);"
            " return one row per window",
        ),
        (
            _im2col(x, kh, kw, stride, padding, order="ijc"),
            "each row is flattened channels-last, in (i, j, c) order; flatten the window as (c, i, j), the layout of a"
            " conv weight W.reshape(F, -1)",
        ),
        (
            by_position,
            "the rows run over the windows column by column; order them (n, oh, ow), ow fastest (row-major)",
        ),
    ]
    if padding:
        out.append((_im2col(x, kh, kw, stride, 0) if h >= kh and w >= kw else None, "cols ignores the padding"))
    return out


def _dx_variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray | None, str]]:
    kh, kw, stride, padding = _geometry(ctx)
    cols = np.asarray(ctx.call.args["cols"], dtype=np.float64)
    shape = tuple(int(v) for v in ctx.call.args["x_shape"])
    overwrite = (
        "overlapping windows overwrite each other: col2im must ADD every entry (+=), since a pixel read by several"
        " windows gets the sum of their gradients"
    )
    return [
        (_col2im(cols, shape, kh, kw, stride, padding, mode="assign"), overwrite),
        (_assign_by_window(cols, shape, kh, kw, stride, padding), overwrite),
        (
            _col2im(cols, shape, kh, kw, stride, padding, mode="mean"),
            "overlapping entries are averaged; col2im is the transpose of im2col and sums them",
        ),
        (
            _col2im(cols, shape, kh, kw, stride, padding, mode="uncropped"),
            "dx keeps the padded border: drop `padding` rows and columns on each side to return x_shape",
        ),
    ]


def _assign_by_window(
    cols: np.ndarray, x_shape: tuple[int, ...], kh: int, kw: int, stride: int, padding: int
) -> np.ndarray:
    """The overwrite mistake as a loop over the windows writes it: the last window (in row order) wins."""
    n, c, h, w = x_shape
    ho, wo = _out_size(h, w, kh, kw, stride, padding)
    xp = np.zeros((n, c, h + 2 * padding, w + 2 * padding))
    for row, (b, oh, ow) in enumerate(np.ndindex(n, ho, wo)):
        r, q = oh * stride, ow * stride
        xp[b, :, r : r + kh, q : q + kw] = cols[row].reshape(c, kh, kw)
    out: np.ndarray = xp[:, :, padding : padding + h, padding : padding + w]
    return out


def _dx_empty_crop(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("dx")
    if got is None or ctx.call.args.get("padding", 0) != 0 or got.ndim != 4 or 0 not in got.shape[2:]:
        return None
    return (
        "dx is empty when padding is 0: a crop like padded[:, :, p:-p, p:-p] selects nothing for p = 0 (-0 is 0);"
        " crop with p:p + H and p:p + W"
    )


def _zeros_x(args: dict[str, Any]) -> np.ndarray:
    """The forward's x for the cross-check: im2col is linear, so its gradient is the same at every x."""
    return np.zeros(tuple(int(v) for v in args["x_shape"]))


TASK = Task(
    id="im2col",
    title="im2col and its adjoint col2im",
    functions=(
        FunctionSpec("im2col", params("x", "kh", "kw", stride="1", padding="0"), ("cols",)),
        FunctionSpec("col2im", params("cols", "x_shape", "kh", "kw", stride="1", padding="0"), ("dx",)),
    ),
    reference={"im2col": im2col, "col2im": col2im},
    make_cases=_cases,
    detectors={
        "im2col": (diagnose.variant_explained("cols", _cols_variants),),
        "col2im": (diagnose.variant_explained("dx", _dx_variants), _dx_empty_crop),
    },
    links=(GradientLink("im2col", "col2im", {"x": None}, upstream_arg="cols", forward_fixed_args={"x": _zeros_x}),),
)
