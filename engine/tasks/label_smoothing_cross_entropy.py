"""Task ``label_smoothing_cross_entropy``: cross-entropy against label-smoothed targets, PyTorch's convention.

logits (N, C), labels (N,) int in [0, C), 0 <= smoothing < 1. The target distribution is
q = (1 - eps) * onehot(labels) + eps / C, eps spread over ALL C classes (the true one too), as
torch.nn.CrossEntropyLoss(label_smoothing=eps) does. loss = mean over the batch of -sum_c q_c log softmax(z)_c;
dlogits = (softmax(z) - q) / N. Finite for logits up to 1e4.

One function returns the loss and its gradient; the numerical cross-check differentiates the candidate's own loss.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec
from engine.tasks._task_builders import loss_task
from engine.tasks._util import normal, overflow, params
from engine.tasks.softmax import EDGE_NOTE, huge_gap_rows, offset_rows, stable_log_softmax
from engine.tasks.softmax_cross_entropy import grad_factors


def smoothed_targets(labels: np.ndarray, classes: int, smoothing: float) -> np.ndarray:
    """q (N, C) = (1 - smoothing) * onehot(labels) + smoothing / C."""
    onehot = np.eye(classes)[np.asarray(labels)]
    out: np.ndarray = (1.0 - smoothing) * onehot + smoothing / classes
    return out


def _loss_and_grad(logits: np.ndarray, q: np.ndarray) -> tuple[float, np.ndarray]:
    logp = stable_log_softmax(np.asarray(logits, dtype=np.float64))
    n = logp.shape[0]
    loss = -float(np.sum(q * logp)) / n
    grad: np.ndarray = (np.exp(logp) - q) / n
    return loss, grad


def label_smoothing_cross_entropy(
    logits: np.ndarray, labels: np.ndarray, smoothing: float
) -> tuple[float, np.ndarray]:
    """logits (N, C), labels (N,), smoothing in [0, 1) -> (loss: float, dlogits (N, C))."""
    c = np.shape(logits)[1]
    return _loss_and_grad(logits, smoothed_targets(labels, c, smoothing))


# ---------------------------------------------------------------------------------------------------- detectors


def _args(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, float]:
    a = ctx.call.args
    return np.asarray(a["logits"], dtype=np.float64), np.asarray(a["labels"]), float(a["smoothing"])


def _target_variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray, str]]:
    logits, labels, eps = _args(ctx)
    c = logits.shape[1]
    onehot = np.eye(c)[labels]
    out = [
        (
            (1.0 - eps) * onehot + eps / (c - 1) * (1.0 - onehot),
            "the smoothing mass is spread over the C - 1 wrong classes (eps / (C - 1) each): PyTorch's convention"
            " spreads eps over all C classes, q = (1 - eps) * onehot + eps / C",
        ),
        (onehot, "smoothing is ignored: the target is q = (1 - eps) * onehot + eps / C, not the one-hot label"),
        (
            (1.0 - eps) * onehot + eps,
            "the smoothing mass is not divided by the number of classes: each class gets eps / C, so q sums to 1",
        ),
        (
            (1.0 - eps) * onehot,
            "the uniform part eps / C of the target is missing: q = (1 - eps) * onehot + eps / C",
        ),
        (
            onehot + eps / c,
            "the one-hot part is not scaled by (1 - eps): q = (1 - eps) * onehot + eps / C",
        ),
    ]
    if c > 1:
        out.append(
            (
                (1.0 - eps) * onehot + eps / c * (1.0 - onehot),
                "the true class misses its share eps / C: q = (1 - eps) * onehot + eps / C, over all C classes",
            )
        )
    return out


def _wrong_targets(ctx: DiagnosisContext) -> str | None:
    logits = _args(ctx)[0]
    got_loss, got_grad = ctx.got.get("loss"), ctx.got.get("dlogits")
    for q, sentence in _target_variants(ctx):
        loss, grad = _loss_and_grad(logits, q)
        loss_hit = (
            got_loss is not None
            and got_loss.size == 1
            and diagnose.matches_variant(got_loss.reshape(()), np.asarray(loss), ctx.expected["loss"])
        )
        if loss_hit or diagnose.matches_variant(got_grad, grad, ctx.expected["dlogits"]):
            return sentence
    return None


def _loss_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    n, c = _args(ctx)[0].shape
    out = [(-1.0, "loss has the wrong sign: it is minus the mean of sum_c q_c log p_c")]
    if n > 1:
        out.append((float(n), "loss is summed over the batch: take the mean over the N examples"))
    if c > 1:
        out.append((1.0 / c, "loss is averaged over all N*C entries: sum over the classes, average over the batch"))
    return out


def _grad_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    n, c = _args(ctx)[0].shape
    return grad_factors(n, c, "(softmax(logits) - q) / N")


_overflow = overflow(
    ("loss", "dlogits"),
    "large logits",
    "subtract each row's max before exp and take the log-probabilities by log-sum-exp (log of a softmax"
    " probability that underflows to 0 is -inf, and with smoothing every class has a positive weight)",
)


def _per_example(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("loss")
    n = _args(ctx)[0].shape[0]
    if got is not None and n > 1 and got.shape in ((n,), (n, 1)):
        return "loss is the vector of per-example losses: return their mean, a single number"
    return None


# ---------------------------------------------------------------------------------------------------- cases


def _case(name: str, logits: np.ndarray, labels: np.ndarray, eps: float, what: str, visible: bool = False) -> Case:
    call = Call(
        "label_smoothing_cross_entropy",
        {"logits": logits, "labels": np.asarray(labels).astype(np.int64), "smoothing": eps},
    )
    return Case(name, (call,), visible, description=f"{what}, smoothing {eps}")


def _cases(rng: np.random.Generator) -> list[Case]:
    def labels_for(n: int, c: int) -> np.ndarray:
        return rng.integers(0, c, size=n)

    many = labels_for(6, 10)
    many[1] = many[0]
    return [
        _case("example", normal(rng, 3, 4), labels_for(3, 4), 0.1, "3 examples, 4 classes", visible=True),
        _case("batch1", normal(rng, 1, 5), labels_for(1, 5), 0.2, "a batch of one"),
        _case("no_smoothing", normal(rng, 4, 3, scale=2.0), np.array([2, 0, 1, 1]), 0.0,
              "smoothing 0: plain cross-entropy"),
        _case("square", normal(rng, 4, 4, scale=2.0), np.array([2, 0, 3, 1]), 0.3, "N equals C"),
        _case("tall", normal(rng, 8, 3, scale=2.0), np.array([0, 2, 2, 1, 0, 2, 1, 1]), 0.1,
              "more examples than classes, repeated labels"),
        _case("many_classes", normal(rng, 6, 10, scale=3.0), many, 0.25, "10 classes, a repeated label"),
        _case("binary", normal(rng, 5, 2, scale=2.0), np.array([0, 1, 1, 0, 1]), 0.2, "two classes"),
        _case("strong_smoothing", normal(rng, 3, 6), labels_for(3, 6), 0.9, "heavy smoothing"),
        _case(
            "large_offsets",
            offset_rows(rng, [5000.0, -5000.0, 800.0, 0.0, -800.0], 6),
            labels_for(5, 6),
            0.1,
            "rows around +-5000 and +-800 (logits of order 1e3 to 1e4): exp overflows without the max subtraction. "
            + EDGE_NOTE,
        ),
        _case(
            "huge_gaps",
            *huge_gap_rows(rng, np.array([2, 0, 4, 4])),
            0.1,
            "logits up to 1e4 with classes 2e4 below the row max: their probabilities underflow to 0, but every"
            " class carries weight eps / C and the loss stays finite. " + EDGE_NOTE,
        ),
    ]


TASK = loss_task(
    "label_smoothing_cross_entropy", "Cross-entropy with label smoothing and its gradient",
    FunctionSpec("label_smoothing_cross_entropy", params("logits", "labels", "smoothing"), ("loss", "dlogits")),
    label_smoothing_cross_entropy, _cases,
    (
        _per_example,
        _overflow,
        _wrong_targets,
    ),
    {"logits": 1},
    factors=(_loss_factors, _grad_factors),
)
