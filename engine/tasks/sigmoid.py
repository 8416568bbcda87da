"""Task ``sigmoid``: y = 1 / (1 + exp(-x)), finite and correct for |x| up to 1e3, and dx = dy * y * (1 - y).

Note on overflow: ``1 / (1 + np.exp(-x))`` gives the right value (0) for large negative x, with only a
RuntimeWarning, which the contract allows. The forms that fail are ``exp(x) / (1 + exp(x))`` for large positive x
and derivatives written as ``exp(-x) / (1 + exp(-x))**2`` for large negative x: both compute inf / inf = NaN.
"""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Case, DiagnosisContext
from engine.tasks._task_builders import elementwise_task
from engine.tasks._util import elementwise_cases, normal

EDGE_NOTE = "This edge case judges the algorithm in float64; a float32 computation need not pass it."


def sigmoid_forward(x: np.ndarray) -> np.ndarray:
    """x (any shape) -> y = 1 / (1 + exp(-x)), computed from exp(-|x|) so nothing overflows."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    out: np.ndarray = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out


def sigmoid_backward(dy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dy, x (same shape) -> dx = dy * y * (1 - y) with y = sigmoid(x)."""
    y = sigmoid_forward(x)
    out: np.ndarray = dy * y * (1.0 - y)
    return out


def large_inputs(rng: np.random.Generator, rows: int, cols: int) -> np.ndarray:
    """Inputs of magnitude up to 1e3 with both signs, including +-1000 and the float64 exp limits (+-710, +-745)."""
    x = rng.choice([-1.0, 1.0], size=(rows, cols)) * 10.0 ** rng.uniform(0.0, 3.0, size=(rows, cols))
    specials = np.array([1000.0, -1000.0, 710.0, -710.0, 745.0, -745.0, 40.0, -40.0, 0.5, -0.5])
    x.flat[: specials.size] = specials
    out: np.ndarray = x
    return out


def _negated(ctx: DiagnosisContext) -> str | None:
    got, x = ctx.got.get("y"), ctx.call.args["x"]
    if got is not None and diagnose.close(got, sigmoid_forward(-x)):
        return "y is sigmoid(-x) = 1 - sigmoid(x): the denominator is 1 + exp(-x), with a minus sign"
    return None


def _uses_x(ctx: DiagnosisContext) -> str | None:
    got, dy, x = ctx.got.get("dx"), ctx.call.args["dy"], ctx.call.args["x"]
    if got is not None and diagnose.close(got, dy * x * (1.0 - x)):
        return "dx = dy * x * (1 - x) uses the input x: the derivative is y * (1 - y) with y = sigmoid(x)"
    return None


def _missing_one_minus(ctx: DiagnosisContext) -> str | None:
    got, dy, x = ctx.got.get("dx"), ctx.call.args["dy"], ctx.call.args["x"]
    if got is not None and diagnose.close(got, dy * sigmoid_forward(x)):
        return "dx = dy * y is missing the factor (1 - y): sigmoid'(x) = y * (1 - y)"
    return None


ADVICE_FORWARD = (
    "evaluate exp only at -|x| (for x >= 0 use 1 / (1 + exp(-x)), for x < 0 use exp(x) / (1 + exp(x)))"
)
ADVICE_BACKWARD = "compute y = sigmoid(x) stably first and use y * (1 - y), not a ratio of exponentials"


def _cases(rng: np.random.Generator) -> list[Case]:
    inputs = [
        ("example", normal(rng, 2, 3, scale=2.0), True, "a batch of 2 rows of 3 values"),
        ("batch1", normal(rng, 1, 6, scale=3.0), False, "a batch of one"),
        ("vector", normal(rng, 8, scale=3.0), False, "a 1-D input"),
        ("leading3d", normal(rng, 2, 3, 4, scale=3.0), False, "a 3-D input"),
        ("tall", normal(rng, 7, 2, scale=5.0), False, "a non-square input with values up to about 15"),
        (
            "large",
            large_inputs(rng, 4, 6),
            False,
            "|x| up to 1e3, including +-710 and +-745 where exp overflows or underflows. " + EDGE_NOTE,
        ),
    ]
    return elementwise_cases(rng, "sigmoid", inputs, example_scale=2.0)


TASK = elementwise_task(
    "sigmoid", "Sigmoid forward and backward", (sigmoid_forward, sigmoid_backward), _cases,
    (
        (diagnose.non_finite("y", ADVICE_FORWARD), _negated),
        (
            diagnose.non_finite("dx", ADVICE_BACKWARD),
            _uses_x,
            _missing_one_minus,
            diagnose.upstream_ignored("dx"),
            diagnose.scaled("dx"),
        ),
    ),
)
