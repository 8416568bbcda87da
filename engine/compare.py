"""Compare a submission's output with the reference: shape and dtype kind first, then values.

The headline figure is the relative error ``max|got - expected| / max(1, max|expected|)``: an output is judged
against its own scale, so a correct float32 computation (error about 1e-7 to 1e-5) passes a tolerance of 1e-4
and every classic mistake (a wrong factor, a transpose, a missing term) fails it by orders of magnitude.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from contextvars import ContextVar

import numpy as np

from engine.report import OutputCheck, WorstElement

PREVIEW = 16

# Whether the comparisons being made may show values (expected and got elements, previews). Off while a hidden case
# is judged: its values stay in the grading process unless a grading policy reveals them.
_REVEAL: ContextVar[bool] = ContextVar("nnprep_reveal_values", default=True)


def values_revealed() -> bool:
    """Whether checks made now may carry values (False while a hidden case is judged, see :func:`revealing`)."""
    return _REVEAL.get()


@contextlib.contextmanager
def revealing(reveal: bool) -> Iterator[None]:
    """Within the block, checks carry values (expected/got elements, heatmap previews) only if ``reveal``."""
    token = _REVEAL.set(reveal)
    try:
        yield
    finally:
        _REVEAL.reset(token)


def relative_error(expected: np.ndarray, got: np.ndarray) -> float:
    """``max|got - expected| / max(1, max|expected|)`` over finite arrays of one shape."""
    if expected.size == 0:
        return 0.0
    exp = expected.astype(np.float64)
    diff = np.abs(got.astype(np.float64) - exp)
    scale = max(1.0, float(np.max(np.abs(exp))))
    return float(np.max(diff)) / scale


def _kind_name(kind: str) -> str:
    return {"f": "floating point", "i": "integer", "u": "unsigned integer", "b": "boolean", "c": "complex"}.get(
        kind, f"kind {kind!r}"
    )


def _preview(a: np.ndarray) -> list[list[float | None]]:
    """The top-left (at most) 16x16 of ``a`` flattened to 2-D, None where a value is not finite."""
    grid = a.reshape(1, -1) if a.ndim <= 1 else a.reshape(-1, a.shape[-1])
    grid = grid[:PREVIEW, :PREVIEW].astype(np.float64)
    return [[float(v) if np.isfinite(v) else None for v in row] for row in grid]


def _add_previews(check: OutputCheck, expected: np.ndarray, got: np.ndarray) -> None:
    """Previews for a heatmap of where a failing output differs (a passing output needs none: smaller reports);
    none where values are not revealed."""
    if not values_revealed():
        return
    check.expected_preview = _preview(expected)
    check.got_preview = _preview(got)


def _first_index(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _values(expected: np.ndarray, got: np.ndarray, idx: tuple[int, ...]) -> str:
    """": expected 3, got 4" for one element, or nothing where values are not revealed."""
    if not values_revealed():
        return ""
    return f": expected {expected[idx].item()!r}, got {got[idx].item()!r}"


def compare(name: str, expected: np.ndarray, got: np.ndarray | None, tolerance: float) -> OutputCheck:
    """Judge one output. ``expected`` is the reference (float64 or int); ``got`` the decoded submission value.

    Where values are not revealed (a hidden case), the check says which output failed and how (shape, dtype, how
    many elements, where) but holds no element of either array, and a failing output's relative error only as
    "above the tolerance" (its figure would give max|expected| away for an all-zero answer).
    """
    check = OutputCheck(name=name, ok=False, expected_shape=tuple(expected.shape))
    if got is None:
        check.message = f"{name}: no value returned (got None)"
        return check
    check.got_shape = tuple(got.shape)
    if got.shape != expected.shape:
        if not values_revealed() and not _sizes_of(got.shape, expected.shape):
            check.got_shape = None  # its sizes are the candidate's to choose: they could spell out hidden inputs
            check.message = f"{name}: a shape other than {tuple(expected.shape)} (not shown: sizes not taken from it)"
            return check
        check.message = f"{name}: shape {tuple(got.shape)}, expected {tuple(expected.shape)}"
        return check
    want_kind = "f" if expected.dtype.kind in "fc" else expected.dtype.kind
    got_kind = got.dtype.kind
    kind_ok = got_kind == want_kind or (want_kind in "iu" and got_kind in "iu")
    if not kind_ok:
        check.message = f"{name}: dtype {got.dtype} ({_kind_name(got_kind)}), expected {_kind_name(want_kind)}"
        return check
    if want_kind == "b" or want_kind in "iu":
        equal = np.array_equal(got, expected)
        check.ok = bool(equal)
        check.rel_error = 0.0 if equal else 1.0
        if not equal:
            wrong = got != expected
            idx = _first_index(wrong)
            check.message = (
                f"{name}: {int(wrong.sum())} of {expected.size} elements differ, first at {idx}"
                + _values(expected, got, idx)
            )
        return check
    exp_finite = np.isfinite(expected)
    bad = ~np.isfinite(got) & exp_finite
    if bad.any():
        _add_previews(check, expected, got)
        kinds = []
        if np.isnan(got[bad]).any():
            kinds.append("NaN")
        if np.isinf(got[bad]).any():
            kinds.append("inf")
        check.message = (
            f"{name}: {' and '.join(kinds)} at {int(bad.sum())} of {expected.size} elements "
            f"(first at {_first_index(bad)}) where the expected value is finite"
        )
        check.rel_error = float("inf")
        return check
    # Where the reference is -inf, inf or NaN (a masked score, say), the submission must hold the same value.
    special = ~exp_finite & ~((got == expected) | (np.isnan(got) & np.isnan(expected)))
    if special.any():
        _add_previews(check, expected, got)
        idx = _first_index(special)
        check.message = (
            f"{name}: {int(special.sum())} of {expected.size} elements differ where the expected value is not "
            f"finite, first at {idx}" + _values(expected, got, idx)
        )
        check.rel_error = float("inf")
        return check
    err = relative_error(np.where(exp_finite, expected, 0.0), np.where(exp_finite, got, 0.0))
    check.ok = err <= tolerance
    if not check.ok and not values_revealed():
        # A hidden case's error is a value too: for an all-zero answer it is max|expected| wherever that is below 1.
        check.message = f"{name}: relative error above the tolerance {tolerance:g}"
        return check
    check.rel_error = err if values_revealed() else min(_power_of_ten_above(err), tolerance)
    if values_revealed():
        _add_worst(check, expected, got, exp_finite)
    if not check.ok:
        _add_previews(check, expected, got)
        check.message = f"{name}: relative error {err:.3g} > tolerance {tolerance:g}"
        if check.worst:
            w = check.worst[0]
            check.message += f"; worst at {w.index}: expected {w.expected:.6g}, got {w.got:.6g}"
    return check


def _sizes_of(got: tuple[int, ...], expected: tuple[int, ...]) -> bool:
    """Whether a wrong shape may be shown for a hidden case: at most one axis more than expected, each of size 1
    or of one of the expected sizes (a transpose, a kept or missing axis), so it says little the candidate chose."""
    return len(got) <= len(expected) + 1 and all(n == 1 or n in expected for n in got)


def _power_of_ten_above(err: float) -> float:
    """A passing hidden output's relative error as the power of ten just above it (0 stays 0): its digits are the
    candidate's to choose within the tolerance, so they could spell out hidden inputs."""
    return 0.0 if err <= 0 else float(10.0 ** math.ceil(math.log10(err)))


def _add_worst(check: OutputCheck, expected: np.ndarray, got: np.ndarray, exp_finite: np.ndarray) -> None:
    """The (at most) three elements where got differs most from a finite expected value."""
    diff = np.where(exp_finite, np.abs(np.where(exp_finite, got, 0.0) - np.where(exp_finite, expected, 0.0)), 0.0)
    order = np.argsort(diff, axis=None)[::-1][:3]
    check.worst = [
        WorstElement(
            index=tuple(int(i) for i in np.unravel_index(int(flat), expected.shape)),
            expected=float(expected.flat[int(flat)]),
            got=float(got.flat[int(flat)]),
        )
        for flat in order
        if diff.flat[int(flat)] > 0
    ]
