"""Task ``top_k_top_p_filter``: temperature, top-k and top-p (nucleus) filtering of next-token logits, as the
Hugging Face logits warpers do it, without sampling.

logits (..., V) -> filtered (..., V): z = logits / temperature; top-k keeps the tokens whose z is at least the k-th
largest (ties with it kept); top-p, on softmax of what top-k kept, keeps a token when the probability mass of the
tokens strictly more probable than it is below top_p (so the top token always stays). Dropped tokens are -inf; kept
ones hold z.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from engine import diagnose
from engine.compare import values_revealed
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import params

MARGIN = 2e-3  # every top-p boundary and every ranking gap in the cases is at least this far from a tie


def _softmax(z: np.ndarray) -> np.ndarray:
    m = np.max(z, axis=-1, keepdims=True)
    e = np.exp(z - m)
    p: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return p


def top_k_keep(z: np.ndarray, top_k: int, exact_k: bool = False) -> np.ndarray:
    """Boolean (..., V): the tokens top-k keeps (all if top_k is 0 or >= V). ``exact_k`` keeps exactly k by sorted
    order, dropping some of the tokens tied with the k-th (a mistake the detectors recognise)."""
    v = z.shape[-1]
    if top_k <= 0 or top_k >= v:
        return np.ones(z.shape, dtype=bool)
    if exact_k:
        order = np.argsort(-z, axis=-1, kind="stable")[..., :top_k]
        keep = np.zeros(z.shape, dtype=bool)
        np.put_along_axis(keep, order, True, axis=-1)
        return keep
    kth = np.sort(z, axis=-1)[..., v - top_k, None]
    out: np.ndarray = z >= kth
    return out


def mass_above(p: np.ndarray) -> np.ndarray:
    """(..., V): for each token, the total probability of the tokens strictly more probable than it."""
    above = p[..., None, :] > p[..., :, None]
    out: np.ndarray = np.sum(np.where(above, p[..., None, :], 0.0), axis=-1)
    return out


def top_p_keep(z: np.ndarray, top_p: float, strict: bool = False) -> np.ndarray:
    """Boolean (..., V): the tokens top-p keeps from z (-inf for tokens already dropped).

    ``strict`` is the mistake of keeping only tokens whose cumulative mass, themselves included, stays within
    top_p (at least the top token).
    """
    if top_p >= 1.0:
        return np.ones(z.shape, dtype=bool)
    p = _softmax(z)
    before = mass_above(p)
    if not strict:
        out: np.ndarray = before < top_p
        return out
    strict_keep: np.ndarray = ((before + p) <= top_p) | (p == p.max(axis=-1, keepdims=True))
    return strict_keep


def filter_logits(
    logits: np.ndarray, top_k: int = 0, top_p: float = 1.0, temperature: float = 1.0
) -> np.ndarray:
    """logits (..., V) -> filtered (..., V): logits / temperature where kept, -inf elsewhere.

    Order: temperature, then top-k (0 disables; ties with the k-th largest are kept), then top-p on the softmax of
    the tokens top-k kept (1.0 disables).
    """
    return _filter(np.asarray(logits, dtype=np.float64), int(top_k), float(top_p), float(temperature))


def _filter(
    logits: np.ndarray,
    top_k: int,
    top_p: float,
    temperature: float,
    *,
    set_temperature: float | None = None,
    value_temperature: float | None = None,
    p_first: bool = False,
    exact_k: bool = False,
    strict_p: bool = False,
) -> np.ndarray:
    """The reference with knobs for the classic mistakes: ``set_temperature`` divides the logits that choose the
    kept set, ``value_temperature`` those returned; ``p_first`` runs top-p before top-k."""
    z_set = logits / (temperature if set_temperature is None else set_temperature)
    z_val = logits / (temperature if value_temperature is None else value_temperature)
    with np.errstate(invalid="ignore"):
        if p_first:
            keep = top_p_keep(z_set, top_p, strict_p)
            keep &= top_k_keep(np.where(keep, z_set, -np.inf), top_k, exact_k)
        else:
            keep = top_k_keep(z_set, top_k, exact_k)
            keep &= top_p_keep(np.where(keep, z_set, -np.inf), top_p, strict_p)
    out: np.ndarray = np.where(keep, z_val, -np.inf)
    return out


# ---------------------------------------------------------------------------------------------------- cases


def _sound(z: np.ndarray, top_k: int, top_p: float, ties: bool) -> bool:
    """No near-tie decides the answer: within each row, ranking gaps and top-p boundaries are MARGIN away from one,
    whatever order a sort puts tied tokens in (exact ties are drawn only when ``ties``)."""
    rows = z.reshape(-1, z.shape[-1])
    for row in rows:
        gaps = np.diff(np.sort(row[np.isfinite(row)]))
        bad = (gaps < MARGIN) & (gaps != 0.0) if ties else gaps < MARGIN
        if np.any(bad):
            return False
    if top_p >= 1.0:
        return True
    zk = np.where(top_k_keep(rows, top_k), rows, -np.inf)
    for row_z, row_p in zip(zk, _softmax(zk), strict=True):
        order = np.argsort(-row_z, kind="stable")
        before = np.concatenate([[0.0], np.cumsum(row_p[order])[:-1]])
        if np.any(np.abs(before - top_p) < MARGIN):
            return False
    return True


def _differs(**knobs: Any) -> Callable[[np.ndarray, int, float, float], bool]:
    """A draw condition: the mistaken variant with these knobs gives another result (so the case catches it)."""

    def check(logits: np.ndarray, top_k: int, top_p: float, temperature: float) -> bool:
        ref = _filter(logits, top_k, top_p, temperature)
        return not np.array_equal(_filter(logits, top_k, top_p, temperature, **knobs), ref)

    return check


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    # name, shape, top_k, top_p, temperature, logits kind, the mistake the case must catch, what
    specs: list[tuple[str, tuple[int, ...], int, float, float, str, dict[str, Any], str]] = [
        ("example", (2, 6), 4, 0.8, 0.7, "normal", {}, "2 rows of 6 logits: temperature 0.7, top_k 4, top_p 0.8"),
        ("top_k_only", (3, 10), 4, 1.0, 1.0, "normal", {}, "top-k alone (top_p = 1.0, temperature 1)"),
        ("top_p_only", (4, 12), 0, 0.9, 1.0, "normal", {"strict_p": True}, "top-p alone (top_k = 0)"),
        ("hot", (2, 8), 0, 0.7, 2.0, "normal", {"set_temperature": 1.0}, "temperature 2 flattens the distribution"),
        ("cold", (3, 8), 5, 0.6, 0.5, "normal", {}, "temperature 0.5 sharpens it; top_k 5 then top_p 0.6"),
        ("k_ties", (2, 7), 3, 1.0, 1.3, "tie", {}, "a token tied with the k-th largest: ties are kept"),
        ("vector", (9,), 2, 0.95, 0.8, "normal", {}, "a 1-D row of logits"),
        ("k_over_vocab", (2, 5), 7, 0.5, 1.0, "normal", {}, "top_k larger than the vocabulary keeps every token"),
        ("order", (3, 10), 3, 0.8, 1.0, "normal", {"p_first": True}, "top-k cuts first, then top-p renormalised"),
        ("peaked", (2, 6), 0, 0.3, 1.0, "peaked", {}, "one dominant token above top_p: only it stays"),
        ("banned", (2, 8), 6, 0.85, 1.0, "banned", {}, "logits already -inf (banned tokens) stay -inf"),
        ("batch3d", (2, 3, 6), 3, 0.75, 0.9, "normal", {}, "leading axes (2, 3)"),
        ("large_logits", (2, 7), 0, 0.9, 1.0, "large", {}, "logits around 1000: subtract the maximum before exp"),
    ]
    for name, shape, top_k, top_p, temperature, kind, catches, what in specs:
        must = _differs(**catches) if catches else None
        for _ in range(1000):
            logits = _draw(rng, shape, kind, top_k)
            if _sound(logits / temperature, top_k, top_p, kind == "tie") and (
                must is None or must(logits, top_k, top_p, temperature)
            ):
                break
        else:  # pragma: no cover - the draws above leave wide margins
            raise RuntimeError(f"no sound draw for case {name}")
        args: dict[str, Any] = {"logits": logits, "top_k": top_k, "top_p": top_p, "temperature": temperature}
        cases.append(Case(name, (Call("filter_logits", args),), name == "example", description=what))
    return cases


def _draw(rng: np.random.Generator, shape: tuple[int, ...], kind: str, top_k: int) -> np.ndarray:
    """Logits multiples of 1/64 (exact in float32, and so is dividing the ties by a temperature)."""
    z = np.round(rng.standard_normal(shape) * 1.5 * 64.0) / 64.0
    if kind == "tie":  # the k-th and (k+1)-th largest of every row become equal
        order = np.argsort(-z, axis=-1)
        kth = np.take_along_axis(z, order[..., top_k - 1 : top_k], axis=-1)
        np.put_along_axis(z, order[..., top_k : top_k + 1], kth, axis=-1)
    elif kind == "peaked":
        z[..., int(rng.integers(shape[-1]))] += 4.0
    elif kind == "banned":
        flat = z.reshape(-1, shape[-1])
        for row in flat:
            row[rng.choice(shape[-1], size=2, replace=False)] = -np.inf
        z = flat.reshape(shape)
    elif kind == "large":
        z = z + 1000.0
    return z


# ---------------------------------------------------------------------------------------------------- detectors


def _args(ctx: DiagnosisContext) -> tuple[np.ndarray, int, float, float]:
    a = ctx.call.args
    return (
        np.asarray(a["logits"], dtype=np.float64),
        int(a.get("top_k", 0)),
        float(a.get("top_p", 1.0)),
        float(a.get("temperature", 1.0)),
    )


def _variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray, str]]:
    logits, k, p, t = _args(ctx)
    out: list[tuple[np.ndarray, str]] = [
        (
            _filter(logits, k, p, t, strict_p=True),
            "top-p keeps only the tokens whose cumulative probability stays within top_p; keep the smallest set"
            " whose cumulative probability reaches top_p (the token that crosses it stays)",
        ),
        (
            _filter(logits, k, p, t, p_first=True),
            "top-p runs before top-k; apply top-k first, then top-p on the softmax of the tokens top-k kept",
        ),
        (
            _filter(logits, k, p, t, exact_k=True),
            "top-k keeps exactly k tokens when several tie with the k-th largest; keep every token whose logit is"
            " at least the k-th largest",
        ),
    ]
    if t != 1.0:
        out += [
            (
                _filter(logits, k, p, t, set_temperature=1.0),
                "the temperature is applied after filtering: divide the logits by it first, since top-p depends on"
                " it",
            ),
            (
                _filter(logits, k, p, t, set_temperature=1.0, value_temperature=1.0),
                "the temperature is ignored: divide the logits by it before filtering",
            ),
            (
                _filter(logits, k, p, t, value_temperature=1.0),
                "the kept logits are not divided by the temperature: return logits / temperature where kept",
            ),
            (
                _filter(logits, k, p, 1.0 / t),
                "the logits are multiplied by the temperature; divide them by it",
            ),
        ]
    if 0 < k < logits.shape[-1]:
        out.append((_filter(logits, k + 1, p, t), "top-k keeps k + 1 tokens (off by one); keep the k largest"))
        if k > 1:
            out.append((_filter(logits, k - 1, p, t), "top-k keeps k - 1 tokens (off by one); keep the k largest"))
    return out


def _dropped_not_inf(ctx: DiagnosisContext) -> str | None:
    """The kept values are right but the dropped tokens hold a finite fill (0, -1e9) instead of -inf."""
    got, exp = ctx.got.get("filtered"), ctx.expected["filtered"]
    if got is None or got.shape != exp.shape or got.dtype.kind != "f":
        return None
    dropped = np.isneginf(exp)
    if not dropped.any() or not np.all(np.isfinite(got[dropped])) or not diagnose.close(got[~dropped], exp[~dropped]):
        return None
    fills = np.unique(got[dropped])
    what = f"{fills[0]:g}" if fills.size == 1 and values_revealed() else "finite values"
    return f"dropped tokens hold {what} instead of -inf: set them to -np.inf so that softmax gives them probability 0"


def _overflow(ctx: DiagnosisContext) -> str | None:
    """Rows of large logits come back with NaN or +inf, or with no token kept at all (NaN probabilities compare
    False), where exp overflows without the maximum subtracted (past about 88 in float32, 709 in float64)."""
    got, exp = ctx.got.get("filtered"), ctx.expected["filtered"]
    if got is None or got.shape != exp.shape or got.dtype.kind != "f":
        return None
    logits, _k, _p, t = _args(ctx)
    with np.errstate(invalid="ignore"):
        z = np.max(np.where(np.isfinite(logits), logits / t, -np.inf), axis=-1)
    broken = np.any(np.isnan(got) | np.isposinf(got), axis=-1) | np.all(np.isneginf(got), axis=-1)
    if not broken.any() or not np.all(z[broken] > 80.0):
        return None
    return (
        "rows of large logits (around 1000) come back with NaN, inf or no token kept: exp overflows; subtract each"
        " row's maximum logit before exponentiating"
    )


def _same_pattern(a: np.ndarray, b: np.ndarray) -> bool:
    return diagnose.matches_pattern(a, b)


_detect_variant: Callable[[DiagnosisContext], str | None] = diagnose.unambiguous_variant(
    "filtered", _variants, equal=_same_pattern
)


TASK = Task(
    id="top_k_top_p_filter",
    title="Temperature, top-k and top-p filtering of logits",
    functions=(
        FunctionSpec(
            "filter_logits", params("logits", top_k="0", top_p="1.0", temperature="1.0"), ("filtered",)
        ),
    ),
    reference={"filter_logits": filter_logits},
    make_cases=_cases,
    detectors={
        "filter_logits": (
            _overflow,
            _dropped_not_inf,
            _detect_variant,
        ),
    },
)
