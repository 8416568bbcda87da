"""Task svm_loss: the CS231n multiclass hinge loss ``svm_loss(x, y) -> (loss, dx)``, margin 1, averaged."""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import DiagnosisContext

from ._common import labels, loss_task

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


def _draw(rng: np.random.Generator, case: str, n: int, c: int, scale: float) -> dict[str, np.ndarray]:
    y = labels(rng, n, c)
    x = rng.standard_normal((n, c)) * scale
    if case == "all_inactive":
        x[np.arange(n)[: n // 2], y[: n // 2]] += 5.0
    return {"x": _margins_off_the_kink(x, y), "y": y}


TASK = loss_task(
    "svm_loss",
    "Multiclass SVM loss (CS231n layers API)",
    svm_loss,
    [
        ("example", 3, 4, 1.0, True, "3 examples, 4 classes"),
        ("batch1", 1, 5, 1.0, False, "a batch of one"),
        ("two_classes", 6, 2, 1.0, False, "two classes"),
        ("wide", 10, 7, 2.0, False, "10 examples, 7 classes, repeated labels"),
        ("all_inactive", 4, 5, 0.2, False, "the correct class far ahead: some rows have no active margin"),
    ],
    _draw,
    (_correct_class_counted, diagnose.scaled("loss", batch_arg="x"), diagnose.scaled("dx", batch_arg="x")),
)
