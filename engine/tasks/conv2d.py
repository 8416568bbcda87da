"""Task ``conv2d``: 2-D cross-correlation with zero padding and stride (torch.nn.functional.conv2d), and its backward.

x (N, C, H, W), W (F, C, KH, KW), b (F,) -> y (N, F, H_out, W_out), H_out = (H + 2p - KH) // stride + 1.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, Detector, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import normal, params, upstream


def _pad(x: np.ndarray, padding: int) -> np.ndarray:
    return np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))


def window(start: int, count: int, stride: int) -> slice:
    """The input rows (or columns) that kernel offset ``start`` meets across ``count`` output positions."""
    return slice(start, start + stride * (count - 1) + 1, stride)


def _out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """The output's size along one axis: (size + 2 * padding - kernel) // stride + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def conv2d_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """x (N, C, H, W), W (F, C, KH, KW), b (F,) -> y (N, F, H_out, W_out)."""
    n, _c, h, w = x.shape
    f, _, kh, kw = W.shape
    h_out, w_out = _out_size(h, kh, stride, padding), _out_size(w, kw, stride, padding)
    xp = _pad(x, padding)
    y = np.zeros((n, f, h_out, w_out))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, window(i, h_out, stride), window(j, w_out, stride)]
            y += np.einsum("nchw,fc->nfhw", patch, W[:, :, i, j])
    out: np.ndarray = y + b[None, :, None, None]
    return out


def conv2d_backward(
    dy: np.ndarray, x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dy (N, F, H_out, W_out) -> dx (N, C, H, W), dW (F, C, KH, KW), db (F,). ``b`` is not needed."""
    _n, _c, h, w = x.shape
    _f, _, kh, kw = W.shape
    h_out, w_out = dy.shape[2], dy.shape[3]
    xp = _pad(x, padding)
    dxp = np.zeros_like(xp, dtype=np.float64)
    dW = np.zeros(W.shape)
    for i in range(kh):
        for j in range(kw):
            rows, cols = window(i, h_out, stride), window(j, w_out, stride)
            dW[:, :, i, j] = np.einsum("nfhw,nchw->fc", dy, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dy, W[:, :, i, j])
    dx = dxp[:, :, padding : padding + h, padding : padding + w]
    return dx, dW, dy.sum(axis=(0, 2, 3))


# ---------------------------------------------------------------------------------------------------- cases

# name, (N, C, H, W), (F, KH, KW), stride, padding, what
ConvShape = tuple[str, tuple[int, int, int, int], tuple[int, int, int], int, int, str]
_SHAPES: tuple[ConvShape, ...] = (
    ("example", (2, 2, 5, 4), (3, 3, 2), 1, 0, "stride 1, no padding, a 3x2 kernel on a 5x4 image"),
    ("batch1_pad1", (1, 3, 5, 6), (2, 3, 3), 1, 1, "a batch of one, stride 1, padding 1 ('same' size)"),
    (
        "stride2_pad0",
        (2, 2, 8, 7),
        (3, 3, 3),
        2,
        0,
        "stride 2, no padding; (H - KH) is odd, so the last row is not covered",
    ),
    (
        "stride2_pad1",
        (2, 3, 6, 7),
        (4, 3, 2),
        2,
        1,
        "stride 2, padding 1, a 3x2 kernel; H + 2p - KH not divisible by the stride",
    ),
    ("stride3_pad2", (1, 2, 7, 5), (2, 2, 3), 3, 2, "stride 3, padding 2 (wider than the kernel needs)"),
    ("one_by_one", (3, 4, 5, 4), (3, 1, 1), 2, 0, "a 1x1 kernel with stride 2"),
    ("single_channel", (2, 1, 6, 6), (1, 4, 4), 1, 0, "one input and one output channel, a 4x4 kernel"),
    ("wide_kernel", (1, 2, 4, 9), (3, 2, 5), 2, 1, "a wide 2x5 kernel with stride 2 and padding 1"),
)


def conv_cases(
    rng: np.random.Generator,
    prefix: str,
    shapes: Sequence[ConvShape],
    out_size: Callable[[int, int, int, int], int],
    weight_in_first: bool = False,
) -> list[Case]:
    """A forward and a backward case of ``<prefix>_forward(x, W, b, stride, padding)`` and
    ``<prefix>_backward(dy, x, W, b, stride, padding)`` for each shape ``(name, (N, C_in, H, W), (C_out, KH, KW),
    stride, padding, what)``, with fresh values for each. W is (C_out, C_in, KH, KW), or (C_in, C_out, KH, KW)
    with ``weight_in_first``; dy's spatial size is ``out_size(size, kernel, stride, padding)``. Only the
    "example" is visible, and it omits stride and padding when they are the defaults."""
    cases: list[Case] = []
    for name, (n, c, h, w), (f, kh, kw), stride, padding, what in shapes:
        visible = name == "example"
        geometry = {} if visible and stride == 1 and padding == 0 else {"stride": stride, "padding": padding}
        weight = (c, f, kh, kw) if weight_in_first else (f, c, kh, kw)
        for fn in ("forward", "backward"):
            args: dict[str, Any] = {"x": normal(rng, n, c, h, w), "W": normal(rng, *weight), "b": normal(rng, f)}
            if fn == "backward":
                dy_size = out_size(h, kh, stride, padding), out_size(w, kw, stride, padding)
                args = {"dy": upstream(rng, n, f, *dy_size), **args}
            call = Call(f"{prefix}_{fn}", {**args, **geometry})
            cases.append(Case(f"{fn}_{name}", (call,), visible, description=f"{fn}: {what}"))
    return cases


def _cases(rng: np.random.Generator) -> list[Case]:
    return conv_cases(rng, "conv2d", _SHAPES, _out_size)


# ---------------------------------------------------------------------------------------------------- detectors


def _stride(ctx: DiagnosisContext) -> int:
    return int(ctx.call.args.get("stride", 1))


def _padding(ctx: DiagnosisContext) -> int:
    return int(ctx.call.args.get("padding", 0))


def flipped(W: np.ndarray) -> np.ndarray:
    """W (A, B, KH, KW) rotated by 180 degrees in space."""
    return np.ascontiguousarray(np.asarray(W)[:, :, ::-1, ::-1])


def _y_stride_ignored(ctx: DiagnosisContext) -> str | None:
    if _stride(ctx) != 1 and diagnose.matches_variant(
        ctx.got.get("y"), ctx.reference(stride=1)["y"], ctx.expected["y"]
    ):
        return "y is computed with stride 1: move the window by `stride` positions, H_out = (H + 2p - KH) // stride + 1"
    return None


def _y_padding_ignored(ctx: DiagnosisContext) -> str | None:
    if _padding(ctx) != 0 and diagnose.matches_variant(
        ctx.got.get("y"), ctx.reference(padding=0)["y"], ctx.expected["y"]
    ):
        return "y ignores the padding: zero-pad x by `padding` on each side of H and W before sliding the window"
    return None


def _y_true_convolution(ctx: DiagnosisContext) -> str | None:
    W = ctx.call.args["W"]
    if diagnose.matches_variant(ctx.got.get("y"), ctx.reference(W=flipped(W))["y"], ctx.expected["y"]):
        return (
            "y is a true convolution (the kernel is flipped); conv2d here is cross-correlation, as in PyTorch:"
            " use W as it is"
        )
    return None


def _y_no_bias(ctx: DiagnosisContext) -> str | None:
    b = ctx.call.args["b"]
    if diagnose.matches_variant(ctx.got.get("y"), ctx.reference(b=np.zeros_like(b))["y"], ctx.expected["y"]):
        return "y is missing the bias: add b[f] to every position of output channel f"
    return None


def weight_layout(output: str, layout: tuple[str, str, str, str]) -> Detector:
    """``output``, a 4-D weight gradient, has its axes permuted or is flipped in space; ``layout`` names the axes of
    the weight ("F", "C", "KH", "KW")."""

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        if got is None or got.ndim != 4:
            return None
        for perm in itertools.permutations(range(4)):
            if perm == (0, 1, 2, 3):
                continue
            if diagnose.matches_variant(got, exp.transpose(perm), exp):
                order, wanted = ", ".join(layout[p] for p in perm), ", ".join(layout)
                return f"{output} has its axes in the order ({order}); return it as ({wanted}), the layout of W"
        if diagnose.matches_variant(got, exp[:, :, ::-1, ::-1], exp):
            return (
                f"{output} is flipped in space (rotated by 180 degrees): {output}[..., i, j] sums the products that"
                " kernel element (i, j) took part in during the forward pass"
            )
        return None

    return detect


def db_not_summed(ctx: DiagnosisContext) -> str | None:
    """db, the bias gradient of a 2-D convolution (F,), is dy (N, F, H_out, W_out) summed over too few axes or
    scaled."""
    got, exp = ctx.got.get("db"), ctx.expected["db"]
    dy = np.asarray(ctx.call.args["dy"], dtype=np.float64)
    if got is None:
        return None
    n, _f, h_out, w_out = dy.shape
    options: list[tuple[np.ndarray, str]] = [
        (dy.sum(axis=(2, 3)), "db is summed over the output positions but not over the batch"),
        (dy.sum(axis=0), "db is summed over the batch but not over the output positions"),
        (dy, "db is not summed: sum dy over the batch and every output position"),
        (dy.mean(axis=(0, 2, 3)), "db is averaged; it is the sum of dy over the batch and the output positions"),
        (dy.sum(axis=(0, 2, 3)) / n, "db is divided by the batch size; it is the plain sum of dy"),
        (dy.sum(axis=(0, 2, 3)) / (h_out * w_out), "db is divided by the number of output positions; sum them"),
    ]
    for value, text in options:
        if diagnose.matches_variant(got, value, ctx.expected["db"]):
            return f"{text} (axes 0, 2 and 3)"
    if got.shape != exp.shape and got.size != exp.size:
        return "db must have shape (F,): sum dy over the batch and every output position (axes 0, 2 and 3)"
    return None


def _dx_padded(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("dx"), ctx.expected["dx"]
    p = _padding(ctx)
    if got is None or p == 0 or got.ndim != 4 or got.shape[2:] != (exp.shape[2] + 2 * p, exp.shape[3] + 2 * p):
        return None
    if diagnose.close(got[:, :, p:-p, p:-p], exp):
        return "dx still has the padded shape: crop `padding` rows and columns from each side to return (N, C, H, W)"
    return None


def _dx_empty_crop(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("dx"), ctx.expected["dx"]
    if got is None or _padding(ctx) != 0 or got.ndim != 4 or got.shape[:2] != exp.shape[:2] or 0 not in got.shape[2:]:
        return None
    return (
        "dx is empty when padding is 0: a crop like dx_padded[:, :, p:-p, p:-p] selects nothing for p = 0 (-0 is 0);"
        " crop with p:p + H and p:p + W"
    )


def _geometry(ctx: DiagnosisContext) -> list[tuple[int, int, int, int]]:
    x, W = ctx.call.args["x"], ctx.call.args["W"]
    return [(x.shape[axis], W.shape[axis], _stride(ctx), _padding(ctx)) for axis in (2, 3)]


def _dx_kernel_not_rotated(ctx: DiagnosisContext) -> str | None:
    W = ctx.call.args["W"]
    if diagnose.matches_variant(ctx.got.get("dx"), ctx.reference(W=flipped(W))["dx"], ctx.expected["dx"]):
        return (
            "dx is the gradient for the kernel rotated by 180 degrees: written as a full convolution of dy, dx needs"
            " W[:, :, ::-1, ::-1]; written as a scatter of dy through each window, it uses W as it is"
        )
    return None


def _backward_stride_ignored(ctx: DiagnosisContext) -> str | None:
    if _stride(ctx) == 1:
        return None
    ref = ctx.reference(stride=1)
    for name in ("dx", "dW"):
        if diagnose.close(ctx.got.get(name), ref[name]):
            return (
                f"{name} places the windows at stride 1: output position (i, j) reads x from row i * stride"
                " and column j * stride of the padded input"
            )
    return None


TASK = pair_task(
    "conv2d", "2-D convolution (cross-correlation) with stride and padding, forward and backward",
    (
        (params("x", "W", "b", stride="1", padding="0"), ("y",)),
        (params("dy", "x", "W", "b", stride="1", padding="0"), ("dx", "dW", "db")),
    ),
    (conv2d_forward, conv2d_backward), _cases,
    (
        (
            diagnose.output_size("y", _geometry),
            _y_stride_ignored,
            _y_padding_ignored,
            _y_true_convolution,
            _y_no_bias,
        ),
        (
            _dx_padded,
            _dx_empty_crop,
            _dx_kernel_not_rotated,
            _backward_stride_ignored,
            weight_layout("dW", ("F", "C", "KH", "KW")),
            db_not_summed,
        ),
    ),
    {"x": 0, "W": 1, "b": 2},
)
