"""Task ``log_softmax``: log-probabilities over the last axis by log-sum-exp, finite for |z| up to 1e4."""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import normal, params
from engine.tasks.softmax import (
    EDGE_NOTE,
    global_max_log_softmax,
    huge_gap_rows,
    offset_rows,
    overflow,
    representable,
    stable_log_softmax,
    stable_softmax,
    tie_rows,
    wrong_axis,
)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """z (..., C) -> out (..., C) = z - logsumexp(z) over the last axis."""
    return stable_log_softmax(z, axis=-1)


def _log_of_softmax(ctx: DiagnosisContext) -> str | None:
    """Right wherever softmax(z) is a normal number, wrong (-inf, NaN or clipped) where it underflows to 0."""
    got, exp = ctx.got.get("out"), ctx.expected["out"]
    z = np.asarray(ctx.call.args["z"], dtype=np.float64)
    if got is None or got.shape != exp.shape or got.dtype.kind != "f":
        return None
    underflow = stable_softmax(z) == 0.0
    if not underflow.any():
        return None
    g = got.astype(np.float64)
    scale = max(1.0, float(np.max(np.abs(exp))))
    rest = ~underflow
    rest_ok = bool(np.all(np.isfinite(g[rest]))) and float(
        np.max(np.abs(g[rest] - exp[rest]), initial=0.0)
    ) <= diagnose.MATCH_TOL * scale
    with np.errstate(invalid="ignore"):
        under_bad = not np.all(np.abs(g[underflow] - exp[underflow]) <= diagnose.MATCH_TOL * scale)
    if rest_ok and under_bad:
        return (
            "out is log(softmax(z)): where a probability underflows to 0 its log is -inf (or wrong if clipped"
            " with an epsilon); compute (z - max) - log(sum(exp(z - max))) directly (log-sum-exp)"
        )
    return None


_OVERFLOW = overflow(
    "out",
    global_max_log_softmax,
    "subtract each row's max m first and use m + log(sum(exp(z - m))) as the log-sum-exp",
)


def _overflow(ctx: DiagnosisContext) -> str | None:
    """Non-finite values not explained by log(softmax) underflow (that one has its own diagnosis)."""
    if _log_of_softmax(ctx) is not None:
        return None
    return _OVERFLOW(ctx)


def _missing_logsumexp(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("out")
    z = np.asarray(ctx.call.args["z"], dtype=np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)
    # Where log(sum(exp(z - max))) rounds to 0 (huge gaps), z - max is the right answer, not a mistake.
    apart = not diagnose.close(shifted, ctx.expected["out"])
    if got is not None and got.shape == z.shape and diagnose.close(got, shifted) and apart:
        return "out is only z - max(z): subtract log(sum(exp(z - max))) over the last axis as well"
    return None


def _probabilities(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("out")
    z = np.asarray(ctx.call.args["z"], dtype=np.float64)
    if got is not None and got.shape == z.shape and diagnose.close(got, stable_softmax(z)):
        return "out holds probabilities (softmax): log_softmax returns their logarithms"
    return None


def far_entry(rng: np.random.Generator, z: np.ndarray) -> np.ndarray:
    """``z`` with one entry of each row (last axis) 30 to 50 below the row's max, rounded by ``representable``.

    Logits near 1e4 carry an absolute float32 rounding error near 1e-3 into every log-probability; a log-probability
    of -30 or less in every case puts that error below 1e-4 of the output's scale, so a float32 computation passes
    these edge cases on every seed (without it, about 2% of seeds failed one).
    """
    out = np.array(z, dtype=np.float64)
    rows = out.reshape(-1, out.shape[-1])
    picks = rng.integers(0, rows.shape[1], size=rows.shape[0])
    rows[np.arange(rows.shape[0]), picks] = rows.max(axis=1) - rng.uniform(30.0, 50.0, size=rows.shape[0])
    return representable(rows.reshape(out.shape))


def _cases(rng: np.random.Generator) -> list[Case]:
    def case(name: str, z: np.ndarray, what: str, visible: bool = False) -> Case:
        return Case(name, (Call("log_softmax", {"z": z}),), visible, description=what)

    return [
        case("example", normal(rng, 2, 4), "a batch of 2 rows of 4 logits", visible=True),
        case("batch1", normal(rng, 1, 5), "a single row (batch of one)"),
        case("vector", normal(rng, 6), "a 1-D vector of logits: no leading axes"),
        case("wide", normal(rng, 3, 9, scale=2.0), "more classes than rows"),
        case("leading3d", normal(rng, 2, 4, 3), "three axes: log-softmax over the last, two leading axes"),
        case("leading4d", normal(rng, 3, 2, 2, 5), "four axes with different sizes"),
        case("square", normal(rng, 5, 5, scale=2.0), "square input, where the wrong axis keeps the shape"),
        case("ties", tie_rows(rng)[0], "equal logits: all-equal rows and tied maxima"),
        case(
            "large_offsets",
            far_entry(rng, offset_rows(rng, [5000.0, -5000.0, 800.0, 0.0, -800.0], 6)),
            "rows around +-5000 and +-800 (logits of order 1e3 to 1e4): exp overflows without the max"
            " subtraction. " + EDGE_NOTE,
        ),
        case(
            "huge_gaps",
            huge_gap_rows(rng)[0],
            "logits up to 1e4 with gaps of 2e4: some probabilities underflow to 0 but their logs are finite. "
            + EDGE_NOTE,
        ),
        case(
            "large_leading",
            far_entry(rng, np.array([1e4, -1e4, 3e3])[:, None, None] + 4.0 * rng.standard_normal((3, 2, 5))),
            "three axes whose blocks sit at +1e4, -1e4 and 3e3. " + EDGE_NOTE,
        ),
    ]


TASK = Task(
    id="log_softmax",
    title="Log-softmax by log-sum-exp",
    functions=(FunctionSpec("log_softmax", params("z"), ("out",)),),
    reference={"log_softmax": log_softmax},
    make_cases=_cases,
    detectors={
        "log_softmax": (
            wrong_axis("out", stable_log_softmax, "log-softmax"),
            _log_of_softmax,
            _overflow,
            _missing_logsumexp,
            _probabilities,
        ),
    },
)
