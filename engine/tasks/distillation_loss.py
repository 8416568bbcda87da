"""Task ``distillation_loss``: knowledge distillation (Hinton et al.) with a temperature, and its student gradient.

loss = T**2 * (1/N) * sum_i KL(softmax(t_i / T) || softmax(s_i / T)), as PyTorch's
``kl_div(log_softmax(s / T), softmax(t / T), reduction="batchmean") * T * T``; dstudent = T * (p_s - p_t) / N.
The T**2 keeps the gradient's size independent of T. Logits are (N, C); everything is computed in log space.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec
from engine.tasks._task_builders import loss_task
from engine.tasks._util import normal, params
from engine.tasks.softmax import EDGE_NOTE, offset_rows, stable_log_softmax
from engine.tasks.softmax_backward import softmax_backward


def kl_rows(log_p: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    """KL(p || q) of each row, (N,), from log-probabilities (terms with p = 0 count 0)."""
    p = np.exp(log_p)
    out: np.ndarray = np.sum(np.where(p > 0.0, p * (log_p - log_q), 0.0), axis=-1)
    return out


def distillation_loss(
    student_logits: np.ndarray, teacher_logits: np.ndarray, T: float
) -> tuple[float, np.ndarray]:
    """student_logits, teacher_logits (N, C), temperature T > 0 -> (loss: float, dstudent (N, C)).

    loss = T**2 * mean over rows of KL(softmax(teacher / T) || softmax(student / T));
    dstudent = T * (softmax(student / T) - softmax(teacher / T)) / N.
    """
    log_ps = stable_log_softmax(np.asarray(student_logits, dtype=np.float64) / T)
    log_pt = stable_log_softmax(np.asarray(teacher_logits, dtype=np.float64) / T)
    n = log_ps.shape[0]
    loss = T * T * float(np.sum(kl_rows(log_pt, log_ps))) / n
    dstudent: np.ndarray = T * (np.exp(log_ps) - np.exp(log_pt)) / n
    return loss, dstudent


# ---------------------------------------------------------------------------------------------------- detectors


def _args(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, float]:
    a = ctx.call.args
    s = np.asarray(a["student_logits"], dtype=np.float64)
    return s, np.asarray(a["teacher_logits"], dtype=np.float64), float(a["T"])


def _model(log_ps: np.ndarray, log_pt: np.ndarray, scale: float, student_t: float) -> tuple[float, np.ndarray]:
    """Loss and gradient of scale * mean KL(p_t || p_s), where p_s = softmax(s / student_t)."""
    n = log_ps.shape[0]
    return scale * float(np.sum(kl_rows(log_pt, log_ps))) / n, scale * (np.exp(log_ps) - np.exp(log_pt)) / (
        n * student_t
    )


def _variants(ctx: DiagnosisContext, index: int) -> Sequence[tuple[np.ndarray | None, str]]:
    s, t, T = _args(ctx)
    n = s.shape[0]
    log_ps, log_pt = stable_log_softmax(s / T), stable_log_softmax(t / T)
    ps = np.exp(log_ps)
    swapped_loss = T * T * float(np.sum(kl_rows(log_ps, log_pt))) / n
    a = log_ps - log_pt
    swapped_grad = T * softmax_backward(a, ps) / n
    cross_entropy = T * T * float(-np.sum(np.exp(log_pt) * log_ps)) / n
    out: list[tuple[np.ndarray | None, str]] = [
        (
            np.asarray((swapped_loss, swapped_grad)[index]),
            "the KL divergence runs the wrong way: it is KL(teacher || student) = sum p_t * (log p_t - log p_s),"
            " the teacher's probabilities weighting the log-ratio (kl_div(input=log p_s, target=p_t))",
        ),
        (
            np.asarray(_model(stable_log_softmax(s), log_pt, T * T, 1.0)[index]),
            "the temperature is applied to the teacher only: divide the student's logits by T as well",
        ),
        (
            np.asarray(_model(log_ps, stable_log_softmax(t), T * T, T)[index]),
            "the temperature is applied to the student only: soften the teacher's logits by T as well",
        ),
    ]
    if index == 0:
        out.append(
            (
                np.asarray(cross_entropy),
                "loss is the cross-entropy -sum p_t log p_s, not the KL divergence: subtract the teacher's entropy"
                " (the gradient is the same; the value is not)",
            )
        )
    return out


def _factors(what: str, ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    s, _, T = _args(ctx)
    n, c = s.shape
    out: list[tuple[float, str]] = []
    if abs(T - 1.0) > 1e-9:
        out.append((1.0 / (T * T), f"{what} is missing the factor T**2 that keeps gradients comparable across T"))
        out.append((1.0 / T, f"{what} is multiplied by T instead of T**2"))
    if n > 1:
        out.append((float(n), f"{what} is summed over the batch: divide by N (batchmean)"))
    if c > 1:
        out.append(
            (1.0 / c, f"{what} is divided by N * C (kl_div's reduction='mean'): divide by the batch size N only")
        )
    out.append((-1.0, f"{what} has the wrong sign"))
    return out


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    def case(name: str, s: np.ndarray, t: np.ndarray, T: float, what: str, visible: bool = False) -> Case:
        call = Call("distillation_loss", {"student_logits": s, "teacher_logits": t, "T": T})
        return Case(name, (call,), visible, description=what)

    def pair(n: int, c: int, scale: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
        return normal(rng, n, c, scale=scale), normal(rng, n, c, scale=scale)

    big_s = offset_rows(rng, [2000.0, -2000.0, 0.0, 1500.0], 6, spread=20.0)
    big_t = offset_rows(rng, [-1800.0, 1600.0, 0.0, 1500.0], 6, spread=20.0)
    return [
        case("example", *pair(2, 3), 2.0, "2 rows of 3 classes, T = 2", visible=True),
        case("batch1", *pair(1, 5), 4.0, "a batch of one, T = 4"),
        case("tall", *pair(8, 3), 1.5, "more rows than classes, T = 1.5"),
        case("wide", *pair(3, 10, scale=3.0), 0.5, "10 classes, T = 0.5 (sharper than the plain softmax)"),
        case("plain_kl", *pair(4, 4), 1.0, "T = 1: a plain KL divergence"),
        case("fractional_t", *pair(5, 6), 2.5, "T = 2.5"),
        case("large_logits", big_s, big_t, 2.0, "logits of order 1e3 (rows around +-2000 and 1500), T = 2: exp"
             " overflows without the max subtraction. " + EDGE_NOTE),
    ]


TASK = loss_task(
    "distillation_loss", "Distillation loss with temperature and its gradient",
    FunctionSpec("distillation_loss", params("student_logits", "teacher_logits", "T"), ("loss", "dstudent")),
    distillation_loss, _cases,
    (
        diagnose.variant_explained("loss", lambda ctx: _variants(ctx, 0)),
        diagnose.variant_explained("dstudent", lambda ctx: _variants(ctx, 1)),
        diagnose.factor_explained("loss", lambda ctx: _factors("loss", ctx)),
        diagnose.factor_explained("dstudent", lambda ctx: _factors("dstudent", ctx)),
        diagnose.non_finite("loss", "compute log-softmax by log-sum-exp (subtract each row's max first)"),
    ),
    {"student_logits": 1},
)
