"""Task ``sample_token``: sample one next token per row from temperature / top-k / top-p filtered logits, by
inverse CDF over uniform draws given as input (so the result is deterministic).

logits (N, V), u (N,) in [0, 1) -> tokens (N,) int: each row is filtered exactly as the ``top_k_top_p_filter`` task
does it, p = softmax of the filtered logits (dropped tokens get 0), and the token is the smallest index i with
u < cumsum(p)[i], the cumulative sum taken in vocabulary order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._logits_common import draw_logits, sound_logits
from engine.tasks._util import params
from engine.tasks.softmax import stable_softmax
from engine.tasks.top_k_top_p_filter import filter_logits

U_MARGIN = 1e-3  # every draw u is at least this far from each cumulative boundary that decides a result


def _inverse_cdf(p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """p (N, V) probabilities (rows may sum to less than 1), u (N,) -> (N,) int64: the smallest i with
    u < cumsum(p)[i]; the last token with probability > 0 when u is past the row's total."""
    c = np.cumsum(p, axis=-1)
    below = u[:, None] < c
    last = p.shape[-1] - 1 - np.argmax(p[:, ::-1] > 0, axis=-1)
    out: np.ndarray = np.where(below.any(axis=-1), np.argmax(below, axis=-1), last).astype(np.int64)
    return out


def sample_token(
    logits: np.ndarray, u: np.ndarray, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0
) -> np.ndarray:
    """logits (N, V), u (N,) uniform in [0, 1) -> tokens (N,) int64.

    Filter each row with the ``top_k_top_p_filter`` reference (temperature, then top-k, then top-p; 0 and 1.0
    disable), take p = softmax of the kept logits, and return the smallest i with u < cumsum(p)[i].
    """
    z = filter_logits(np.asarray(logits, dtype=np.float64), top_k, top_p, temperature)
    return _inverse_cdf(stable_softmax(z), np.asarray(u, dtype=np.float64))


# ---------------------------------------------------------------------------------------------------- mistakes


def _distributions(logits: np.ndarray, k: int, p: float, t: float) -> dict[str, np.ndarray]:
    """The (N, V) distribution sampled by the reference and by each sampling mistake, by the mistake's name."""
    kept = np.isfinite(filter_logits(logits, k, p, t))
    out = {
        "right": stable_softmax(filter_logits(logits, k, p, t)),
        "unfiltered": stable_softmax(filter_logits(logits, 0, 1.0, t)),
        "not_renormalised": np.where(kept, stable_softmax(logits / t), 0.0),
    }
    if t != 1.0:
        out["no_temperature"] = stable_softmax(filter_logits(logits, k, p, 1.0))
    return out


_SENTENCES = {
    "unfiltered": "the token is sampled from the unfiltered distribution: apply temperature, top-k and top-p first,"
    " then sample from the softmax of the kept logits only",
    "not_renormalised": "the kept tokens keep their probabilities from before filtering: take the softmax of the"
    " filtered logits, so the kept probabilities sum to 1",
    "no_temperature": "the temperature is ignored: divide the logits by it before filtering and sampling",
    "greedy": "the most probable token is returned whatever u is (greedy argmax): sample by inverse CDF, the"
    " smallest i with u < cumsum(p)[i]",
}


def _picks(logits: np.ndarray, u: np.ndarray, k: int, p: float, t: float) -> dict[str, np.ndarray]:
    """The tokens the reference ("right") and each mistake return."""
    out = {name: _inverse_cdf(dist, u) for name, dist in _distributions(logits, k, p, t).items()}
    out["greedy"] = np.argmax(logits, axis=-1).astype(np.int64)
    return out


# ---------------------------------------------------------------------------------------------------- cases


def _draw_u(rng: np.random.Generator, dists: list[np.ndarray]) -> np.ndarray | None:
    """(N,) uniform draws, each U_MARGIN away from every cumulative boundary (0 included) of its row in each of
    ``dists``; None if a row found no such draw."""
    n = dists[0].shape[0]
    u = np.empty(n)
    for row in range(n):
        bounds = np.concatenate([[0.0]] + [np.cumsum(d[row]) for d in dists])
        for _ in range(200):
            x = float(rng.uniform(U_MARGIN, 1.0 - U_MARGIN))
            if np.all(np.abs(bounds - x) >= U_MARGIN):
                u[row] = x
                break
        else:
            return None
    return u


def _catches(mistake: str) -> Callable[[dict[str, np.ndarray], np.ndarray], bool]:
    """A case condition: some row's pick under ``mistake`` differs from the right one and from every other
    mistake's (so the diagnosis can name it)."""

    def check(picks: dict[str, np.ndarray], _kept: np.ndarray) -> bool:
        others = [v for name, v in picks.items() if name not in ("right", mistake)]
        mine = picks[mistake]
        return bool(np.any((mine != picks["right"]) & np.all([mine != o for o in others], axis=0)))

    return check


def _lands_on_dropped(picks: dict[str, np.ndarray], kept: np.ndarray) -> bool:
    """Every row's u falls in the region of a dropped token of the unfiltered distribution."""
    return bool(np.all(~kept[np.arange(kept.shape[0]), picks["unfiltered"]]))


def _cases(rng: np.random.Generator) -> list[Case]:
    cases = [_example()]
    Cond = Callable[[dict[str, np.ndarray], np.ndarray], bool] | None
    # name, (N, V), top_k, top_p, temperature, logits kind, condition on the picks, description
    specs: list[tuple[str, tuple[int, int], int, float, float, str, Cond, str]] = [
        ("one_row", (1, 8), 0, 1.0, 1.0, "normal", _catches("greedy"), "one row, no filtering"),
        ("top_k", (3, 10), 4, 1.0, 1.0, "normal", _catches("unfiltered"), "top-k alone"),
        ("top_p", (4, 12), 0, 0.8, 1.0, "normal", _catches("not_renormalised"), "top-p alone: renormalise"),
        ("hot", (3, 8), 0, 0.9, 2.0, "normal", _catches("no_temperature"), "temperature 2 with top-p"),
        ("cold", (3, 8), 5, 0.7, 0.5, "normal", _catches("no_temperature"), "temperature 0.5, top-k and top-p"),
        ("dropped", (2, 10), 3, 0.9, 1.0, "normal", _lands_on_dropped, "u lands where a dropped token would be"),
        ("k_ties", (2, 7), 3, 1.0, 1.3, "tie", None, "a token tied with the k-th largest is kept"),
        ("banned", (2, 8), 6, 0.85, 1.0, "banned", None, "logits already -inf stay impossible"),
        ("large_logits", (2, 7), 0, 0.9, 1.0, "large", None, "logits around 1000"),
    ]
    for name, shape, k, p, t, kind, cond, what in specs:
        for _ in range(1000):
            logits = draw_logits(rng, shape, kind, k)
            if not sound_logits(logits / t, k, p, kind == "tie"):
                continue
            u = _draw_u(rng, list(_distributions(logits, k, p, t).values()))
            if u is None:
                continue
            kept = np.isfinite(filter_logits(logits, k, p, t))
            if cond is None or cond(_picks(logits, u, k, p, t), kept):
                break
        else:  # pragma: no cover - the conditions hold for a good share of draws
            raise RuntimeError(f"no sound draw for case {name}")
        cases.append(Case(name, (_call(logits, u, k, p, t),), description=what))
    return cases


def _call(logits: np.ndarray, u: np.ndarray, k: int, p: float, t: float) -> Call:
    return Call("sample_token", {"logits": logits, "u": u, "temperature": t, "top_k": k, "top_p": p})


def _example() -> Case:
    """The statement's worked example: one row twice, with two draws."""
    logits = np.array([[4.0, 2.0, 1.0, 1.0, -2.0, 0.0]] * 2)
    return Case("example", (_call(logits, np.array([0.8, 0.95]), 3, 0.9, 2.0),), True, description="worked example")


# ---------------------------------------------------------------------------------------------------- detectors


def _variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray, str]]:
    a = ctx.call.args
    logits, u = np.asarray(a["logits"], dtype=np.float64), np.asarray(a["u"], dtype=np.float64)
    picks = _picks(logits, u, int(a.get("top_k", 0)), float(a.get("top_p", 1.0)), float(a.get("temperature", 1.0)))
    return [(v, _SENTENCES[name]) for name, v in picks.items() if name != "right"]


def _same_tokens(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))


_detect_variant: Callable[[DiagnosisContext], str | None] = diagnose.unambiguous_variant(
    "tokens", _variants, equal=_same_tokens
)


TASK = Task(
    id="sample_token",
    title="Sampling the next token: temperature, top-k, top-p and inverse CDF",
    functions=(
        FunctionSpec("sample_token", params("logits", "u", temperature="1.0", top_k="0", top_p="1.0"), ("tokens",)),
    ),
    reference={"sample_token": sample_token},
    make_cases=_cases,
    detectors={"sample_token": (_detect_variant,)},
)
