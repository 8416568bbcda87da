"""Task ``bce_with_logits``: binary cross-entropy on logits (torch.nn.BCEWithLogitsLoss, mean reduction).

logits and targets share one shape (any shape); targets are probabilities in [0, 1], not only 0/1.
loss = mean over all elements of max(z, 0) - z * t + log(1 + exp(-|z|)); dlogits = (sigmoid(z) - t) / size.
Finite and correct for |z| up to 1e3: the naive -[t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))] is not.

One function returns the loss and its gradient, so the numerical cross-check differentiates the candidate's own
loss output (a GradientLink whose forward and backward are the same function).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec
from engine.tasks._task_builders import loss_task
from engine.tasks._util import normal, overflow, params

EDGE_NOTE = "This edge case judges the algorithm in float64; a float32 computation need not pass it."


def stable_sigmoid(z: np.ndarray) -> np.ndarray:
    """sigmoid(z) from exp(-|z|): never overflows."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    out: np.ndarray = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out


def elementwise_bce(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """max(z, 0) - z * t + log(1 + exp(-|z|)), elementwise (the unreduced loss)."""
    z = np.asarray(logits, dtype=np.float64)
    out: np.ndarray = np.maximum(z, 0.0) - z * targets + np.log1p(np.exp(-np.abs(z)))
    return out


def bce_with_logits(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """logits, targets (same shape, any) -> (loss: float, dlogits of logits' shape)."""
    z = np.asarray(logits, dtype=np.float64)
    loss = float(np.mean(elementwise_bce(z, targets)))
    dlogits: np.ndarray = (stable_sigmoid(z) - targets) / z.size
    return loss, dlogits


# ---------------------------------------------------------------------------------------------------- detectors


def _sizes(ctx: DiagnosisContext) -> tuple[int, int]:
    """(number of elements, length of the first axis)."""
    shape = np.shape(ctx.call.args["logits"])
    return int(np.prod(shape)), int(shape[0])


def _loss_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    size, n = _sizes(ctx)
    out = [(-1.0, "loss has the wrong sign: it is minus the mean log-likelihood")]
    if size > 1:
        out.append((float(size), "loss is summed over the elements: take the mean over all of them"))
    if size > n > 1:
        out.append(
            (size / n, "loss is averaged over the first axis only: take the mean over all elements (every axis)")
        )
    return out


def _grad_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    size, n = _sizes(ctx)
    out = [(-1.0, "dlogits has the wrong sign: it is (sigmoid(z) - t) / size, prediction minus target")]
    if size > 1:
        out.append(
            (
                float(size),
                "dlogits is missing the 1/size factor: the loss is a mean, so divide by the number of elements",
            )
        )
        out.append((1.0 / size, "dlogits is divided by the number of elements twice: divide once"))
    if size > n > 1:
        out.append((size / n, "dlogits is divided by the first axis's length only: divide by the number of elements"))
    return out


_overflow = overflow(
    ("loss", "dlogits"),
    "large |logits|",
    "log(sigmoid(z)) and log(1 - sigmoid(z)) hit log(0), and exp(-z) overflows for very negative z; use"
    " max(z, 0) - z * t + log1p(exp(-|z|))",
)


def _precision_lost(ctx: DiagnosisContext) -> str | None:
    """The gradient is right and the loss finite but wrong, only on large logits: a clipped log(sigmoid)."""
    z = np.asarray(ctx.call.args["logits"], dtype=np.float64)
    got_loss, got_grad = ctx.got.get("loss"), ctx.got.get("dlogits")
    if got_loss is None or got_loss.size != 1 or float(np.max(np.abs(z))) < 30.0:
        return None
    value = float(got_loss.reshape(()))
    if not np.isfinite(value) or not diagnose.close(got_grad, ctx.expected["dlogits"]):
        return None
    if diagnose.close(np.asarray(value), ctx.expected["loss"]):
        return None
    return (
        "loss is wrong on large |logits| though the gradient is right: log(sigmoid(z)) loses everything once"
        " sigmoid(z) rounds to 0 or 1 (an eps or clip hides the inf, not the error); use the log-sum-exp form"
        " max(z, 0) - z * t + log1p(exp(-|z|))"
    )


def _targets_rounded(ctx: DiagnosisContext) -> str | None:
    z = np.asarray(ctx.call.args["logits"], dtype=np.float64)
    t = np.asarray(ctx.call.args["targets"], dtype=np.float64)
    hard = (t > 0.5).astype(np.float64)
    loss, grad = bce_with_logits(z, hard)
    if diagnose.matches_variant(ctx.got.get("loss"), np.asarray(loss), ctx.expected["loss"]) or (
        diagnose.matches_variant(ctx.got.get("dlogits"), grad, ctx.expected["dlogits"])
    ):
        return "targets are rounded to 0/1: they are probabilities in [0, 1]; use them as they are"
    return None


def _per_element(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("loss")
    z = np.asarray(ctx.call.args["logits"])
    if got is not None and got.size > 1 and got.shape in (z.shape, z.shape[:1]):
        return "loss is an array of per-element (or per-row) losses: return their mean over all elements, one number"
    return None


# ---------------------------------------------------------------------------------------------------- cases


def large_logits(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Logits of magnitude 1 to 1e3 with both signs, including +-1000 and the float64 exp limits +-710, +-745."""
    x = rng.choice([-1.0, 1.0], size=shape) * 10.0 ** rng.uniform(0.0, 3.0, size=shape)
    specials = np.array([1000.0, -1000.0, 710.0, -710.0, 745.0, -745.0, 40.0, -40.0, 0.5, -0.5])
    x.flat[: specials.size] = specials
    out: np.ndarray = x
    return out


def _case(name: str, logits: np.ndarray, targets: np.ndarray, what: str, visible: bool = False) -> Case:
    call = Call("bce_with_logits", {"logits": logits, "targets": targets})
    return Case(name, (call,), visible, description=what)


def _cases(rng: np.random.Generator) -> list[Case]:
    def hard(*shape: int) -> np.ndarray:
        return rng.integers(0, 2, size=shape).astype(np.float64)

    def soft(*shape: int) -> np.ndarray:
        return rng.uniform(0.0, 1.0, size=shape)

    mixed = soft(4, 6)
    mixed[0] = (0.0, 1.0, 0.0, 1.0, 1.0, 0.0)
    edge_targets = hard(4, 6)
    edge_targets[3] = soft(6)
    return [
        _case("example", normal(rng, 2, 3, scale=2.0), soft(2, 3), "2 rows of 3 logits, soft targets", True),
        _case("hard_targets", normal(rng, 3, 5, scale=2.0), hard(3, 5), "0/1 targets"),
        _case("batch1", normal(rng, 1, 6, scale=2.0), soft(1, 6), "a batch of one"),
        _case("vector", normal(rng, 9, scale=3.0), hard(9), "a 1-D input"),
        _case("leading3d", normal(rng, 2, 3, 4, scale=2.0), soft(2, 3, 4), "a 3-D input, soft targets"),
        _case("tall_mixed", normal(rng, 4, 6, scale=4.0), mixed, "a 4x6 input with 0/1 and soft targets"),
        _case("zero_logits", np.zeros((3, 2)), soft(3, 2), "all logits 0: every sigmoid is 1/2"),
        _case(
            "large_logits",
            large_logits(rng, 4, 6),
            edge_targets,
            "|logits| up to 1e3, including +-710 and +-745 where exp overflows; 0/1 and soft targets. " + EDGE_NOTE,
        ),
    ]


TASK = loss_task(
    "bce_with_logits", "Binary cross-entropy with logits and its gradient",
    FunctionSpec("bce_with_logits", params("logits", "targets"), ("loss", "dlogits")), bce_with_logits, _cases,
    (
        _per_element,
        _overflow,
        _precision_lost,
        _targets_rounded,
    ),
    {"logits": 1},
    factors=(_loss_factors, _grad_factors),
)
