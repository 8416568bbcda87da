"""Task softmax_loss: the CS231n ``softmax_loss(x, y) -> (loss, dx)``, averaged over the batch."""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import DiagnosisContext

from ._common import labels, loss_task


def softmax_loss(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """x (N, C) scores, y (N,) labels in [0, C) -> (mean cross-entropy loss, dx (N, C))."""
    shifted = x - x.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = x.shape[0]
    loss = -float(log_p[np.arange(n), y].mean())
    dx = np.exp(log_p)
    dx[np.arange(n), y] -= 1.0
    return loss, dx / n


def _onehot_sign(ctx: DiagnosisContext) -> str | None:
    got, x, y = ctx.got.get("dx"), ctx.call.args["x"], ctx.call.args["y"]
    if got is None or got.shape != x.shape:
        return None
    flipped = ctx.expected["dx"] + 2.0 * np.eye(x.shape[1])[y] / x.shape[0]
    if diagnose.close(got, flipped):
        return "dx adds 1 at the correct class instead of subtracting it: dx = (softmax - one_hot(y)) / N"
    return None


def _draw(rng: np.random.Generator, _case: str, n: int, c: int, scale: float) -> dict[str, np.ndarray]:
    return {"x": rng.standard_normal((n, c)) * scale, "y": labels(rng, n, c)}


TASK = loss_task(
    "softmax_loss",
    "Softmax loss (CS231n layers API)",
    softmax_loss,
    [
        ("example", 3, 4, 1.0, True, "3 examples, 4 classes"),
        ("batch1", 1, 5, 1.0, False, "a batch of one"),
        ("two_classes", 6, 2, 1.0, False, "two classes"),
        ("wide", 10, 7, 3.0, False, "10 examples, 7 classes, repeated labels"),
        ("large_scores", 4, 6, 600.0, False, "scores in the hundreds: exp overflows without shifting"),
    ],
    _draw,
    (
        diagnose.non_finite("loss", "subtract each row's maximum score before exponentiating"),
        diagnose.non_finite("dx", "subtract each row's maximum score before exponentiating"),
        diagnose.scaled("loss", batch_arg="x"),
        diagnose.scaled("dx", batch_arg="x"),
        _onehot_sign,
    ),
)
