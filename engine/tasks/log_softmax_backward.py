"""Task ``log_softmax_backward``: the backward of log-softmax over the last axis, from the forward's output.

Given y = log_softmax(z) over the last axis and the upstream gradient dy, dz = dy - exp(y) * sum(dy, axis=-1), for
any number of leading axes. exp(y) is softmax(z), so nothing overflows however large the logits were. As for
``softmax_backward``, the task has no forward function; tests/engine/tasks/test_log_softmax_backward.py checks the
reference against finite differences of log-softmax.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import normal, params, upstream
from engine.tasks.softmax import huge_gap_rows, offset_rows, stable_log_softmax
from engine.tasks.softmax_backward import RowSum, sum_over_wrong_axis


def log_softmax_backward(dy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dy, y (..., C), y = log_softmax(z) over the last axis -> dx (..., C) = dy - exp(y) * sum(dy, axis=-1)."""
    dy = np.asarray(dy, dtype=np.float64)
    p = np.exp(np.asarray(y, dtype=np.float64))
    dx: np.ndarray = dy - p * np.sum(dy, axis=-1, keepdims=True)
    return dx


# ---------------------------------------------------------------------------------------------------- detectors


def _model(dy: np.ndarray, y: np.ndarray, row_sum: RowSum) -> np.ndarray:
    out: np.ndarray = dy - np.exp(y) * row_sum(dy)
    return out


def _variants(ctx: DiagnosisContext) -> Sequence[tuple[np.ndarray | None, str]]:
    dy = np.asarray(ctx.call.args["dy"], dtype=np.float64)
    y = np.asarray(ctx.call.args["y"], dtype=np.float64)
    p = np.exp(y)
    rows = np.sum(dy, axis=-1, keepdims=True)
    return [
        (
            dy - y * rows,
            "dx uses y where it needs the probabilities: y holds log-probabilities, so the softmax is exp(y):"
            " dx = dy - exp(y) * sum(dy, axis=-1)",
        ),
        (
            dy,
            "dx is dy unchanged: the log-sum-exp subtracted in the forward depends on z too; subtract"
            " exp(y) * sum(dy, axis=-1)",
        ),
        (
            p * (dy - np.sum(dy * p, axis=-1, keepdims=True)),
            "dx is the softmax backward, p * (dy - sum(dy * p)): for log-softmax it is dy - p * sum(dy, axis=-1)"
            " with p = exp(y)",
        ),
        (
            dy - p * np.sum(dy * p, axis=-1, keepdims=True),
            "dx weights the row sum by the probabilities, sum(dy * p): the sum term is sum(dy, axis=-1), unweighted",
        ),
        (
            dy * (1.0 - p),
            "dx keeps only the diagonal of the Jacobian, dy * (1 - p): every output of a row depends on every"
            " input, so subtract exp(y) * sum(dy, axis=-1) over the row",
        ),
    ]


# ---------------------------------------------------------------------------------------------------- cases


def _call(dy: np.ndarray, z: np.ndarray) -> tuple[Call, ...]:
    return (Call("log_softmax_backward", {"dy": dy, "y": stable_log_softmax(z)}),)


def _cases(rng: np.random.Generator) -> list[Case]:
    def case(name: str, shape: tuple[int, ...], what: str, visible: bool = False) -> Case:
        return Case(name, _call(upstream(rng, *shape), normal(rng, *shape, scale=1.5)), visible, description=what)

    large = offset_rows(rng, [5000.0, -5000.0, 800.0, 0.0], 6)
    return [
        case("example", (2, 4), "2 rows of 4 log-probabilities", visible=True),
        case("batch1", (1, 5), "a single row (batch of one)"),
        case("vector", (6,), "a 1-D vector: no leading axes"),
        case("tall", (7, 3), "more rows than classes"),
        case("square", (4, 4), "square input, where the sum over the wrong axis keeps the shape"),
        case("leading3d", (2, 3, 5), "three axes: the sum runs over the last, two leading axes"),
        case("leading4d", (2, 2, 3, 4), "four axes with different sizes"),
        Case("large_logits", _call(upstream(rng, 4, 6), large), description="log-probabilities of logits around"
             " +-5000 and 800: y is finite but exp(z) would overflow"),
        Case("huge_gaps", _call(upstream(rng, 4, 5), huge_gap_rows(rng)[0]),
             description="log-probabilities down to -2e4: their probabilities exp(y) underflow to 0"),
    ]


TASK = Task(
    id="log_softmax_backward",
    title="Log-softmax backward",
    functions=(FunctionSpec("log_softmax_backward", params("dy", "y"), ("dx",)),),
    reference={"log_softmax_backward": log_softmax_backward},
    make_cases=_cases,
    detectors={
        "log_softmax_backward": (
            sum_over_wrong_axis("dx", _model, "sum(dy)"),
            diagnose.variant_explained("dx", _variants),
        ),
    },
)
