"""Task ``softmax``: probabilities over the last axis, for any number of leading axes, stable for |z| up to 1e4.

The helpers here (stable softmax and log-softmax over any axis, large-logit inputs, the wrong-axis and overflow
detectors) are shared with the ``log_softmax`` and ``softmax_cross_entropy`` tasks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine import diagnose
from engine.task import Call, Case, Detector, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import normal, params

EDGE_NOTE = (
    "This edge case judges the algorithm in float64; a float32 computation need not pass it."
)


def stable_softmax(z: np.ndarray, axis: int | None = -1) -> np.ndarray:
    """Softmax over ``axis`` (None: over all elements), with the max subtracted so exp never overflows."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    out: np.ndarray = e / np.sum(e, axis=axis, keepdims=True)
    return out


def stable_log_softmax(z: np.ndarray, axis: int | None = -1) -> np.ndarray:
    """Log-softmax over ``axis`` by log-sum-exp: (z - max) - log(sum(exp(z - max)))."""
    z = np.asarray(z, dtype=np.float64)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    out: np.ndarray = shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return out


def softmax(z: np.ndarray) -> np.ndarray:
    """z (..., C) -> p (..., C): softmax over the last axis; each row sums to 1."""
    return stable_softmax(z, axis=-1)


# ---------------------------------------------------------------------------------------------------------------
# Inputs shared with log_softmax and softmax_cross_entropy.


def representable(z: np.ndarray) -> np.ndarray:
    """Round to multiples of 1/64: exact in float32 for |z| < 2**17, so large-logit rows lose nothing on a cast."""
    out: np.ndarray = np.round(z * 64.0) / 64.0
    return out


def offset_rows(rng: np.random.Generator, offsets: list[float], classes: int, spread: float = 3.0) -> np.ndarray:
    """Rows of ``offset + spread * noise``: moderate gaps inside each row, very different levels across rows."""
    z = np.asarray(offsets, dtype=np.float64)[:, None] + spread * rng.standard_normal((len(offsets), classes))
    return representable(z)


HUGE_GAP_ROWS = np.array(
    [
        [1e4, 0.0, -1e4, 5000.0, 9999.5],
        [-1e4, -1e4, -9999.5, -9990.0, -1e4],
        [1e4, 1e4, 1e4, 1e4, 1e4],
        [3.0, 3.0, -2.0, 0.5, -1e3],
    ]
)
TIE_ROWS = np.array(
    [
        [1.0, 1.0, 1.0, 1.0, 1.0],
        [2.0, 2.0, 0.0, -1.0, 0.5],
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [-3.0, 4.0, 4.0, 4.0, -3.0],
    ]
)


def shuffled(
    rng: np.random.Generator, z: np.ndarray, labels: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``z`` (rows, classes) with each row's entries and the rows themselves in a random order, and ``labels`` (a
    class index per row; default 0) moved with their entries. Edge cases built from fixed rows still change at every
    grade."""
    rows, classes = z.shape
    perms = np.stack([rng.permutation(classes) for _ in range(rows)])  # new[r, j] = z[r, perms[r, j]]
    order = rng.permutation(rows)
    out = np.take_along_axis(z, perms, axis=1)[order]
    given = np.zeros(rows, dtype=np.int64) if labels is None else labels
    moved = np.argsort(perms, axis=1)[np.arange(rows), given]  # where each row's labelled entry went
    return out, moved[order]


def huge_gap_rows(rng: np.random.Generator, labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose entries are up to 2e4 apart (probabilities underflow to 0), and a row of equal huge logits, in a
    random order (see :func:`shuffled`)."""
    return shuffled(rng, HUGE_GAP_ROWS, labels)


def tie_rows(rng: np.random.Generator, labels: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Equal logits: two all-equal rows, two equal maxima, three equal maxima; each row shifted by a random whole
    number (ties stay exact) and shuffled (see :func:`shuffled`)."""
    shift = rng.integers(-3, 4, size=(TIE_ROWS.shape[0], 1)).astype(np.float64)
    return shuffled(rng, TIE_ROWS + shift, labels)


# ---------------------------------------------------------------------------------------------------------------
# Detectors shared with log_softmax.


def wrong_axis(output: str, fn: Callable[[np.ndarray, int | None], np.ndarray], what: str) -> Detector:
    """``output`` equals ``fn`` taken over another axis than the last one, or over the whole array."""

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        z = np.asarray(ctx.call.args["z"], dtype=np.float64)
        if got is None or got.shape != z.shape:
            return None
        if z.ndim < 2:
            return None
        axes: list[int | None] = [*range(z.ndim - 1), None]
        best: tuple[float, int | None] | None = None
        with np.errstate(all="ignore"):
            for axis in axes:
                alt = fn(z, axis)
                # An axis this case cannot tell from the last one (a single row) is no diagnosis.
                if diagnose.close(got, alt) and not diagnose.close(alt, exp):
                    err = float(np.max(np.abs(got.astype(np.float64) - alt)))
                    if best is None or err < best[0]:
                        best = (err, axis)
        if best is None:
            return None
        if best[1] is None:
            return (
                f"{output} normalises over the whole array at once: take the {what} over the last axis only"
                " (axis=-1, keepdims=True), one row at a time"
            )
        return (
            f"{output} is the {what} over axis {best[1]}; it must be over the last axis (axis=-1), for any"
            " number of leading axes"
        )

    return detect


def naive_softmax(z: np.ndarray) -> np.ndarray:
    """Softmax without the max subtraction (what the overflow mistake computes), warnings silenced."""
    with np.errstate(all="ignore"):
        e = np.exp(np.asarray(z, dtype=np.float64))
        out: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return out


def global_max_softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis after subtracting the max of the whole array (one number for all rows)."""
    with np.errstate(all="ignore"):
        e = np.exp(np.asarray(z, dtype=np.float64) - np.max(z))
        out: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return out


def global_max_log_softmax(z: np.ndarray) -> np.ndarray:
    """Log-softmax over the last axis with the max of the whole array subtracted."""
    with np.errstate(all="ignore"):
        shifted = np.asarray(z, dtype=np.float64) - np.max(z)
        out: np.ndarray = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return out


def overflow(output: str, global_model: Callable[[np.ndarray], np.ndarray], advice: str) -> Detector:
    """NaN or inf where the true value is finite: a global max subtracted (recognised by its pattern) or none."""

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        if got is None or got.shape != exp.shape or got.dtype.kind != "f":
            return None
        if not np.any(~np.isfinite(got) & np.isfinite(exp)):
            return None
        z = np.asarray(ctx.call.args["z"], dtype=np.float64)
        if z.ndim >= 2 and diagnose.matches_pattern(got, global_model(z)):
            return (
                f"{output} subtracts one global max for the whole array: rows far below it underflow to 0 and"
                " give 0/0 or log(0); subtract each row's own max (axis=-1, keepdims=True)"
            )
        return f"{output} overflows to NaN or inf on large logits: {advice}"

    return detect


# ---------------------------------------------------------------------------------------------------------------
# softmax's own detectors.


def _not_normalised(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("p")
    z = np.asarray(ctx.call.args["z"], dtype=np.float64)
    if got is None or got.shape != z.shape:
        return None
    with np.errstate(all="ignore"):
        shifted = np.exp(z - z.max(axis=-1, keepdims=True))
        raw = np.exp(z)
    if diagnose.close(got, shifted) or diagnose.close(got, raw):
        return "p is not normalised: divide the exponentials by their sum over the last axis (each row sums to 1)"
    return None


def _log_probabilities(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("p")
    z = np.asarray(ctx.call.args["z"], dtype=np.float64)
    if got is not None and got.shape == z.shape and diagnose.close(got, stable_log_softmax(z)):
        return "p holds log-probabilities: softmax returns the probabilities themselves (exp of log-softmax)"
    return None


def _cases(rng: np.random.Generator) -> list[Case]:
    def case(name: str, z: np.ndarray, what: str, visible: bool = False) -> Case:
        return Case(name, (Call("softmax", {"z": z}),), visible, description=what)

    return [
        case("example", normal(rng, 2, 4), "a batch of 2 rows of 4 logits", visible=True),
        case("batch1", normal(rng, 1, 6), "a single row (batch of one)"),
        case("vector", normal(rng, 7), "a 1-D vector of logits: no leading axes"),
        case("tall", normal(rng, 6, 3, scale=2.0), "more rows than classes"),
        case("leading3d", normal(rng, 2, 3, 5), "three axes: softmax over the last, two leading axes"),
        case("leading4d", normal(rng, 2, 2, 3, 4), "four axes with different sizes"),
        case("square", normal(rng, 4, 4, scale=2.0), "square input, where the wrong axis keeps the shape"),
        case("ties", tie_rows(rng)[0], "equal logits: all-equal rows and tied maxima"),
        case(
            "large_offsets",
            offset_rows(rng, [5000.0, -5000.0, 800.0, 0.0, -800.0], 6),
            "rows around +-5000 and +-800 (logits of order 1e3 to 1e4): exp overflows without the max subtraction. "
            + EDGE_NOTE,
        ),
        case(
            "huge_gaps",
            huge_gap_rows(rng)[0],
            "logits up to 1e4 in magnitude with gaps of 2e4 and a row of equal huge logits. " + EDGE_NOTE,
        ),
        case(
            "large_leading",
            representable(
                np.array([1e4, -1e4, 3e3])[:, None, None] + 4.0 * rng.standard_normal((3, 2, 5))
            ),
            "three axes whose blocks sit at +1e4, -1e4 and 3e3. " + EDGE_NOTE,
        ),
    ]


ADVICE = "subtract each row's max before exp (softmax does not change when a constant is added to a row)"

TASK = Task(
    id="softmax",
    title="Numerically stable softmax",
    functions=(FunctionSpec("softmax", params("z"), ("p",)),),
    reference={"softmax": softmax},
    make_cases=_cases,
    detectors={
        "softmax": (
            wrong_axis("p", stable_softmax, "softmax"),
            overflow("p", global_max_softmax, ADVICE),
            _not_normalised,
            _log_probabilities,
        ),
    },
)
