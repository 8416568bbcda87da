"""Task ``infonce``: the InfoNCE (contrastive) loss with in-batch negatives, and its gradients for queries and keys.

logits = q @ k.T / temperature (N, N); row i's positive is key i (the diagonal), the other keys are its negatives;
loss = mean over rows of cross-entropy(logits[i], i). The embeddings are used as given (the caller normalises them
if it wants cosine similarities). dk collects two kinds of terms: key j is the positive of row j and a negative in
every other row, so its gradient sums a whole column of the softmax.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec
from engine.tasks._task_builders import loss_task
from engine.tasks._util import normal, params
from engine.tasks.softmax import EDGE_NOTE, naive_softmax, stable_log_softmax


def infonce_loss(q: np.ndarray, k: np.ndarray, temperature: float) -> tuple[float, np.ndarray, np.ndarray]:
    """q, k (N, D), temperature > 0 -> (loss: float, dq (N, D), dk (N, D)).

    With P = softmax(q @ k.T / temperature) over rows and G = (P - I) / (N * temperature):
    loss = -mean(log P[i, i]); dq = G @ k; dk = G.T @ q.
    """
    q = np.asarray(q, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    n = q.shape[0]
    log_p = stable_log_softmax(q @ k.T / temperature)
    g = (np.exp(log_p) - np.eye(n)) / (n * temperature)
    return float(-np.mean(np.diag(log_p))), g @ k, g.T @ q


# ---------------------------------------------------------------------------------------------------- detectors


def _args(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, float]:
    a = ctx.call.args
    return np.asarray(a["q"], dtype=np.float64), np.asarray(a["k"], dtype=np.float64), float(a["temperature"])


def _loss_variants(ctx: DiagnosisContext) -> Sequence[tuple[np.ndarray | None, str]]:
    q, k, tau = _args(ctx)
    loss = np.asarray(infonce_loss(q, k, 1.0)[0])
    diagonal = np.asarray(-np.mean(np.diag(q @ k.T)) / tau)
    return [
        (loss, "loss ignores the temperature: the logits are q @ k.T / temperature"),
        (
            diagonal,
            "loss is only minus the mean positive logit: subtract each row's log-sum-exp as well (the softmax's"
            " normaliser over all N keys, which brings in the negatives)",
        ),
    ]


def _dk_variants(ctx: DiagnosisContext) -> Sequence[tuple[np.ndarray | None, str]]:
    q, k, tau = _args(ctx)
    n = q.shape[0]
    p = np.exp(stable_log_softmax(q @ k.T / tau))
    g = (p - np.eye(n)) / (n * tau)
    return [
        (
            -q / (n * tau),
            "dk is missing the column terms: key j is also a negative in every other row i, so dk[j] gains"
            " sum_i P[i, j] q[i] / (N * temperature); dk = (P - I).T @ q / (N * temperature)",
        ),
        (
            (p * np.eye(n) - np.eye(n)) @ q / (n * tau),
            "dk uses only the diagonal of the softmax: key j is a negative in every other row too; dk = (P - I).T @ q"
            " / (N * temperature), a sum over each column",
        ),
        (
            g @ q,
            "dk uses the softmax rows where it needs its columns: dk = (P - I).T @ q / (N * temperature), with the"
            " transpose",
        ),
    ]


def _sizes_factors(what: str, ctx: DiagnosisContext) -> Sequence[tuple[float, str]]:
    q, _, tau = _args(ctx)
    n = q.shape[0]
    out = [(-1.0, f"{what} has the wrong sign")]
    if n > 1:
        out.append((float(n), f"{what} is summed over the rows: the loss is a mean over the N queries"))
    if what != "loss" and abs(tau - 1.0) > 1e-9:
        out.append((tau, f"{what} is missing the 1/temperature from the chain rule through q @ k.T / temperature"))
    return out


def _unstable(ctx: DiagnosisContext) -> str | None:
    """NaN or inf where the reference is finite, recognised as a softmax without the max subtraction if it matches."""
    q, k, tau = _args(ctx)
    for name in ("loss", "dq", "dk"):
        got, exp = ctx.got.get(name), ctx.expected[name]
        if got is None or got.dtype.kind != "f" or got.shape != exp.shape or np.all(np.isfinite(got)):
            continue
        naive = naive_softmax(q @ k.T / tau)
        cause = "exp(logits) overflows" if not np.all(np.isfinite(naive)) else "log(softmax) reaches log(0)"
        return (
            f"{name} has NaN or inf on large logits ({cause}): compute the log-softmax of each row by log-sum-exp,"
            " subtracting the row max first"
        )
    return None


def _symmetric(ctx: DiagnosisContext) -> str | None:
    q, k, tau = _args(ctx)
    got = ctx.got.get("loss")
    both = 0.5 * (infonce_loss(q, k, tau)[0] + infonce_loss(k, q, tau)[0])
    if diagnose.matches_variant(got, np.asarray(both), ctx.expected["loss"]):
        return (
            "loss averages both directions (queries to keys and keys to queries, as CLIP does): this task asks"
            " for the query side only, rows of q @ k.T"
        )
    return None


# ---------------------------------------------------------------------------------------------------- cases


def _unit(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = x / np.linalg.norm(x, axis=-1, keepdims=True)
    return out


def _cases(rng: np.random.Generator) -> list[Case]:
    def pair(n: int, d: int, scale: float = 1.0, unit: bool = False) -> tuple[np.ndarray, np.ndarray]:
        q = normal(rng, n, d, scale=scale)
        k = q + normal(rng, n, d, scale=scale)  # positives are related, so the loss is moderate
        return (_unit(q), _unit(k)) if unit else (q, k)

    def case(name: str, qk: tuple[np.ndarray, np.ndarray], tau: float, what: str, visible: bool = False) -> Case:
        call = Call("infonce_loss", {"q": qk[0], "k": qk[1], "temperature": tau})
        return Case(name, (call,), visible, description=what)

    return [
        case("example", pair(3, 4), 0.5, "3 pairs of 4-dimensional embeddings, temperature 0.5", visible=True),
        case("single_pair", pair(1, 3), 0.5, "N = 1: the only key is the positive, so the loss is 0"),
        case("low_dim", pair(6, 2), 1.0, "more pairs than dimensions, temperature 1"),
        case("high_dim", pair(2, 7), 1.5, "2 pairs of 7-dimensional embeddings, temperature 1.5"),
        case("square", pair(5, 5), 0.3, "N equals D, where a transposed product keeps its shape"),
        case("unit_vectors", pair(8, 6, unit=True), 0.07, "unit vectors, temperature 0.07 (as in SimCLR/CLIP)"),
        case(
            "large_logits",
            pair(4, 3, scale=8.0),
            0.05,
            "embeddings of norm about 10 and temperature 0.05: logits of order 1e3. " + EDGE_NOTE,
        ),
    ]


TASK = loss_task(
    "infonce", "InfoNCE contrastive loss and its gradients",
    FunctionSpec("infonce_loss", params("q", "k", "temperature"), ("loss", "dq", "dk")), infonce_loss, _cases,
    (
        _unstable,
        _symmetric,
        diagnose.variant_explained("loss", _loss_variants),
        diagnose.variant_explained("dk", _dk_variants),
        diagnose.factor_explained("loss", lambda ctx: _sizes_factors("loss", ctx)),
        diagnose.factor_explained("dq", lambda ctx: _sizes_factors("dq", ctx)),
        diagnose.factor_explained("dk", lambda ctx: _sizes_factors("dk", ctx)),
    ),
    {"q": 1, "k": 2},
)
