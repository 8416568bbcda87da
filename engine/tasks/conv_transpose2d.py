"""Task ``conv_transpose2d``: 2-D transposed convolution (torch.nn.functional.conv_transpose2d with output_padding 0,
groups 1, dilation 1), forward and backward.

x (N, C_in, H, W), W (C_in, C_out, KH, KW), b (C_out,) -> y (N, C_out, H_out, W_out) with
H_out = (H - 1) * stride - 2 * padding + KH. Each input pixel scatters W[c_in] * x into the output at stride steps;
padding then crops that many rows and columns from each side.
"""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import params
from engine.tasks.conv2d import ConvShape, conv_cases, db_not_summed, flipped, weight_layout, window


def _full_size(x: np.ndarray, W: np.ndarray, stride: int) -> tuple[int, int]:
    """The scattered output's size before the padding crop: ((H - 1) * stride + KH, (W - 1) * stride + KW)."""
    return (x.shape[2] - 1) * stride + W.shape[2], (x.shape[3] - 1) * stride + W.shape[3]


def conv_transpose2d_forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0
) -> np.ndarray:
    """x (N, C_in, H, W), W (C_in, C_out, KH, KW), b (C_out,) -> y (N, C_out, H_out, W_out)."""
    return _forward(np.asarray(x, dtype=np.float64), np.asarray(W, dtype=np.float64), b, stride, padding)


def _forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, padding: int, *, crop: bool = True
) -> np.ndarray:
    """x (N, C_in, H, W) -> y (N, C_out, H_out, W_out): every input pixel scatters W's window, then the padding is
    cropped.

    The detectors' mistake: ``crop`` False keeps the full scattered output (the "padding ignored" mistake)."""
    n, _c_in, h, w = x.shape
    _, c_out, kh, kw = W.shape
    hf, wf = _full_size(x, W, stride)
    full = np.zeros((n, c_out, hf, wf))
    for i in range(kh):
        for j in range(kw):
            # input pixel (r, c) lands on output (r * stride + i, c * stride + j) with weight W[:, :, i, j]
            full[:, :, window(i, h, stride), window(j, w, stride)] += np.einsum("nchw,co->nohw", x, W[:, :, i, j])
    if crop:
        full = full[:, :, padding : hf - padding, padding : wf - padding]
    out: np.ndarray = full + np.asarray(b, dtype=np.float64)[None, :, None, None]
    return out


def conv_transpose2d_backward(
    dy: np.ndarray, x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dy (N, C_out, H_out, W_out) -> dx (N, C_in, H, W), dW (C_in, C_out, KH, KW), db (C_out,). ``b`` is unused.

    The padding crop's gradient puts dy back into the full-size grid (zeros on the cropped border); every input
    pixel then gathers, through each kernel element, the gradient of the output position it was scattered to.
    """
    x, W = np.asarray(x, dtype=np.float64), np.asarray(W, dtype=np.float64)
    _n, _c_in, h, w = x.shape
    _, _c_out, kh, kw = W.shape
    hf, wf = _full_size(x, W, stride)
    dfull = np.zeros((dy.shape[0], dy.shape[1], hf, wf))
    dfull[:, :, padding : hf - padding, padding : wf - padding] = dy
    dx = np.zeros(x.shape)
    dW = np.zeros(W.shape)
    for i in range(kh):
        for j in range(kw):
            g = dfull[:, :, window(i, h, stride), window(j, w, stride)]  # (N, C_out, H, W)
            dx += np.einsum("nohw,co->nchw", g, W[:, :, i, j])
            dW[:, :, i, j] = np.einsum("nchw,nohw->co", x, g)
    return dx, dW, np.asarray(dy, dtype=np.float64).sum(axis=(0, 2, 3))


# ---------------------------------------------------------------------------------------------------- cases

# name, (N, C_in, H, W), (C_out, KH, KW), stride, padding, what
_SHAPES: tuple[ConvShape, ...] = (
    ("example", (2, 2, 3, 2), (3, 3, 2), 1, 0, "stride 1, no padding, a 3x2 kernel on a 3x2 input"),
    ("stride2", (2, 3, 3, 4), (2, 3, 3), 2, 0, "stride 2 with a 3x3 kernel: neighbouring scatters overlap"),
    ("upsample2x", (1, 2, 4, 3), (3, 4, 4), 2, 1, "kernel 4, stride 2, padding 1: exactly twice the size"),
    ("stride3_gaps", (2, 2, 3, 3), (2, 2, 2), 3, 0, "stride 3 with a 2x2 kernel: some output rows get only b"),
    ("square_channels", (2, 3, 4, 3), (3, 3, 3), 1, 1, "C_in = C_out: a swapped weight layout keeps its shape"),
    ("batch1_wide", (1, 1, 2, 5), (2, 2, 3), 2, 0, "a batch of one, one input channel, a 2x3 kernel"),
    ("pad2", (2, 2, 3, 4), (2, 5, 5), 1, 2, "padding 2 with a 5x5 kernel"),
)


def _out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """The output's size along one axis: (size - 1) * stride - 2 * padding + kernel."""
    return (size - 1) * stride - 2 * padding + kernel


def _cases(rng: np.random.Generator) -> list[Case]:
    return conv_cases(rng, "conv_transpose2d", _SHAPES, _out_size, weight_in_first=True)


# ---------------------------------------------------------------------------------------------------- detectors


def _geometry(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    a = ctx.call.args
    x, W, b = (np.asarray(a[k], dtype=np.float64) for k in ("x", "W", "b"))
    return x, W, b, int(a.get("stride", 1)), int(a.get("padding", 0))


def _y_variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray | None, str]]:
    x, W, b, stride, padding = _geometry(ctx)
    out: list[tuple[np.ndarray | None, str]] = [
        (
            _forward(x, flipped(W), b, stride, padding),
            "y uses the kernel flipped in space: scattering x[c_in] * W[c_in] uses W as it is (written as a"
            " convolution of the zero-stuffed input, that form needs the flipped kernel)",
        ),
        (_forward(x, W, np.zeros_like(b), stride, padding), "y is missing the bias b[c_out]"),
        (
            _forward(x, W, b, stride, padding, crop=False),
            "y is not cropped: padding removes `padding` rows and columns from each side of the scattered output,"
            " H_out = (H - 1) * stride - 2 * padding + KH",
        ),
    ]
    if stride > 1:
        out.append((_forward(x, W, b, 1, padding), "y scatters at stride 1: input pixel (r, c) lands at r * stride"))
    if W.shape[0] == W.shape[1]:
        out.append(
            (
                _forward(x, W.transpose(1, 0, 2, 3), b, stride, padding),
                "W is read as (C_out, C_in, KH, KW), conv2d's layout; conv_transpose2d's weight is"
                " (C_in, C_out, KH, KW)",
            )
        )
    return out


def _y_empty_crop(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("y"), ctx.expected["y"]
    if got is None or ctx.call.args.get("padding", 0) != 0 or got.ndim != 4 or 0 not in got.shape[2:]:
        return None
    if exp.size == 0:
        return None
    return (
        "y is empty when padding is 0: a crop like full[:, :, p:-p, p:-p] selects nothing for p = 0 (-0 is 0);"
        " crop with p:H_full - p"
    )


def _dx_flipped(ctx: DiagnosisContext) -> str | None:
    W = ctx.call.args["W"]
    if diagnose.matches_variant(ctx.got.get("dx"), ctx.reference(W=flipped(W))["dx"], ctx.expected["dx"]):
        return (
            "dx uses the kernel flipped in space: dx is conv2d of dy with W as it is (cross-correlation), each input"
            " pixel gathering the gradient of the outputs it was scattered to"
        )
    return None


TASK = pair_task(
    "conv_transpose2d", "2-D transposed convolution with stride and padding, forward and backward",
    (
        (params("x", "W", "b", stride="1", padding="0"), ("y",)),
        (params("dy", "x", "W", "b", stride="1", padding="0"), ("dx", "dW", "db")),
    ),
    (conv_transpose2d_forward, conv_transpose2d_backward), _cases,
    (
        (diagnose.variant_explained("y", _y_variants), _y_empty_crop),
        (
            _dx_flipped,
            weight_layout("dW", ("C_in", "C_out", "KH", "KW")),
            db_not_summed,
        ),
    ),
    {"x": 0, "W": 1, "b": 2},
)
