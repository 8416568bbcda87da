"""Task ``focal_loss``: binary focal loss on logits (RetinaNet; torchvision.ops.sigmoid_focal_loss) and its gradient.

With p = sigmoid(z), targets t in {0, 1}, p_t = p if t = 1 else 1 - p and alpha_t = alpha if t = 1 else 1 - alpha,
the loss is mean over all elements of -alpha_t * (1 - p_t)**gamma * log(p_t). With s = 2t - 1, p_t = sigmoid(s z),
so the reference works in log space and stays finite for |z| up to 1e3, like ``bce_with_logits``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec
from engine.tasks._task_builders import loss_task
from engine.tasks._util import normal, params
from engine.tasks.bce_with_logits import EDGE_NOTE, large_logits, stable_sigmoid


def log_sigmoid(u: np.ndarray) -> np.ndarray:
    """log(sigmoid(u)) = -(max(-u, 0) + log(1 + exp(-|u|))), finite for any finite u."""
    out: np.ndarray = -(np.maximum(-u, 0.0) + np.log1p(np.exp(-np.abs(u))))
    return out


def _focal_parts(
    z: np.ndarray, t: np.ndarray, alpha: float, gamma: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(s = 2t - 1, alpha_t, p_t, log p_t), elementwise."""
    s = 2.0 * t - 1.0
    alpha_t = alpha * t + (1.0 - alpha) * (1.0 - t)
    return s, alpha_t, stable_sigmoid(s * z), log_sigmoid(s * z)


def focal_loss(
    logits: np.ndarray, targets: np.ndarray, alpha: float = 0.25, gamma: float = 2.0
) -> tuple[float, np.ndarray]:
    """logits, targets in {0, 1} (same shape, any) -> (loss: float, dlogits of logits' shape).

    loss = mean(-alpha_t * (1 - p_t)**gamma * log(p_t));
    dlogits = s * alpha_t * (1 - p_t)**gamma * (gamma * p_t * log(p_t) - (1 - p_t)) / size, s = 2t - 1.
    """
    z = np.asarray(logits, dtype=np.float64)
    s, alpha_t, p_t, log_p_t = _focal_parts(z, np.asarray(targets, dtype=np.float64), alpha, gamma)
    q = stable_sigmoid(-s * z)  # 1 - p_t, without the cancellation of 1 - p_t when p_t is near 1
    weight = q**gamma
    loss = float(np.mean(-alpha_t * weight * log_p_t))
    dlogits: np.ndarray = s * alpha_t * weight * (gamma * p_t * log_p_t - q) / z.size
    return loss, dlogits


# ---------------------------------------------------------------------------------------------------- detectors


def _args(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, float, float]:
    a = ctx.call.args
    z = np.asarray(a["logits"], dtype=np.float64)
    return z, np.asarray(a["targets"], dtype=np.float64), float(a.get("alpha", 0.25)), float(a.get("gamma", 2.0))


def _variant(z: np.ndarray, t: np.ndarray, alpha_t: np.ndarray, weight: np.ndarray) -> tuple[float, np.ndarray]:
    """Loss and gradient of -alpha_t * weight * log p_t, with ``weight`` treated as a constant."""
    s = 2.0 * t - 1.0
    loss = float(np.mean(-alpha_t * weight * log_sigmoid(s * z)))
    return loss, s * alpha_t * weight * -stable_sigmoid(-s * z) / z.size


def _variants(ctx: DiagnosisContext, index: int) -> Sequence[tuple[np.ndarray | None, str]]:
    z, t, alpha, gamma = _args(ctx)
    s, alpha_t, p_t, _ = _focal_parts(z, t, alpha, gamma)
    q = stable_sigmoid(-s * z)
    out: list[tuple[np.ndarray | None, str]] = [
        (
            np.asarray(focal_loss(z, t, 1.0 - alpha, gamma)[index]),
            "alpha weights the wrong class: alpha_t is alpha for positives (t = 1) and 1 - alpha for negatives",
        ),
        (
            np.asarray(focal_loss(z, t, 0.5, gamma)[index] * 2.0),
            "alpha is not applied: weight each element by alpha_t (alpha for t = 1, 1 - alpha for t = 0)",
        ),
    ]
    if index == 0:
        out.append(
            (
                np.asarray(_variant(z, t, alpha_t, p_t**gamma)[0]),
                "the modulating factor is p_t**gamma; it is (1 - p_t)**gamma, which shrinks the loss of easy,"
                " well-classified examples",
            )
        )
    else:
        out.append(
            (
                _variant(z, t, alpha_t, q**gamma)[1],
                "dlogits treats (1 - p_t)**gamma as a constant: it depends on the logits too; add its derivative,"
                " s * alpha_t * gamma * (1 - p_t)**gamma * p_t * log(p_t)",
            )
        )
    return out


def _size(ctx: DiagnosisContext) -> int:
    return int(np.prod(np.shape(ctx.call.args["logits"])))


def _loss_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    out = [(-1.0, "loss has the wrong sign: it is minus alpha_t (1 - p_t)**gamma log(p_t), a positive number")]
    if _size(ctx) > 1:
        out.append((float(_size(ctx)), "loss is summed over the elements: take the mean over all of them"))
    return out


def _grad_factors(ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    out = [(-1.0, "dlogits has the wrong sign")]
    if _size(ctx) > 1:
        out.append((float(_size(ctx)), "dlogits is missing the 1/size factor: the loss is a mean over all elements"))
    return out


def _overflow(ctx: DiagnosisContext) -> str | None:
    for name in ("loss", "dlogits"):
        got, exp = ctx.got.get(name), ctx.expected[name]
        if got is not None and got.shape == exp.shape and got.dtype.kind == "f" and not np.all(np.isfinite(got)):
            return (
                f"{name} has NaN or inf on large |logits|: log(sigmoid(z)) hits log(0) and (1 - p)**gamma * log(p)"
                " becomes 0 * -inf; compute log(p_t) as a log-sigmoid of s * z (s = 2t - 1) and 1 - p_t as"
                " sigmoid(-s * z)"
            )
    return None


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    def hard(*shape: int) -> np.ndarray:
        t = rng.integers(0, 2, size=shape).astype(np.float64)
        t.flat[0], t.flat[-1] = 1.0, 0.0  # both classes in every case, so alpha's side always shows
        return t

    def case(name: str, z: np.ndarray, what: str, visible: bool = False, **kw: float) -> Case:
        call = Call("focal_loss", {"logits": z, "targets": hard(*z.shape), **kw})
        return Case(name, (call,), visible, description=what)

    return [
        case("example", normal(rng, 2, 3, scale=2.0), "2 rows of 3 logits, default alpha and gamma", visible=True),
        case("batch1", normal(rng, 1, 6, scale=2.0), "a batch of one"),
        case("vector", normal(rng, 9, scale=3.0), "a 1-D input, alpha = 0.75", alpha=0.75),
        case("leading3d", normal(rng, 2, 3, 4, scale=2.0), "a 3-D input"),
        case("gamma0", normal(rng, 3, 4, scale=2.0), "gamma = 0: an alpha-weighted binary cross-entropy", gamma=0.0),
        case("gamma_half", normal(rng, 3, 5, scale=2.0), "gamma = 0.5, alpha = 0.6", alpha=0.6, gamma=0.5),
        case("gamma3", normal(rng, 4, 3, scale=4.0), "gamma = 3 and confident logits", gamma=3.0),
        case("zero_logits", np.zeros((2, 4)), "all logits 0: p_t = 1/2 everywhere"),
        case(
            "large_logits",
            large_logits(rng, 4, 6),
            "|logits| up to 1e3, including +-710 and +-745 where exp overflows. " + EDGE_NOTE,
        ),
    ]


TASK = loss_task(
    "focal_loss", "Binary focal loss with logits and its gradient",
    FunctionSpec("focal_loss", params("logits", "targets", alpha="0.25", gamma="2.0"), ("loss", "dlogits")),
    focal_loss, _cases,
    (
        _overflow,
        diagnose.variant_explained("loss", lambda ctx: _variants(ctx, 0)),
        diagnose.variant_explained("dlogits", lambda ctx: _variants(ctx, 1)),
    ),
    {"logits": 1},
    factors=(_loss_factors, _grad_factors),
)
