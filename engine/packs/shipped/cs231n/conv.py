"""Task conv: the CS231n ``conv_forward_naive(x, w, b, conv_param) -> (out, cache)`` and
``conv_backward_naive(dout, cache) -> (dx, dw, db)``.

x is (N, C, H, W), w is (F, C, HH, WW), b is (F,); ``conv_param`` holds ``stride`` and ``pad`` (zero padding on
both sides of H and W). out is (N, F, H', W') with H' = 1 + (H + 2 pad - HH) / stride (cases always divide evenly).
Like the course (and every framework), this is cross-correlation: the filter is not flipped.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.packs.gradients import ReferenceGradient
from engine.task import Case, DiagnosisContext, FunctionSpec, Task

from ._common import forward_args, forward_case, layer_case, layer_gradient, params


def _windows(x: np.ndarray, hh: int, ww: int, stride: int) -> np.ndarray:
    """(N, C, H', W', HH, WW) view of the windows of a padded x."""
    n, c, h, w = x.shape
    ho, wo = (h - hh) // stride + 1, (w - ww) // stride + 1
    s = x.strides
    shape = (n, c, ho, wo, hh, ww)
    strides = (s[0], s[1], s[2] * stride, s[3] * stride, s[2], s[3])
    return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)


def conv_forward_naive(x: np.ndarray, w: np.ndarray, b: np.ndarray, conv_param: dict[str, Any]) -> tuple[
        np.ndarray, Any]:
    """x (N, C, H, W), w (F, C, HH, WW), b (F,) -> (out (N, F, H', W'), cache)."""
    stride, pad = int(conv_param["stride"]), int(conv_param["pad"])
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = _windows(xp, w.shape[2], w.shape[3], stride)
    out = np.einsum("nchwij,fcij->nfhw", cols, w) + b[None, :, None, None]
    return out, (x, w, stride, pad)


def conv_backward_naive(dout: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dout (N, F, H', W') and the cache -> (dx (N, C, H, W), dw (F, C, HH, WW), db (F,))."""
    x, w, stride, pad = cache
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = _windows(xp, w.shape[2], w.shape[3], stride)
    dw = np.einsum("nchwij,nfhw->fcij", cols, dout)
    dxp = np.zeros_like(xp)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            hs, ws = i * stride, j * stride
            dxp[:, :, hs:hs + w.shape[2], ws:ws + w.shape[3]] += np.einsum("nf,fcij->ncij", dout[:, :, i, j], w)
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))


def _flipped(ctx: DiagnosisContext) -> str | None:
    args = forward_args(ctx)
    got = ctx.got.get("out")
    if got is None or "w" not in args or not ctx.call.keep:
        return None
    flipped = conv_forward_naive(args["x"], args["w"][:, :, ::-1, ::-1], args["b"], args["conv_param"])[0]
    if diagnose.close(got, flipped):
        return "out flips the filter (a true convolution): the course's layer is cross-correlation, w as given"
    return None


def _dx_padded(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("dx"), ctx.expected["dx"]
    if got is not None and got.ndim == 4 and got.shape[:2] == exp.shape[:2] and got.shape[2] > exp.shape[2]:
        return "dx has the padded input's shape: cut the padding off (dx = dx_padded[:, :, pad:-pad, pad:-pad])"
    return None


def _geometry(rng: np.random.Generator) -> list[tuple[str, tuple[int, ...], tuple[int, ...], int, int, bool, str]]:
    return [
        ("example", (2, 3, 5, 5), (2, 3, 3, 3), 1, 1, True, "stride 1, pad 1"),
        ("stride2", (2, 2, 7, 7), (3, 2, 3, 3), 2, 1, False, "stride 2, pad 1"),
        ("nopad", (1, 3, 6, 4), (4, 3, 2, 2), 2, 0, False, "a batch of one, stride 2, pad 0, non-square input"),
        ("rect_filter", (3, 1, 6, 7), (2, 1, 3, 2), 1, int(rng.integers(0, 2)), False, "a 3x2 filter"),
    ]


def _args(
    rng: np.random.Generator, xs: tuple[int, ...], ws: tuple[int, ...], conv_param: dict[str, int]
) -> dict[str, Any]:
    return {"x": rng.standard_normal(xs), "w": rng.standard_normal(ws), "b": rng.standard_normal(ws[0]),
            "conv_param": dict(conv_param)}


def _cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for name, xs, ws, stride, pad, visible, what in _geometry(rng):
        conv_param = {"stride": stride, "pad": pad}
        a = _args(rng, xs, ws, conv_param)
        cases.append(forward_case(f"forward_{name}", "conv_forward_naive", a, visible, f"forward: {what}"))
        a = _args(rng, xs, ws, conv_param)
        dout = rng.standard_normal(conv_forward_naive(**a)[0].shape)
        cases.append(layer_case(f"backward_{name}", "conv_forward_naive", a, "conv_backward_naive", dout, visible,
                                f"forward then backward: {what}"))
    return cases


def GRADIENT_CHECKS(rng: np.random.Generator) -> list[ReferenceGradient]:
    inputs = {"x": rng.standard_normal((2, 2, 5, 5)), "w": rng.standard_normal((3, 2, 3, 3)),
              "b": rng.standard_normal(3)}
    return [layer_gradient("conv_backward_naive", conv_forward_naive, conv_backward_naive, inputs,
                           {"conv_param": {"stride": 2, "pad": 1}}, ("dx", "dw", "db"), rng)]


TASK = Task(
    id="conv",
    title="Naive convolution forward and backward (CS231n layers API)",
    functions=(
        FunctionSpec("conv_forward_naive", params("x", "w", "b", "conv_param"), ("out", "cache")),
        FunctionSpec("conv_backward_naive", params("dout", "cache"), ("dx", "dw", "db")),
    ),
    reference={"conv_forward_naive": conv_forward_naive, "conv_backward_naive": conv_backward_naive},
    make_cases=_cases,
    detectors={
        "conv_forward_naive": (_flipped,),
        "conv_backward_naive": (_dx_padded, diagnose.not_summed("db")),
    },
)
