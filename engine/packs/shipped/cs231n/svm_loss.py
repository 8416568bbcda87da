"""Task svm_loss: the CS231n multiclass hinge loss ``svm_loss(x, y) -> (loss, dx)``, margin 1, averaged."""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, GradientLink, Task

from ._common import labels, params

KINK = 0.05  # no margin of a case is closer than this to 0, where the hinge has no derivative


def svm_loss(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """x (N, C) scores, y (N,) labels -> (mean over N of sum_j!=y max(0, x_j - x_y + 1), dx (N, C))."""
    n = x.shape[0]
    rows = np.arange(n)
    margins = np.maximum(0.0, x - x[rows, y][:, None] + 1.0)
    margins[rows, y] = 0.0
    active = (margins > 0).astype(np.float64)
    active[rows, y] = -active.sum(axis=1)
    return float(margins.sum() / n), active / n


def _margins_off_the_kink(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Scores moved so that every margin x_j - x_y + 1 (j != y) is at least KINK from 0."""
    x = x.copy()
    rows = np.arange(x.shape[0])
    m = x - x[rows, y][:, None] + 1.0
    near = (np.abs(m) < KINK) & (np.arange(x.shape[1])[None, :] != y[:, None])
    x[near] += 2 * KINK
    return x


def _correct_class_counted(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("loss")
    if got is not None and diagnose.close(got, ctx.expected["loss"] + 1.0):
        return "the loss counts the correct class's own margin (always 1): skip j == y in the sum"
    return None


def _cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    shapes = [
        ("example", 3, 4, 1.0, True, "3 examples, 4 classes"),
        ("batch1", 1, 5, 1.0, False, "a batch of one"),
        ("two_classes", 6, 2, 1.0, False, "two classes"),
        ("wide", 10, 7, 2.0, False, "10 examples, 7 classes, repeated labels"),
        ("all_inactive", 4, 5, 0.2, False, "the correct class far ahead: some rows have no active margin"),
    ]
    for name, n, c, scale, visible, what in shapes:
        y = labels(rng, n, c)
        x = rng.standard_normal((n, c)) * scale
        if name == "all_inactive":
            x[np.arange(n)[: n // 2], y[: n // 2]] += 5.0
        call = Call("svm_loss", {"x": _margins_off_the_kink(x, y), "y": y})
        cases.append(Case(name, (call,), visible, description=what))
    return cases


TASK = Task(
    id="svm_loss",
    title="Multiclass SVM loss (CS231n layers API)",
    functions=(FunctionSpec("svm_loss", params("x", "y"), ("loss", "dx")),),
    reference={"svm_loss": svm_loss},
    make_cases=_cases,
    detectors={
        "svm_loss": (
            _correct_class_counted,
            diagnose.scaled("loss", batch_arg="x"),
            diagnose.scaled("dx", batch_arg="x"),
        ),
    },
    links=(GradientLink("svm_loss", "svm_loss", {"x": 1}, forward_output=0, upstream_arg=None),),
)
