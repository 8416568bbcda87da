"""Task ``cross_entropy_from_probs``: cross-entropy of probabilities (not logits) and its gradient -onehot / p / N.

One function returns the loss and its gradient with respect to the probabilities, so the numerical cross-check
differentiates the candidate's own loss output. Probabilities of classes other than the label may be exactly 0:
only the true class's probability enters the loss.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec
from engine.tasks._task_builders import loss_task
from engine.tasks._util import normal, params
from engine.tasks.softmax import stable_softmax


def cross_entropy_from_probs(p: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """p (N, C) probabilities, y (N,) int labels in [0, C) -> (loss: float, dp (N, C)).

    loss = mean over the rows of -log p[i, y_i]; dp[i, y_i] = -1 / (N p[i, y_i]) and 0 elsewhere.
    """
    p = np.asarray(p, dtype=np.float64)
    n = p.shape[0]
    rows = np.arange(n)
    picked = p[rows, y]
    dp = np.zeros_like(p)
    dp[rows, y] = -1.0 / (n * picked)
    return float(-np.mean(np.log(picked))), dp


# ---------------------------------------------------------------------------------------------------- detectors


def _n(ctx: DiagnosisContext) -> int:
    return int(np.shape(ctx.call.args["p"])[0])


def _loss_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    out = [(-1.0, "loss has the wrong sign: it is minus the mean log-probability of the true classes")]
    if _n(ctx) > 1:
        out.append((float(_n(ctx)), "loss is summed over the batch: take the mean over the N rows"))
    return out


def _grad_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    n = _n(ctx)
    out = [(-1.0, "dp has the wrong sign: d(-log p)/dp = -1/p, so dp is negative at the true classes")]
    if n > 1:
        out.append((float(n), "dp is missing the 1/N: the loss is a mean over the N rows, so divide by N"))
        out.append((1.0 / n, "dp is divided by N twice: divide by the batch size once"))
    return out


def _onehot(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(ctx.call.args["p"], dtype=np.float64)
    onehot = np.zeros_like(p)
    onehot[np.arange(p.shape[0]), ctx.call.args["y"]] = 1.0
    return p, onehot


def _grad_variants(ctx: DiagnosisContext) -> Sequence[tuple[np.ndarray | None, str]]:
    p, onehot = _onehot(ctx)
    n = p.shape[0]
    logits_grad = (
        "dp is the gradient with respect to the logits, (p - onehot) / N (softmax and cross-entropy together);"
        " this loss takes probabilities, and its gradient with respect to p is -onehot / p / N"
    )
    with np.errstate(divide="ignore"):
        everywhere = -1.0 / (n * p)
    return [
        ((p - onehot) / n, logits_grad),
        (p - onehot, logits_grad),
        (-onehot / n, "dp is missing the 1/p: the derivative of -log p is -1/p, so dp = -onehot / p / N"),
        (
            everywhere if np.all(np.isfinite(everywhere)) else None,
            "dp is -1/(N p) at every class: only the true class's probability is in the loss, so dp is 0 elsewhere",
        ),
    ]


def _nan_from_zeros(ctx: DiagnosisContext) -> str | None:
    """NaN where p is 0 off the true class: onehot * log(p) is 0 * -inf, and onehot / p is 0 / 0."""
    p, onehot = _onehot(ctx)
    zero_off_label = (p == 0.0) & (onehot == 0.0)
    if not zero_off_label.any():
        return None
    for name in ("loss", "dp"):
        got = ctx.got.get(name)
        if got is not None and got.dtype.kind == "f" and np.any(np.isnan(got)):
            return (
                f"{name} has NaN where a probability off the true class is 0: onehot * log(p) is 0 * -inf and"
                " onehot / p is 0 / 0 there; select the true classes' probabilities, p[np.arange(N), y]"
            )
    return None


def _per_example(ctx: DiagnosisContext) -> str | None:
    got, n = ctx.got.get("loss"), _n(ctx)
    if got is not None and n > 1 and got.shape in ((n,), (n, 1)) and diagnose.close(
        np.asarray(got.mean()), ctx.expected["loss"]
    ):
        return "loss is the vector of per-example losses: return their mean, a single number"
    return None


# ---------------------------------------------------------------------------------------------------- cases


def _case(name: str, p: np.ndarray, y: np.ndarray, what: str, visible: bool = False) -> Case:
    call = Call("cross_entropy_from_probs", {"p": p, "y": np.asarray(y, dtype=np.int64)})
    return Case(name, (call,), visible, description=what)


def _cases(rng: np.random.Generator) -> list[Case]:
    def probs(n: int, c: int, scale: float = 1.5) -> np.ndarray:
        # Mixed with the uniform distribution: every probability is at least 0.05 / C, so the numerical
        # cross-check's small steps keep the true classes' probabilities positive.
        out: np.ndarray = 0.95 * stable_softmax(normal(rng, n, c, scale=scale)) + 0.05 / c
        return out

    with_zeros = probs(4, 5)
    labels_zeros = rng.integers(0, 5, size=4)
    off = (rng.uniform(size=(4, 5)) < 0.5) & (np.arange(5)[None, :] != labels_zeros[:, None])
    off[0, (labels_zeros[0] + 1) % 5] = True
    with_zeros[off] = 0.0
    with_zeros /= with_zeros.sum(axis=1, keepdims=True)
    return [
        _case("example", probs(3, 4), rng.integers(0, 4, size=3), "3 examples, 4 classes", visible=True),
        _case("batch1", probs(1, 5), rng.integers(0, 5, size=1), "a batch of one"),
        _case("square", probs(4, 4), rng.permutation(4), "N equals C, where index mix-ups keep their shapes"),
        _case("tall", probs(8, 3), np.array([0, 2, 2, 1, 0, 2, 1, 1]), "more examples than classes, repeated labels"),
        _case("many_classes", probs(5, 10, scale=2.5), rng.integers(0, 10, size=5), "10 classes, peaked rows"),
        _case("uniform", np.full((3, 4), 0.25), rng.integers(0, 4, size=3), "uniform probabilities: the loss is ln 4"),
        _case("zeros_off_label", with_zeros, labels_zeros, "probabilities exactly 0 on some classes that are not the"
              " label (the loss stays finite)"),
    ]


TASK = loss_task(
    "cross_entropy_from_probs", "Cross-entropy from probabilities and its gradient",
    FunctionSpec("cross_entropy_from_probs", params("p", "y"), ("loss", "dp")), cross_entropy_from_probs, _cases,
    (
        _per_example,
        _nan_from_zeros,
        diagnose.variant_explained("dp", _grad_variants),
    ),
    {"p": 1},
    factors=(_loss_factors, _grad_factors),
)
