"""Task ``conv2d_layer_cost``: count the FLOPs and parameters of a 2-D convolution layer (square kernel).

``conv2d_layer_cost(batch, in_channels, out_channels, height, width, kernel_size, stride=1, padding=0, bias=True)
-> (flops, params)`` with H_out = (H + 2p - k) // s + 1 (likewise W_out); params = out * in * k^2 (+ out);
flops = 2 * batch * out * H_out * W_out * in * k^2 (+ batch * out * H_out * W_out for the bias add).

Integer outputs are judged exactly, integral floats accepted (see ``linear_layer_cost.integer_judge``). The
detectors enumerate the classic mistakes (output size without floor, padding or stride; one-sided padding; the
input size taken as the output size; MACs; bias; batch; the kernel counted as k instead of k^2; parameters
multiplied by the spatial size or the batch) and name those of the simplest combination that gives the
candidate's number exactly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

import numpy as np

from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task, Value
from engine.tasks._util import params
from engine.tasks.linear_layer_cost import (
    Variant,
    got_number,
    integer_judge,
    mistake_detectors,
    simplest_mistakes,
)


def output_size(size: int, kernel_size: int, stride: int, padding: int) -> int:
    """Output positions along one axis: (size + 2 * padding - kernel_size) // stride + 1."""
    return (size + 2 * padding - kernel_size) // stride + 1


def conv2d_layer_cost(
    batch: int,
    in_channels: int,
    out_channels: int,
    height: int,
    width: int,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    bias: bool = True,
) -> tuple[int, int]:
    """FLOPs of one forward pass over the batch and the layer's parameter count, as Python ints."""
    h_out = output_size(height, kernel_size, stride, padding)
    w_out = output_size(width, kernel_size, stride, padding)
    k2 = kernel_size * kernel_size
    n_params = out_channels * in_channels * k2 + (out_channels if bias else 0)
    positions = batch * out_channels * h_out * w_out
    flops = 2 * positions * in_channels * k2 + (positions if bias else 0)
    return int(flops), int(n_params)


# ---------------------------------------------------------------------------------------------------------------
# Diagnosis.


def _sizes(args: Mapping[str, Value]) -> list[tuple[frozenset[str], float, float]]:
    """(mistakes, H_out, W_out) for every way of getting the output size right or wrong."""
    h, w, k = int(args["height"]), int(args["width"]), int(args["kernel_size"])
    s, p = int(args.get("stride", 1)), int(args.get("padding", 0))
    out: list[tuple[frozenset[str], float, float]] = []
    for pad, step, rounding in itertools.product((2 * p, p, 0), (s, 1), ("floor", "real", "ceil")):
        mistakes = set()
        if pad != 2 * p:
            mistakes.add("padding_once" if pad == p else "no_padding")
        if step != s:
            mistakes.add("no_stride")
        if rounding != "floor":
            mistakes.add("no_floor")

        def size(n: int, pad: int = pad, step: int = step, rounding: str = rounding) -> float:
            span = n + pad - k
            if rounding == "floor":
                return float(span // step + 1)
            if rounding == "ceil":
                return float(math.ceil(span / step) + 1)
            return span / step + 1

        out.append((frozenset(mistakes), size(h), size(w)))
    out.append((frozenset({"same_size"}), float(h), float(w)))
    out.append((frozenset({"positions_ignored"}), 1.0, 1.0))
    return out


def _variants(args: Mapping[str, Value], output: str) -> list[Variant]:
    b, c_in, c_out = int(args["batch"]), int(args["in_channels"]), int(args["out_channels"])
    k = int(args["kernel_size"])
    bias = bool(args.get("bias", True))
    bias_mistake = "bias_missing" if bias else "bias_extra"
    h_out = output_size(int(args["height"]), k, int(args.get("stride", 1)), int(args.get("padding", 0)))
    w_out = output_size(int(args["width"]), k, int(args.get("stride", 1)), int(args.get("padding", 0)))
    out: list[Variant] = []
    if output == "flops":
        for (size_mistakes, ho, wo), mult, batch, with_bias, kk in itertools.product(
            _sizes(args), (2, 1), (b, 1), (bias, not bias), (k * k, k)
        ):
            mistakes = set(size_mistakes)
            if mult == 1:
                mistakes.add("macs")
            if batch != b:
                mistakes.add("batch_ignored")
            if with_bias != bias:
                mistakes.add(bias_mistake)
            if kk != k * k:
                mistakes.add("kernel_not_squared")
            positions = batch * c_out * ho * wo
            out.append((frozenset(mistakes), mult * positions * c_in * kk + (positions if with_bias else 0)))
        out.append((frozenset({"macs"}), float(conv2d_layer_cost(**args)[0]) / 2))  # the whole count halved
        return out
    spatial = {
        "params_spatial_out": float(h_out * w_out),
        "params_spatial_in": float(int(args["height"]) * int(args["width"])),
        "batch_in_params": float(b),
    }
    for extra, with_bias, bias_too, kk in itertools.product(
        (None, *spatial), (bias, not bias), (False, True), (k * k, k)
    ):
        mistakes = set()
        factor = 1.0
        if extra is not None:
            mistakes.add("batch_in_params" if extra == "batch_in_params" else "params_spatial")
            factor = spatial[extra]
        if with_bias != bias:
            mistakes.add(bias_mistake)
        if kk != k * k:
            mistakes.add("kernel_not_squared")
        weights = c_out * c_in * kk * factor
        biases = c_out * (factor if bias_too else 1.0) if with_bias else 0.0
        out.append((frozenset(mistakes), weights + biases))
    return out


def _explain(ctx: DiagnosisContext, output: str) -> frozenset[str] | None:
    got = got_number(ctx, output)
    if got is None:
        return None
    return simplest_mistakes(got, float(ctx.expected[output]), _variants(ctx.call.args, output))


_SIZE_RULE = "H_out = (H + 2 * padding - kernel_size) // stride + 1, likewise W_out"

_SENTENCES: dict[tuple[str, str], str] = {
    ("flops", "no_floor"): (
        "the output size is not rounded down: a window either fits or it does not, so use floor division,"
        f" {_SIZE_RULE}"
    ),
    ("flops", "no_padding"): f"the output size ignores the padding: {_SIZE_RULE}",
    ("flops", "padding_once"): (
        "the output size adds the padding once: padding is added on both sides, so H + 2 * padding"
    ),
    ("flops", "no_stride"): f"the output size ignores the stride: {_SIZE_RULE}",
    ("flops", "same_size"): f"flops uses the input size H x W as the output size: {_SIZE_RULE}",
    ("flops", "positions_ignored"): (
        "flops counts one output position: the kernel runs at every one of the H_out * W_out positions"
    ),
    ("flops", "macs"): (
        "flops counts multiply-accumulates (MACs), not FLOPs: each multiply-add is 2 FLOPs, so each output value"
        " costs 2 * in_channels * kernel_size^2"
    ),
    ("flops", "batch_ignored"): "flops ignores the batch: every image in the batch is convolved, so multiply by batch",
    ("flops", "bias_missing"): (
        "flops leaves out the bias add: with bias=True each output value (batch * out_channels * H_out * W_out of"
        " them) adds its bias"
    ),
    ("flops", "bias_extra"): "flops counts a bias add although bias=False",
    ("flops", "kernel_not_squared"): (
        "the kernel is counted as kernel_size, not kernel_size^2: a square kernel has kernel_size * kernel_size taps"
    ),
    ("params", "kernel_not_squared"): (
        "params counts kernel_size, not kernel_size^2, weights per channel pair: the kernel is"
        " kernel_size x kernel_size"
    ),
    ("params", "bias_missing"): "params leaves out the bias: with bias=True there is one bias per output channel",
    ("params", "bias_extra"): "params counts a bias although bias=False",
    ("params", "params_spatial"): (
        "params is multiplied by a spatial size: a convolution shares one kernel across all positions, so"
        " params = out_channels * in_channels * kernel_size^2 (+ out_channels)"
    ),
    ("params", "batch_in_params"): (
        "params grows with the batch: every image shares the same kernels, so the batch size does not enter the"
        " parameter count"
    ),
}


# ---------------------------------------------------------------------------------------------------------------
# Cases.

# name, (batch, in, out, H, W, k), stride, padding, bias (None: not passed), visible, what
_Kind = tuple[str, tuple[int, int, int, int, int, int], int | None, int | None, bool | None, bool, str]

_EXAMPLES: tuple[_Kind, ...] = (
    ("example", (2, 3, 8, 6, 5, 3), None, None, None, True,
     "defaults (stride 1, no padding, bias): a 3x3 kernel on a 6x5 image"),
    ("stride2_pad1", (2, 3, 4, 7, 8, 3), 2, 1, True, True,
     "stride 2, padding 1 on a 7x8 image: (8 + 2 - 3) / 2 is not whole, so the width rounds down"),
)


def _hidden(rng: np.random.Generator) -> list[_Kind]:
    """The hidden kinds of layer, their sizes drawn from ``rng`` (channels in != out, height != width)."""

    def draw(low: int, high: int) -> int:
        return int(rng.integers(low, high + 1))

    def unequal(low: int, high: int, other: int) -> int:
        value = draw(low, high - 1)
        return value + 1 if value >= other else value

    def even(low: int, high: int) -> int:
        return 2 * draw(low // 2, high // 2)

    c1, h1, c2, h2 = draw(4, 32), draw(8, 16), draw(3, 12), even(8, 16)
    h3, c4, c5, h5, k6 = draw(8, 16), int(rng.choice([32, 64, 128])), draw(8, 48), draw(4, 10), draw(3, 6)
    side = int(rng.choice([14, 28, 56]))
    return [
        ("same_padding", (draw(2, 8), c1, unequal(8, 64, c1), h1, unequal(8, 16, h1), 3), 1, 1, True, False,
         "'same' padding: stride 1, padding 1, 3x3 kernel"),
        ("no_bias_stride2", (draw(2, 6), c2, unequal(3, 16, c2), h2, h2 + 2 * draw(1, 3), 3), 2, 0, False, False,
         "bias=False, stride 2, no padding, even sizes: (size - 3) / 2 is not whole and rounds down"),
        ("batch1_k5", (1, draw(2, 8), draw(3, 9), h3, unequal(8, 16, h3), 5), 3, 2, True, False,
         "a batch of one, 5x5 kernel, stride 3, padding 2"),
        ("resnet_down", (draw(4, 16), c4, 2 * c4, side, side, 3), 2, 1, False, False,
         "a ResNet-style downsampling conv: channels doubled, stride 2, padding 1, no bias"),
        ("pointwise", (draw(2, 8), c5, unequal(4, 32, c5), h5, unequal(4, 10, h5), 1), None, None, True, False,
         "a 1x1 (pointwise) convolution"),
        ("kernel_covers_input", (draw(2, 4), draw(1, 4), draw(2, 5), k6, k6, k6), draw(1, 2), 0, True, False,
         "the kernel is as large as the image: one output position"),
    ]


def _cases(rng: np.random.Generator) -> list[Case]:
    """Two fixed examples, then the hidden kinds with sizes drawn from ``rng``."""
    cases: list[Case] = []
    for name, (b, c_in, c_out, h, w, k), stride, padding, bias, visible, what in [*_EXAMPLES, *_hidden(rng)]:
        args: dict[str, Value] = {
            "batch": b,
            "in_channels": c_in,
            "out_channels": c_out,
            "height": h,
            "width": w,
            "kernel_size": k,
        }
        for key, value in (("stride", stride), ("padding", padding), ("bias", bias)):
            if value is not None:
                args[key] = value
        cases.append(Case(name, (Call("conv2d_layer_cost", args),), visible, description=what))
    return cases


def _task() -> Task:
    return TASK


TASK = Task(
    id="conv2d_layer_cost",
    title="FLOPs and parameters of a conv2d layer",
    functions=(
        FunctionSpec(
            "conv2d_layer_cost",
            params(
                "batch",
                "in_channels",
                "out_channels",
                "height",
                "width",
                "kernel_size",
                stride="1",
                padding="0",
                bias="True",
            ),
            ("flops", "params"),
        ),
    ),
    reference={"conv2d_layer_cost": conv2d_layer_cost},
    make_cases=_cases,
    detectors={"conv2d_layer_cost": mistake_detectors(_explain, _SENTENCES)},
    custom_judge=integer_judge(_task),
)
