"""Task ``mse_loss``: mean squared error over all elements and its gradient 2 (pred - target) / pred.size."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.task import Call, Case, DiagnosisContext, FunctionSpec
from engine.tasks._task_builders import loss_task
from engine.tasks._util import normal, params


def mse_loss(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """pred, target (same shape, any) -> (loss: float, dpred (same shape))."""
    diff = np.asarray(pred, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


def _divisors(ctx: DiagnosisContext) -> list[tuple[int, str]]:
    """The counts a mean might wrongly divide by, each once (the right one, pred.size, first)."""
    shape = np.shape(ctx.call.args["pred"])
    size = int(np.prod(shape))
    found: list[tuple[int, str]] = [(size, "")]
    candidates = [
        (1, "is not divided by the number of elements pred.size"),
        (int(shape[0]), "is divided by the batch size N = pred.shape[0] only, not by pred.size (all elements)"),
        (int(shape[-1]), "is divided by pred.shape[-1] only, not by pred.size (all elements)"),
    ]
    for k, text in candidates:
        if all(k != seen for seen, _ in found):
            found.append((k, text))
    return found


def _loss_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    size = int(np.prod(np.shape(ctx.call.args["pred"])))
    out: list[tuple[float, str]] = []
    for k, text in _divisors(ctx)[1:]:
        out.append((size / k, "loss " + text + (": take the mean, not the sum" if k == 1 else "")))
    out.append((0.5, "loss has an extra factor 1/2: the loss here is mean((pred - target)^2), without the 1/2"))
    return out


def _grad_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    size = int(np.prod(np.shape(ctx.call.args["pred"])))
    out: list[tuple[float, str]] = []
    for sign in (1.0, -1.0):
        for two in (2.0, 1.0):
            for k, text in _divisors(ctx):
                if sign > 0 and two == 2.0 and k == size:
                    continue
                parts = []
                if sign < 0:
                    parts.append("has the wrong sign (differentiate with respect to pred: +2 (pred - target))")
                if two == 1.0:
                    parts.append("is missing the factor 2 from the derivative of the square")
                if text:
                    parts.append(text)
                out.append((sign * two * size / (2.0 * k), "dpred " + " and ".join(parts)))
    return out


def _cases(rng: np.random.Generator) -> list[Case]:
    shapes = [
        ("example", (3, 4), True, "3 examples with 4 outputs each"),
        ("batch1", (1, 5), False, "a batch of one"),
        ("vector", (7,), False, "a 1-D prediction"),
        ("tall", (5, 3), False, "more examples than outputs"),
        ("leading3d", (3, 4, 5), False, "a 3-D prediction: the mean runs over every element"),
        ("leading4d", (3, 1, 5, 4), False, "a 4-D prediction with a size-1 axis"),
        ("column", (6, 1), False, "one output per example, shape (N, 1)"),
    ]
    cases: list[Case] = []
    for name, shape, visible, what in shapes:
        pred = normal(rng, *shape, scale=2.0)
        target = normal(rng, *shape)
        cases.append(Case(name, (Call("mse_loss", {"pred": pred, "target": target}),), visible, description=what))
    return cases


TASK = loss_task(
    "mse_loss", "Mean squared error loss and its gradient",
    FunctionSpec("mse_loss", params("pred", "target"), ("loss", "dpred")), mse_loss, _cases,
    (),
    {"pred": 1},
    factors=(_loss_factors, _grad_factors),
)
