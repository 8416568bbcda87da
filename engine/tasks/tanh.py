"""Task ``tanh``: y = tanh(x), finite and correct for |x| up to 1e3, and dx = dy * (1 - tanh(x)^2)."""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Case, DiagnosisContext
from engine.tasks._task_builders import elementwise_task
from engine.tasks._util import elementwise_cases, normal
from engine.tasks.sigmoid import EDGE_NOTE, large_inputs, sigmoid_forward


def tanh_forward(x: np.ndarray) -> np.ndarray:
    """x (any shape) -> y = tanh(x), same shape."""
    out: np.ndarray = np.tanh(np.asarray(x, dtype=np.float64))
    return out


def tanh_backward(dy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dy, x (same shape) -> dx = dy * (1 - tanh(x)^2)."""
    t = np.tanh(np.asarray(x, dtype=np.float64))
    out: np.ndarray = dy * (1.0 - t * t)
    return out


def _is_sigmoid(ctx: DiagnosisContext) -> str | None:
    got, x = ctx.got.get("y"), ctx.call.args["x"]
    if got is not None and diagnose.close(got, sigmoid_forward(x)):
        return "y is sigmoid(x), not tanh(x): tanh(x) = 2 * sigmoid(2x) - 1, with range (-1, 1)"
    return None


def _uses_x(ctx: DiagnosisContext) -> str | None:
    got, dy, x = ctx.got.get("dx"), ctx.call.args["dy"], ctx.call.args["x"]
    if got is not None and diagnose.close(got, dy * (1.0 - x * x)):
        return "dx = dy * (1 - x^2) uses the input x: the derivative is 1 - tanh(x)^2, square the output"
    return None


def _not_squared(ctx: DiagnosisContext) -> str | None:
    got, dy, x = ctx.got.get("dx"), ctx.call.args["dy"], ctx.call.args["x"]
    if got is not None and diagnose.close(got, dy * (1.0 - np.tanh(x))):
        return "dx = dy * (1 - tanh(x)) forgets the square: the derivative is 1 - tanh(x)^2"
    return None


def _cases(rng: np.random.Generator) -> list[Case]:
    inputs = [
        ("example", normal(rng, 2, 3), True, "a batch of 2 rows of 3 values"),
        ("batch1", normal(rng, 1, 6, scale=2.0), False, "a batch of one"),
        ("vector", normal(rng, 8, scale=2.0), False, "a 1-D input"),
        ("leading3d", normal(rng, 2, 3, 4, scale=2.0), False, "a 3-D input"),
        ("tall", normal(rng, 7, 2, scale=3.0), False, "a non-square input with values up to about 10"),
        (
            "large",
            large_inputs(rng, 4, 6),
            False,
            "|x| up to 1e3, including +-710 where exp overflows. " + EDGE_NOTE,
        ),
    ]
    return elementwise_cases(rng, "tanh", inputs, example_scale=1.0)


TASK = elementwise_task(
    "tanh", "Tanh forward and backward", (tanh_forward, tanh_backward), _cases,
    (
        (
            diagnose.non_finite("y", "use np.tanh, or 2 * sigmoid(2x) - 1 with a stable sigmoid"),
            _is_sigmoid,
        ),
        (
            diagnose.non_finite("dx", "compute t = np.tanh(x) and use 1 - t**2, not a ratio of exponentials"),
            _uses_x,
            _not_squared,
            diagnose.upstream_ignored("dx"),
            diagnose.scaled("dx"),
        ),
    ),
)
