"""Task ``softmax_cross_entropy``: mean negative log-likelihood of integer labels, and its gradient (p - onehot) / N.

One function returns the loss and the gradient of that loss, so the numerical cross-check differentiates the
candidate's own loss output (a GradientLink whose forward and backward are the same function).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec
from engine.tasks._task_builders import loss_task
from engine.tasks._util import normal, overflow, params
from engine.tasks.softmax import EDGE_NOTE, huge_gap_rows, offset_rows, stable_log_softmax, stable_softmax, tie_rows


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """logits (N, C), labels (N,) int in [0, C) -> (loss: float, dlogits (N, C))."""
    n = logits.shape[0]
    rows = np.arange(n)
    logp = stable_log_softmax(logits)
    loss = -float(np.mean(logp[rows, labels]))
    dlogits = np.exp(logp)
    dlogits[rows, labels] -= 1.0
    return loss, dlogits / n


def _sizes(ctx: DiagnosisContext) -> tuple[int, int]:
    shape = np.shape(ctx.call.args["logits"])
    return int(shape[0]), int(shape[1])


def _loss_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    n, c = _sizes(ctx)
    out = [(-1.0, "loss has the wrong sign: it is minus the mean log-probability of the true classes")]
    if n > 1:
        out.append((float(n), "loss is summed over the batch: take the mean over the N examples"))
    if c > 1:
        out.append((1.0 / c, "loss is averaged over all N*C entries: average over the N examples only"))
    return out


def _grad_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    return grad_factors(*_sizes(ctx), "(softmax(logits) - onehot(labels)) / N")


def grad_factors(n: int, c: int, right: str) -> list[tuple[float, str]]:
    """The constant factors by which the classic mistakes scale dlogits (N, C) of a loss averaged over the batch,
    with their sentences; ``right`` is what dlogits is, for the sign mistake."""
    out = [(-1.0, f"dlogits has the wrong sign: it is {right}")]
    if n > 1:
        out.append((float(n), "dlogits is N times too large: divide by the batch size N (the loss is a mean)"))
        out.append((1.0 / n, "dlogits is divided by N twice: divide by the batch size once"))
    if c > 1:
        out.append((1.0 / c, "dlogits is divided by N*C: divide by the batch size N only"))
    return out


def _labels_misused(ctx: DiagnosisContext) -> str | None:
    """Labels used to select whole columns or rows, or broadcast as if they were one one-hot row."""
    logits = np.asarray(ctx.call.args["logits"], dtype=np.float64)
    labels = np.asarray(ctx.call.args["labels"])
    n, c = logits.shape
    logp = stable_log_softmax(logits)
    p = np.exp(logp)
    losses = [-float(np.mean(logp[:, labels]))]
    onehots = []
    columns = np.zeros_like(p)
    columns[:, labels] = 1.0
    onehots.append(columns)
    if labels.max() < n:
        rows = np.zeros_like(p)
        rows[labels, :] = 1.0
        onehots.append(rows)
    if n == c:
        losses.append(-float(np.mean(np.sum(labels[None, :] * logp, axis=1))))
        onehots.append(np.broadcast_to(labels[None, :].astype(np.float64), p.shape))
    got_loss, got_grad = ctx.got.get("loss"), ctx.got.get("dlogits")
    expected_loss = float(ctx.expected["loss"])
    loss_hit = got_loss is not None and got_loss.size == 1 and any(
        abs(v - expected_loss) > 1e-6 and diagnose.close(got_loss.reshape(()), np.asarray(v)) for v in losses
    )
    grad_hit = got_grad is not None and any(
        not diagnose.close(ctx.expected["dlogits"], (p - m) / n) and diagnose.close(got_grad, (p - m) / n)
        for m in onehots
    )
    if loss_hit or grad_hit:
        return (
            "labels are used wrongly: they are N class indices, one per row; select logp[np.arange(N), labels]"
            " (or build the one-hot with np.eye(C)[labels]), not whole rows or columns"
        )
    return None


def _per_example(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("loss")
    n, _ = _sizes(ctx)
    if (
        got is not None
        and got.shape in ((n,), (n, 1))
        and n > 1
        and diagnose.close(np.asarray(got.mean()), ctx.expected["loss"])
    ):
        return "loss is the vector of per-example losses: return their mean, a single number"
    return None


def _label_underflows(ctx: DiagnosisContext) -> bool:
    logits = np.asarray(ctx.call.args["logits"], dtype=np.float64)
    labels = np.asarray(ctx.call.args["labels"])
    p = stable_softmax(logits)
    return bool(np.any(p[np.arange(len(labels)), labels] == 0.0))


def _log_of_softmax(ctx: DiagnosisContext) -> str | None:
    """The gradient is right but the loss is not, exactly where a true class's probability underflows to 0."""
    got_loss, got_grad = ctx.got.get("loss"), ctx.got.get("dlogits")
    if got_loss is None or got_loss.size != 1 or not _label_underflows(ctx):
        return None
    if not diagnose.close(got_grad, ctx.expected["dlogits"]):
        return None
    value = float(got_loss.reshape(()))
    if not np.isposinf(value):
        # A clipped log (log(p + eps), np.clip) leaves each underflowing row a term of at most -log(tiny) ~ 745
        # instead of its true, much larger value; every other row's term is right.
        logits = np.asarray(ctx.call.args["logits"], dtype=np.float64)
        labels = np.asarray(ctx.call.args["labels"])
        n = len(labels)
        nll = -stable_log_softmax(logits)[np.arange(n), labels]
        under = stable_softmax(logits)[np.arange(n), labels] == 0.0
        residual = value * n - float(nll[~under].sum())
        if not (np.isfinite(value) and 0.0 < residual <= 746.0 * int(under.sum())):
            return None
    return (
        "loss takes the log of softmax probabilities: on large logits the true class's probability underflows"
        " to 0 and its log is -inf (or wrong if clipped); use log-softmax, (z - max) - log(sum(exp(z - max)))"
    )


_any_overflow = overflow(
    ("loss", "dlogits"),
    "large logits",
    "subtract each row's max before exp (and compute the log-probabilities by log-sum-exp)",
)


def _overflow(ctx: DiagnosisContext) -> str | None:
    return None if _log_of_softmax(ctx) is not None else _any_overflow(ctx)


def _case(name: str, logits: np.ndarray, labels: np.ndarray, what: str, visible: bool = False) -> Case:
    call = Call("softmax_cross_entropy", {"logits": logits, "labels": labels.astype(np.int64)})
    return Case(name, (call,), visible, description=what)


def _cases(rng: np.random.Generator) -> list[Case]:
    def labels_for(n: int, c: int) -> np.ndarray:
        return rng.integers(0, c, size=n)

    cases = [
        _case("example", normal(rng, 3, 4), labels_for(3, 4), "3 examples, 4 classes", visible=True),
        _case("batch1", normal(rng, 1, 5), labels_for(1, 5), "a batch of one"),
        _case("square", normal(rng, 4, 4, scale=2.0), np.array([2, 0, 3, 1]),
              "N equals C, where index mix-ups keep their shapes"),
        _case("tall", normal(rng, 8, 3, scale=2.0), np.array([0, 2, 2, 1, 0, 2, 1, 1]),
              "more examples than classes, repeated labels"),
    ]
    many = labels_for(6, 10)
    many[1] = many[0]
    cases.append(_case("many_classes", normal(rng, 6, 10, scale=3.0), many, "10 classes, a repeated label"))
    level = float(rng.integers(-3, 4))
    cases.append(_case("uniform", np.full((5, 3), level), rng.permutation([0, 1, 2, 2, 1]),
                       "all logits equal: the loss is ln C"))
    ties, tie_labels = tie_rows(rng, np.array([0, 2, 4, 2]))
    cases.append(_case("ties", ties, tie_labels, "tied logits, labels on and off the tied maxima"))
    cases.append(
        _case(
            "large_offsets",
            offset_rows(rng, [5000.0, -5000.0, 800.0, 0.0, -800.0], 6),
            labels_for(5, 6),
            "rows around +-5000 and +-800 (logits of order 1e3 to 1e4): exp overflows without the max"
            " subtraction. " + EDGE_NOTE,
        )
    )
    gaps, gap_labels = huge_gap_rows(rng, np.array([2, 0, 4, 4]))
    cases.append(
        _case(
            "huge_gaps",
            gaps,
            gap_labels,
            "logits up to 1e4 with true classes 2e4 below the row max: their probabilities underflow to 0 but the"
            " loss is finite (about 1e4). " + EDGE_NOTE,
        )
    )
    return cases


TASK = loss_task(
    "softmax_cross_entropy", "Softmax cross-entropy loss and its gradient",
    FunctionSpec("softmax_cross_entropy", params("logits", "labels"), ("loss", "dlogits")), softmax_cross_entropy,
    _cases,
    (
        _per_example,
        _labels_misused,
        _log_of_softmax,
        _overflow,
    ),
    {"logits": 1},
    factors=(_loss_factors, _grad_factors),
)
