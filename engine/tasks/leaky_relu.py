"""Task ``leaky_relu``: y = x where x > 0, else negative_slope * x, and its backward (PyTorch's convention).

The derivative is 1 where x > 0 and ``negative_slope`` elsewhere, including at exactly 0 (as PyTorch's
``leaky_relu_backward`` does). Cases leave ``negative_slope`` out (its default 0.01 must apply) or pass other
slopes in [0, 1), so a hard-coded 0.01, a plain ReLU and a slope applied on the wrong side are told apart.
"""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import away_from_zero, params, upstream

DEFAULT_SLOPE = 0.01


def leaky_relu_forward(x: np.ndarray, negative_slope: float = DEFAULT_SLOPE) -> np.ndarray:
    """x (any shape) -> y: x where x > 0, else negative_slope * x."""
    x = np.asarray(x, dtype=np.float64)
    out: np.ndarray = np.where(x > 0, x, negative_slope * x)
    return out


def leaky_relu_backward(dy: np.ndarray, x: np.ndarray, negative_slope: float = DEFAULT_SLOPE) -> np.ndarray:
    """dy, x (same shape) -> dx = dy where x > 0, else negative_slope * dy (also at x == 0)."""
    out: np.ndarray = np.where(np.asarray(x) > 0, dy, negative_slope * np.asarray(dy, dtype=np.float64))
    return out


def _slope(ctx: DiagnosisContext) -> float:
    return float(ctx.call.args.get("negative_slope", DEFAULT_SLOPE))


def _signed(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Values of magnitude 0.15 to about 9, with both signs present (the last two are negative and positive)."""
    x = away_from_zero(rng, *shape) * 3.0
    x.flat[-1] = -abs(x.flat[-1])
    x.flat[-2] = abs(x.flat[-2])
    return x


def _with_zeros(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Values of both signs away from zero, with about a quarter of them (and the first) set to exactly 0."""
    x = _signed(rng, *shape)
    x[rng.random(shape) < 0.25] = 0.0
    x.flat[0] = 0.0
    x.flat[-1], x.flat[-2] = -1.5, 2.5
    return x


# ---------------------------------------------------------------------------------------------------- detectors


def _forward_relu(ctx: DiagnosisContext) -> str | None:
    x = ctx.call.args["x"]
    if diagnose.matches_variant(ctx.got.get("y"), np.maximum(x, 0.0), ctx.expected["y"]):
        return "y is a plain ReLU: negative inputs must be multiplied by negative_slope, not zeroed"
    return None


def _forward_fixed_slope(ctx: DiagnosisContext) -> str | None:
    x = ctx.call.args["x"]
    variant = leaky_relu_forward(x, DEFAULT_SLOPE)
    if diagnose.matches_variant(ctx.got.get("y"), variant, ctx.expected["y"]):
        return "y uses the slope 0.01 whatever negative_slope is passed: use the negative_slope argument"
    return None


def _forward_wrong_side(ctx: DiagnosisContext) -> str | None:
    x, a = ctx.call.args["x"], _slope(ctx)
    got = ctx.got.get("y")
    if diagnose.matches_variant(got, np.where(x > 0, a * x, x), ctx.expected["y"]):
        return "y scales the positive inputs by negative_slope: keep x where x > 0 and scale the negative side"
    if diagnose.matches_variant(got, np.where(x > 0, x, a), ctx.expected["y"]):
        return "y puts the constant negative_slope on the negative side: it is negative_slope * x there"
    return None


def _backward_relu(ctx: DiagnosisContext) -> str | None:
    dy, x = ctx.call.args["dy"], ctx.call.args["x"]
    if diagnose.matches_variant(ctx.got.get("dx"), np.where(x > 0, dy, 0.0), ctx.expected["dx"]):
        return "dx is ReLU's gradient (0 where x <= 0): the derivative there is negative_slope, so dx = slope * dy"
    return None


def _backward_fixed_slope(ctx: DiagnosisContext) -> str | None:
    dy, x = ctx.call.args["dy"], ctx.call.args["x"]
    variant = leaky_relu_backward(dy, x, DEFAULT_SLOPE)
    if diagnose.matches_variant(ctx.got.get("dx"), variant, ctx.expected["dx"]):
        return "dx uses the slope 0.01 whatever negative_slope is passed: use the negative_slope argument"
    return None


def _backward_at_zero(ctx: DiagnosisContext) -> str | None:
    dy, x, a = ctx.call.args["dy"], ctx.call.args["x"], _slope(ctx)
    if not np.any(x == 0):
        return None
    if diagnose.matches_variant(ctx.got.get("dx"), np.where(x >= 0, dy, a * dy), ctx.expected["dx"]):
        return (
            "dx passes the full gradient where x == 0: the derivative at exactly 0 is negative_slope, as in"
            " PyTorch (test x > 0, not x >= 0)"
        )
    return None


def _backward_times_input(ctx: DiagnosisContext) -> str | None:
    dy, x, a = ctx.call.args["dy"], ctx.call.args["x"], _slope(ctx)
    got = ctx.got.get("dx")
    for variant in (dy * leaky_relu_forward(x, a), dy * x, np.where(x > 0, dy, a * x * dy)):
        if diagnose.matches_variant(got, variant, ctx.expected["dx"]):
            return (
                "dx multiplies dy by the input or the output: the local derivative is 1 where x > 0 and"
                " negative_slope elsewhere, not the activation value"
            )
    return None


def _backward_wrong_side(ctx: DiagnosisContext) -> str | None:
    dy, x, a = ctx.call.args["dy"], ctx.call.args["x"], _slope(ctx)
    got = ctx.got.get("dx")
    if diagnose.matches_variant(got, np.where(x > 0, a * dy, dy), ctx.expected["dx"]) or diagnose.matches_variant(
        got, np.where(x >= 0, a * dy, dy), ctx.expected["dx"]
    ):
        return "dx scales the gradient by negative_slope where x > 0: the slope applies where x <= 0"
    return None


# ---------------------------------------------------------------------------------------------------- cases


def _forward_case(name: str, x: np.ndarray, slope: float | None, what: str, visible: bool = False) -> Case:
    args: dict[str, object] = {"x": x}
    if slope is not None:
        args["negative_slope"] = slope
    return Case(f"forward_{name}", (Call("leaky_relu_forward", args),), visible, description=f"forward: {what}")


def _backward_case(
    rng: np.random.Generator, name: str, x: np.ndarray, slope: float | None, what: str, visible: bool = False
) -> Case:
    args: dict[str, object] = {"dy": upstream(rng, *x.shape), "x": x}
    if slope is not None:
        args["negative_slope"] = slope
    return Case(f"backward_{name}", (Call("leaky_relu_backward", args),), visible, description=f"backward: {what}")


def _cases(rng: np.random.Generator) -> list[Case]:
    return [
        _forward_case("example", _signed(rng, 2, 4), 0.1, "2 rows of 4 values, negative_slope 0.1", True),
        _forward_case("default_slope", _signed(rng, 3, 5), None, "negative_slope left at its default"),
        _forward_case("batch1", _signed(rng, 1, 6), 0.2, "a batch of one, negative_slope 0.2"),
        _forward_case("vector", _signed(rng, 9), 0.3, "a 1-D input, negative_slope 0.3"),
        _forward_case("leading4d", _signed(rng, 2, 3, 2, 4), 0.05, "a 4-D input, negative_slope 0.05"),
        _forward_case("zeros", _with_zeros(rng, 3, 7), 0.25, "exact zeros in x"),
        _forward_case("slope0", _signed(rng, 2, 5), 0.0, "negative_slope 0 (a plain ReLU)"),
        _backward_case(rng, "example", _signed(rng, 2, 4), 0.1, "2 rows of 4, negative_slope 0.1", True),
        _backward_case(rng, "default_slope", _signed(rng, 4, 3), None, "negative_slope at its default"),
        _backward_case(rng, "batch1", _signed(rng, 1, 7), 0.2, "a batch of one, negative_slope 0.2"),
        _backward_case(rng, "vector", _signed(rng, 11), 0.3, "a 1-D input, negative_slope 0.3"),
        _backward_case(rng, "leading3d", _signed(rng, 3, 4, 5), 0.15, "a 3-D input"),
        _backward_case(
            rng,
            "zeros",
            _with_zeros(rng, 5, 6),
            0.2,
            "exact zeros in x: the derivative there is negative_slope, as in PyTorch",
        ),
        _backward_case(
            rng, "zeros_default", _with_zeros(rng, 2, 3, 4), None, "exact zeros, negative_slope at its default"
        ),
    ]


TASK = pair_task(
    "leaky_relu", "Leaky ReLU forward and backward",
    ((params("x", negative_slope="0.01"), ("y",)), (params("dy", "x", negative_slope="0.01"), ("dx",))),
    (leaky_relu_forward, leaky_relu_backward), _cases,
    (
        (_forward_relu, _forward_fixed_slope, _forward_wrong_side),
        (
            _backward_relu,
            _backward_fixed_slope,
            _backward_at_zero,
            _backward_times_input,
            _backward_wrong_side,
            diagnose.upstream_ignored("dx"),
            diagnose.scaled("dx"),
        ),
    ),
    {"x": None},
)
