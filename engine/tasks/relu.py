"""Task ``relu``: y = max(x, 0) and its backward, with the derivative at exactly 0 taken as 0 (as PyTorch does).

Gates the detectors tell apart: ``x >= 0`` (passes the gradient at exact zeros), a gate on the sign of ``dy``
instead of ``x``, an inverted gate, and multiplying ``dy`` by the input or the output instead of the 0/1 gate.
Gating on ``y > 0`` is the same as ``x > 0`` and is correct.
"""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import elementwise_task
from engine.tasks._util import away_from_zero, mixed_signs, normal, upstream


def relu_forward(x: np.ndarray) -> np.ndarray:
    """x (any shape) -> y = max(x, 0), same shape."""
    out: np.ndarray = np.maximum(x, 0.0)
    return out


def relu_backward(dy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dy, x (same shape) -> dx = dy where x > 0, else 0."""
    out: np.ndarray = np.where(x > 0, dy, 0.0)
    return out


def _with_zeros(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Values away from zero, with about a quarter of them set to exactly 0."""
    x = away_from_zero(rng, *shape)
    x[rng.random(shape) < 0.25] = 0.0
    x.flat[0] = 0.0
    return x


def _forward_gate(ctx: DiagnosisContext) -> str | None:
    got, x = ctx.got.get("y"), ctx.call.args["x"]
    if got is not None and diagnose.close(got, (x > 0).astype(np.float64)):
        return "y is the 0/1 gate (x > 0): the forward returns x itself where x > 0 and 0 elsewhere"
    return None


def _forward_min(ctx: DiagnosisContext) -> str | None:
    got, x = ctx.got.get("y"), ctx.call.args["x"]
    if got is not None and diagnose.close(got, np.minimum(x, 0.0)):
        return "y keeps the negative values and zeroes the positive ones: use np.maximum(x, 0), not minimum"
    return None


def _gate_at_zero(ctx: DiagnosisContext) -> str | None:
    got, dy, x = ctx.got.get("dx"), ctx.call.args["dy"], ctx.call.args["x"]
    if got is not None and np.any(x == 0) and diagnose.close(got, np.where(x >= 0, dy, 0.0)):
        return (
            "dx passes the gradient where x == 0: the derivative of ReLU at exactly 0 is taken as 0"
            " (gate with x > 0, not x >= 0)"
        )
    return None


def _gate_on_dy(ctx: DiagnosisContext) -> str | None:
    got, dy = ctx.got.get("dx"), ctx.call.args["dy"]
    if got is not None and diagnose.close(got, np.where(dy > 0, dy, 0.0)):
        return "dx is gated on the sign of dy: the gate is x > 0 (where the forward input was positive)"
    return None


def _gate_inverted(ctx: DiagnosisContext) -> str | None:
    got, dy, x = ctx.got.get("dx"), ctx.call.args["dy"], ctx.call.args["x"]
    if got is None:
        return None
    if diagnose.close(got, np.where(x < 0, dy, 0.0)) or diagnose.close(got, np.where(x <= 0, dy, 0.0)):
        return "dx passes the gradient where x is negative: the gate is inverted, keep dy where x > 0"
    return None


def _times_input(ctx: DiagnosisContext) -> str | None:
    got, dy, x = ctx.got.get("dx"), ctx.call.args["dy"], ctx.call.args["x"]
    if got is None:
        return None
    if diagnose.close(got, dy * np.maximum(x, 0.0)) or diagnose.close(got, dy * x):
        return (
            "dx multiplies dy by the input or the output of ReLU: the local derivative is the 0/1 gate"
            " 1[x > 0], not the activation value"
        )
    return None


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    forward = [
        ("example", away_from_zero(rng, 2, 4), True, "a batch of 2 rows of 4 values"),
        ("batch1", mixed_signs(away_from_zero(rng, 1, 5)), False, "a batch of one"),
        ("vector", normal(rng, 9), False, "a 1-D input"),
        ("zeros", _with_zeros(rng, 3, 7), False, "exact zeros in x"),
        ("leading4d", normal(rng, 2, 3, 4, 5), False, "a 4-D input"),
    ]
    for name, x, visible, what in forward:
        call = Call("relu_forward", {"x": x})
        cases.append(Case(f"forward_{name}", (call,), visible, description=f"forward: {what}"))
    backward = [
        ("example", away_from_zero(rng, 2, 4), True, "a batch of 2 rows of 4 values, none near 0"),
        ("batch1", mixed_signs(away_from_zero(rng, 1, 7)), False, "a batch of one"),
        ("vector", away_from_zero(rng, 11), False, "a 1-D input"),
        ("wide", away_from_zero(rng, 3, 10), False, "a non-square 2-D input"),
        ("leading3d", away_from_zero(rng, 3, 4, 5), False, "a 3-D input"),
        (
            "zeros",
            _with_zeros(rng, 5, 6),
            False,
            "exact zeros in x: the derivative of ReLU at 0 is taken as 0, as in PyTorch",
        ),
        ("zeros3d", _with_zeros(rng, 2, 3, 4), False, "a 3-D input with exact zeros"),
    ]
    for name, x, visible, what in backward:
        dy = upstream(rng, *x.shape)
        if np.array_equal(dy > 0, x > 0):  # then gating on dy's sign would pass: make one sign differ
            dy.flat[0] = -dy.flat[0]
        call = Call("relu_backward", {"dy": dy, "x": x})
        cases.append(Case(f"backward_{name}", (call,), visible, description=f"backward: {what}"))
    return cases


TASK = elementwise_task(
    "relu", "ReLU forward and backward", (relu_forward, relu_backward), _cases,
    (
        (_forward_gate, _forward_min),
        (
            _gate_at_zero,
            _gate_on_dy,
            _gate_inverted,
            _times_input,
            diagnose.upstream_ignored("dx"),
            diagnose.scaled("dx"),
        ),
    ),
)
