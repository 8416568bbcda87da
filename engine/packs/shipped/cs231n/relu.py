"""Task relu: the CS231n ``relu_forward(x) -> (out, cache)`` and ``relu_backward(dout, cache) -> dx``.

The course defines no derivative at exactly 0, so no case puts an input there: any subgradient is accepted.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.packs.gradients import ReferenceGradient
from engine.task import Case, DiagnosisContext, FunctionSpec, Task

from ._common import away_from_zero, forward_args, forward_case, layer_case, layer_gradient, params


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, Any]:
    """x (any shape) -> (max(x, 0), cache)."""
    return np.maximum(x, 0.0), x


def relu_backward(dout: np.ndarray, cache: Any) -> np.ndarray:
    """dout (shape of x) and the cache -> dx = dout where x > 0, else 0."""
    out: np.ndarray = np.where(cache > 0, dout, 0.0)
    return out


def _gate_inverted(ctx: DiagnosisContext) -> str | None:
    got, x = ctx.got.get("dx"), forward_args(ctx).get("x")
    dout = ctx.call.args.get("dout")
    if got is not None and isinstance(x, np.ndarray) and isinstance(dout, np.ndarray):
        if diagnose.close(got, np.where(x < 0, dout, 0.0)):
            return "dx passes the gradient where x < 0: the gate is inverted, keep dout where x > 0"
        if diagnose.close(got, (x > 0).astype(np.float64)):
            return "dx is the 0/1 gate alone: multiply it by dout"
    return None


def _cases(rng: np.random.Generator) -> list[Case]:
    shapes = [
        ("example", (2, 4), True), ("batch1", (1, 5), False), ("image", (2, 3, 4, 4), False), ("vector", (7,), False)
    ]
    cases = []
    for name, shape, visible in shapes:
        args = {"x": away_from_zero(rng, *shape)}
        cases.append(forward_case(f"forward_{name}", "relu_forward", args, visible, f"forward: x {shape}"))
        args = {"x": away_from_zero(rng, *shape)}
        cases.append(layer_case(f"backward_{name}", "relu_forward", args, "relu_backward",
                                rng.standard_normal(shape), visible, f"forward then backward: x {shape}"))
    return cases


def GRADIENT_CHECKS(rng: np.random.Generator) -> list[ReferenceGradient]:
    inputs = {"x": away_from_zero(rng, 3, 4)}
    return [layer_gradient("relu_backward", relu_forward, relu_backward, inputs, {}, ("dx",), rng)]


TASK = Task(
    id="relu",
    title="ReLU forward and backward (CS231n layers API)",
    functions=(
        FunctionSpec("relu_forward", params("x"), ("out", "cache")),
        FunctionSpec("relu_backward", params("dout", "cache"), ("dx",)),
    ),
    reference={"relu_forward": relu_forward, "relu_backward": relu_backward},
    make_cases=_cases,
    detectors={"relu_backward": (_gate_inverted,)},
)
