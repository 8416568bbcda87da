"""Task ``kv_cache_decode``: one decoding step of causal attention with a key/value cache.

The new token's query q_t (..., D), key k_t (..., D) and value v_t (..., Dv); the cache holds the T earlier
tokens' keys k_cache (..., T, D) and values v_cache (..., T, Dv), T >= 0. Leading axes are a batch, or a batch and
heads. The new key and value are appended along T first, so the token attends to itself and every earlier token:
out (..., Dv) = softmax(q_t . K^T / sqrt(D)) V with K, V the grown caches (..., T + 1, D) and (..., T + 1, Dv).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, Detector, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import normal, params
from engine.tasks.attention import large_scores
from engine.tasks.softmax import stable_softmax


def append(cache: np.ndarray, new: np.ndarray) -> np.ndarray:
    """cache (..., T, F), new (..., F) -> (..., T + 1, F): the new row after the cached ones."""
    return np.concatenate([np.asarray(cache, dtype=np.float64), np.asarray(new, dtype=np.float64)[..., None, :]], -2)


def attend(q: np.ndarray, keys: np.ndarray, values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """q (..., D), keys (..., S, D), values (..., S, Dv) -> (..., Dv); ``scale`` defaults to 1 / sqrt(D)."""
    q = np.asarray(q, dtype=np.float64)
    c = 1.0 / np.sqrt(q.shape[-1]) if scale is None else scale
    scores = np.einsum("...d,...sd->...s", q, keys) * c
    out: np.ndarray = np.einsum("...s,...sv->...v", stable_softmax(scores, -1), values)
    return out


def attend_with_cache(
    q_t: np.ndarray, k_t: np.ndarray, v_t: np.ndarray, k_cache: np.ndarray, v_cache: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """q_t, k_t (..., D), v_t (..., Dv), k_cache (..., T, D), v_cache (..., T, Dv) ->
    (out (..., Dv), new_k_cache (..., T + 1, D), new_v_cache (..., T + 1, Dv))."""
    keys, values = append(k_cache, k_t), append(v_cache, v_t)
    return attend(q_t, keys, values), keys, values


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    # name, leading axes, T, D, Dv, what
    shapes: list[tuple[str, tuple[int, ...], int, int, int, str]] = [
        ("example", (2,), 3, 4, 3, "a batch of 2, 3 cached tokens, D = 4, Dv = 3"),
        ("batch1", (1,), 5, 6, 2, "a batch of one with 5 cached tokens"),
        ("heads", (2, 3), 4, 8, 5, "batch and heads: leading axes (2, 3)"),
        ("no_batch", (), 6, 4, 4, "no leading axes: q_t (D,), k_cache (T, D)"),
        ("first_token", (2,), 0, 4, 3, "the first token: empty caches (T = 0), so it attends to itself alone"),
        ("one_cached", (3,), 1, 6, 2, "one cached token"),
        ("large_scores", (2,), 5, 4, 3, "scores up to 1e3 in magnitude: subtract the maximum before exp"),
    ]
    for name, lead, t, d, dv, what in shapes:
        if name == "large_scores":
            Q, K = large_scores(rng, lead, 1, t + 1, d, 1.0)
            q_t, keys = Q[..., 0, :], K
        else:
            q_t, keys = normal(rng, *lead, d), normal(rng, *lead, t + 1, d)
        values = normal(rng, *lead, t + 1, dv)
        args: dict[str, Any] = {
            "q_t": q_t,
            "k_t": keys[..., t, :],
            "v_t": values[..., t, :],
            "k_cache": np.ascontiguousarray(keys[..., :t, :]),
            "v_cache": np.ascontiguousarray(values[..., :t, :]),
        }
        cases.append(Case(name, (Call("attend_with_cache", args),), name == "example", description=what))
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _args(ctx: DiagnosisContext) -> dict[str, np.ndarray]:
    return {k: np.asarray(v, dtype=np.float64) for k, v in ctx.call.args.items()}


def _out_variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray | None, str]]:
    a = _args(ctx)
    q, d = a["q_t"], a["q_t"].shape[-1]
    keys, values = append(a["k_cache"], a["k_t"]), append(a["v_cache"], a["v_t"])
    out: list[tuple[np.ndarray | None, str]] = [
        (attend(q, keys, values, 1.0), "out: the scores are not scaled; divide q_t . k by sqrt(D)"),
        (attend(q, keys, values, 1.0 / d), "out: the scores are divided by D; divide them by sqrt(D)"),
        (
            attend(q, append(keys, a["k_t"]), append(values, a["v_t"])),
            "out counts the new token twice: it is appended to the cache once, then attended to once",
        ),
    ]
    if a["k_cache"].shape[-2] > 0:
        out.append(
            (
                attend(q, a["k_cache"], a["v_cache"]),
                "out attends to the old cache only: append k_t and v_t first, so the new token also attends to itself",
            )
        )
    return out


def _cache_variants(name: str, cache_arg: str, new_arg: str) -> Detector:
    def variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray | None, str]]:
        a = _args(ctx)
        cache, new = a[cache_arg], a[new_arg]
        once = append(cache, new)
        return [
            (append(once, new), f"{name} has {new_arg} appended twice: append it once, giving T + 1 rows"),
            (cache, f"{name} is the old cache: append {new_arg} along the time axis, giving T + 1 rows"),
            (
                np.concatenate([new[..., None, :], cache], axis=-2),
                f"{name} puts {new_arg} first; append it after the cached rows, so the cache stays in time order",
            ),
        ]

    return diagnose.variant_explained(name, variants)


TASK = Task(
    id="kv_cache_decode",
    title="One decoding step of attention with a KV cache",
    functions=(
        FunctionSpec(
            "attend_with_cache",
            params("q_t", "k_t", "v_t", "k_cache", "v_cache"),
            ("out", "new_k_cache", "new_v_cache"),
        ),
    ),
    reference={"attend_with_cache": attend_with_cache},
    make_cases=_cases,
    detectors={
        "attend_with_cache": (
            diagnose.non_finite("out", "subtract the maximum score before exponentiating"),
            diagnose.variant_explained("out", _out_variants),
            _cache_variants("new_k_cache", "k_cache", "k_t"),
            _cache_variants("new_v_cache", "v_cache", "v_t"),
        ),
    },
)
