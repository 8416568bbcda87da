"""Task ``softmax_backward``: the softmax Jacobian-vector product over the last axis, from the forward's output.

Given y = softmax(z) over the last axis and the upstream gradient dy, dz = y * (dy - sum(dy * y, axis=-1)), for any
number of leading axes. The task has no forward function, so there is no numerical cross-check; the reference is
checked against finite differences of softmax in tests/engine/tasks/test_softmax_backward.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from engine import diagnose
from engine.task import Call, Case, Detector, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import normal, params, upstream
from engine.tasks.softmax import stable_softmax


def softmax_backward(dy: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dy, y (..., C), y = softmax(z) over the last axis -> dx (..., C) = y * (dy - sum(dy * y, axis=-1))."""
    dy = np.asarray(dy, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    dx: np.ndarray = y * (dy - np.sum(dy * y, axis=-1, keepdims=True))
    return dx


# ---------------------------------------------------------------------------------------------------- detectors


def _inputs(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray]:
    return (np.asarray(ctx.call.args["dy"], dtype=np.float64), np.asarray(ctx.call.args["y"], dtype=np.float64))


def _variants(ctx: DiagnosisContext) -> Sequence[tuple[np.ndarray | None, str]]:
    dy, y = _inputs(ctx)
    return [
        (
            y * (1.0 - y) * dy,
            "dx keeps only the diagonal of the softmax Jacobian, y * (1 - y) * dy: every output depends on every"
            " input of its row, so subtract y * sum(dy * y) over the row: dx = y * (dy - sum(dy * y, axis=-1))",
        ),
        (
            y * dy,
            "dx is missing the sum term: dx = y * (dy - sum(dy * y, axis=-1, keepdims=True)), not y * dy",
        ),
        (
            dy - y * np.sum(dy, axis=-1, keepdims=True),
            "dx is the log-softmax backward, dy - y * sum(dy): for softmax it is y * (dy - sum(dy * y, axis=-1))",
        ),
        (
            y * (dy - np.sum(dy, axis=-1, keepdims=True)),
            "dx sums dy alone over the row: the sum term is sum(dy * y, axis=-1), weighted by y",
        ),
    ]


RowSum = Callable[[np.ndarray], np.ndarray]
"""A way of summing an array (..., C) "over the row", right or wrong, broadcastable against it."""

RowModel = Callable[[np.ndarray, np.ndarray, RowSum], np.ndarray]
"""``model(dy, y, row_sum)``: the backward computed with the given row sum."""


def _summer(axis: int) -> RowSum:
    def row_sum(a: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.sum(a, axis=axis, keepdims=True)
        return out

    return row_sum


def wrong_row_sums(shape: tuple[int, ...]) -> list[tuple[RowSum, str]]:
    """The wrong ways of taking a row sum that an input of ``shape`` can tell apart, each with its description."""
    out: list[tuple[RowSum, str]] = []
    for axis in range(len(shape) - 1):
        out.append((_summer(axis), f"is taken over axis {axis}; it runs over the last axis"))
    if len(shape) >= 2:
        out.append((lambda a: np.sum(a, keepdims=True), "is taken over the whole array; it runs over each row"))
    if len(shape) == 2 and shape[0] == shape[1]:
        # Without keepdims the row sums have shape (N,) and broadcast as one row: row i gets the sum of row j at j.
        out.append(
            (
                lambda a: np.sum(a, axis=-1)[None, :],
                "is taken without keepdims=True: the (N,) row sums broadcast along each row instead of down it",
            )
        )
    return out


def sum_over_wrong_axis(output: str, model: RowModel, term: str) -> Detector:
    """``output`` equals ``model`` with its row sum ``term`` taken over the wrong axis or broadcast the wrong way.

    Shared with ``log_softmax_backward``; ``term`` names the sum in the message ("sum(dy * y)").
    """

    def detect(ctx: DiagnosisContext) -> str | None:
        dy = np.asarray(ctx.call.args["dy"], dtype=np.float64)
        y = np.asarray(ctx.call.args["y"], dtype=np.float64)
        for row_sum, what in wrong_row_sums(y.shape):
            if diagnose.matches_variant(ctx.got.get(output), model(dy, y, row_sum), ctx.expected[output]):
                return f"in {output}, {term} {what} (axis=-1, keepdims=True)"
        return None

    return detect


def _model(dy: np.ndarray, y: np.ndarray, row_sum: RowSum) -> np.ndarray:
    out: np.ndarray = y * (dy - row_sum(dy * y))
    return out


def _full_jacobian(ctx: DiagnosisContext) -> str | None:
    """dx has the shape of the Jacobian (..., C, C) instead of y's shape."""
    got = ctx.got.get("dx")
    y = np.asarray(ctx.call.args["y"])
    c = y.shape[-1]
    if got is None or got.shape != (*y.shape, c):
        return None
    return (
        "dx has the shape (..., C, C) of the full Jacobian diag(y) - y y^T: apply each row's Jacobian to dy (or skip"
        " it: dx = y * (dy - sum(dy * y, axis=-1, keepdims=True))) and return y's shape (..., C)"
    )


# ---------------------------------------------------------------------------------------------------- cases


def _case(rng: np.random.Generator, name: str, shape: tuple[int, ...], what: str, **kw: float | bool) -> Case:
    visible = bool(kw.get("visible", False))
    y = stable_softmax(normal(rng, *shape, scale=float(kw.get("scale", 1.5))))
    call = Call("softmax_backward", {"dy": upstream(rng, *shape), "y": y})
    return Case(name, (call,), visible, description=what)


def _cases(rng: np.random.Generator) -> list[Case]:
    peaked = stable_softmax(np.array([[30.0, 0.0, -5.0, 2.0], [0.0, 0.0, 0.0, 40.0], [-800.0, 1.0, 1.5, 0.0]]))
    return [
        _case(rng, "example", (2, 4), "2 rows of 4 probabilities", visible=True),
        _case(rng, "batch1", (1, 5), "a single row (batch of one)"),
        _case(rng, "vector", (6,), "a 1-D vector: no leading axes"),
        _case(rng, "tall", (7, 3), "more rows than classes"),
        _case(rng, "square", (4, 4), "square input, where the sum over the wrong axis keeps the shape", scale=2.5),
        _case(rng, "leading3d", (2, 3, 5), "three axes: the sum runs over the last, two leading axes"),
        _case(rng, "leading4d", (2, 2, 3, 4), "four axes with different sizes"),
        Case(
            "peaked",
            (Call("softmax_backward", {"dy": upstream(rng, 3, 4), "y": peaked}),),
            description="nearly one-hot rows (from logits up to 800 apart): some probabilities are tiny or 0",
        ),
    ]


TASK = Task(
    id="softmax_backward",
    title="Softmax backward: the Jacobian-vector product",
    functions=(FunctionSpec("softmax_backward", params("dy", "y"), ("dx",)),),
    reference={"softmax_backward": softmax_backward},
    make_cases=_cases,
    detectors={
        "softmax_backward": (
            _full_jacobian,
            sum_over_wrong_axis("dx", _model, "sum(dy * y)"),
            diagnose.variant_explained("dx", _variants),
        ),
    },
)
