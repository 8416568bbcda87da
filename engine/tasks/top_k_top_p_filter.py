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
from engine.tasks._logits_common import draw_logits, sound_logits, top_k_keep, top_p_keep
from engine.tasks._util import params


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
    """The filtered logits: top-k, then top-p, on the logits divided by the temperature; the rest -inf.

    The knobs make the classic mistakes: ``set_temperature`` divides the logits that choose the
    kept set, ``value_temperature`` those returned; ``p_first`` runs top-p before top-k."""
    z_set = logits / (temperature if set_temperature is None else set_temperature)
    z_val = logits / (temperature if value_temperature is None else value_temperature)
    with np.errstate(invalid="ignore"):
        if p_first:
            keep = top_p_keep(z_set, top_p, strict=strict_p)
            keep &= top_k_keep(np.where(keep, z_set, -np.inf), top_k, exact_k=exact_k)
        else:
            keep = top_k_keep(z_set, top_k, exact_k=exact_k)
            keep &= top_p_keep(np.where(keep, z_set, -np.inf), top_p, strict=strict_p)
    out: np.ndarray = np.where(keep, z_val, -np.inf)
    return out


# ---------------------------------------------------------------------------------------------------- cases


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
            logits = draw_logits(rng, shape, kind, top_k)
            if sound_logits(logits / temperature, top_k, top_p, kind == "tie") and (
                must is None or must(logits, top_k, top_p, temperature)
            ):
                break
        else:  # pragma: no cover - the draws above leave wide margins
            raise RuntimeError(f"no sound draw for case {name}")
        args: dict[str, Any] = {"logits": logits, "top_k": top_k, "top_p": top_p, "temperature": temperature}
        cases.append(Case(name, (Call("filter_logits", args),), name == "example", description=what))
    return cases


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
