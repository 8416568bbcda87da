"""Detectors shared by many tasks: each recognises one classic mistake in a failing output and names it.

A detector receives a :class:`~engine.task.DiagnosisContext` and returns a sentence or None. They are built by the
factories below for one output name, so a task lists, per function, the mistakes worth recognising.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from engine.compare import values_revealed
from engine.task import Detector, DiagnosisContext

MATCH_TOL = 1e-4


def close(a: np.ndarray | None, b: np.ndarray | None, tol: float = MATCH_TOL) -> bool:
    """True if ``a`` and ``b`` have one shape and agree to ``tol`` relative to ``b``'s scale."""
    if a is None or b is None or a.shape != b.shape:
        return False
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    scale = max(1.0, float(np.max(np.abs(b64)))) if b64.size else 1.0
    return float(np.max(np.abs(a64 - b64), initial=0.0)) <= tol * scale


def scale_factor(got: np.ndarray, expected: np.ndarray) -> float | None:
    """The least-squares c with got ≈ c * expected, if that fit is exact (else None)."""
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return None
    e = expected.astype(np.float64).ravel()
    g = got.astype(np.float64).ravel()
    denom = float(e @ e)
    if denom < 1e-12:
        return None
    c = float(g @ e) / denom
    if not close(g, c * e, tol=1e-5 * max(1.0, abs(c))):
        return None
    return c


def kept_axes(output: str, got: np.ndarray | None, expected: np.ndarray) -> str | None:
    """``got`` holds the expected values with extra (or missing) axes of size 1, as ``keepdims=True`` leaves them.

    Runs on every failing output of every task (a reduction with ``keepdims=True`` is the commonest cause of a
    shape like (1, D) where (D,) is expected), so the message names the shape rather than guessing the mistake.
    """
    if got is None or got.ndim == expected.ndim or got.size != expected.size or got.dtype.kind not in "fiub":
        return None  # same number of axes: a size-1 axis in another place is a swap, not keepdims
    if tuple(d for d in got.shape if d != 1) != tuple(d for d in expected.shape if d != 1):
        return None
    if not close(got.reshape(expected.shape), expected):
        return None
    return (
        f"{output} has the right values but shape {tuple(got.shape)} instead of {tuple(expected.shape)}: a reduction"
        " with keepdims=True (or a reshape) left axes of size 1; drop keepdims or reshape to the expected shape"
    )


def transposed(output: str) -> Detector:
    """``output`` equals the transpose of the expected matrix."""

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        if got is None or got.ndim != 2 or exp.ndim != 2:
            return None
        if close(got.T, exp):
            what = "gradient" if output.startswith("d") else "result"
            return f"{output} is the transpose of the expected {what}: check the order of the matmul"
        return None

    return detect


def not_summed(output: str, over: str = "the batch") -> Detector:
    """``output`` keeps the leading (batch) axes instead of summing over them, or averages over them."""

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        if got is not None and got.size == exp.size and got.shape != exp.shape:
            return None  # extra or missing axes of size 1: named by kept_axes for every output
        if got is None or got.ndim <= exp.ndim or got.shape[got.ndim - exp.ndim :] != exp.shape:
            if got is not None and got.shape == exp.shape:
                lead = _leading_count(ctx, output)
                if lead and lead > 1 and close(got * lead, exp):
                    return f"{output} is averaged over {over}; it should be summed"
            return None
        lead_axes = tuple(range(got.ndim - exp.ndim))
        summed = got.sum(axis=lead_axes)
        if close(summed, exp):
            return f"{output} is not summed over {over}: sum the per-example gradients"
        if close(got.mean(axis=lead_axes), exp):
            return f"{output} is not reduced over {over}"
        return None

    return detect


def _leading_count(ctx: DiagnosisContext, output: str) -> int | None:
    for value in ctx.call.args.values():
        if isinstance(value, np.ndarray) and value.ndim >= 2:
            return int(np.prod(value.shape[:-1]))
    return None


def scaled(output: str, batch_arg: str | None = None) -> Detector:
    """``output`` is the expected value times a constant: a sign flip, or a missing or extra 1/N or factor 2."""

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        if got is None:
            return None
        c = scale_factor(got, exp)
        if c is None or abs(c - 1.0) < 1e-3:
            return None
        if abs(c + 1.0) < 1e-3:
            return f"{output} has the wrong sign"
        n = None
        if batch_arg is not None:
            arr = ctx.call.args.get(batch_arg)
            if isinstance(arr, np.ndarray) and arr.ndim >= 1:
                n = arr.shape[0]
        for factor, what in ((n, "the batch size N"), (2.0, "2")):
            if factor is None or factor == 1:
                continue
            if abs(c - factor) < 1e-3 * factor:
                return f"{output} is {what} times too large" + (
                    ": average over the batch once" if what.startswith("the batch") else ""
                )
            if abs(c * factor - 1.0) < 1e-3:
                return f"{output} is {what} times too small" + (
                    ": it is divided by N once too often" if what.startswith("the batch") else ""
                )
        if not values_revealed():  # the factor is the candidate's to choose: a hidden case does not quote it
            return f"{output} is a constant multiple of the expected value (not 1, -1, 2 or N)"
        return f"{output} is {c:.4g} times the expected value"

    return detect


def upstream_ignored(output: str, upstream_arg: str = "dy") -> Detector:
    """``output`` is what the reference gives when the upstream gradient is all ones."""

    def detect(ctx: DiagnosisContext) -> str | None:
        got = ctx.got.get(output)
        dy = ctx.call.args.get(upstream_arg)
        if got is None or not isinstance(dy, np.ndarray):
            return None
        if close(got, ctx.reference(**{upstream_arg: np.ones_like(dy)})[output]):
            return f"{output} ignores the upstream gradient {upstream_arg}: multiply the local gradient by it"
        return None

    return detect


def non_finite(output: str, advice: str) -> Detector:
    """``output`` has NaN or inf where the reference is finite; ``advice`` says how to stay stable."""

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        if got is None or got.shape != exp.shape or got.dtype.kind != "f":
            return None
        if np.any(~np.isfinite(got) & np.isfinite(exp)):
            return f"{output} overflows to NaN or inf on large inputs: {advice}"
        return None

    return detect


def factor_explained(
    output: str, explain: Callable[[DiagnosisContext], Sequence[tuple[float, str]]]
) -> Detector:
    """``output`` is the expected value times a constant that a known mistake produces.

    ``explain`` lists, for the failing call, ``(factor, sentence)`` pairs: the factor by which a mistake multiplies
    the output (a sum instead of a mean multiplies it by N, a missing 2 by 1/2, a flipped sign by -1) and the
    sentence naming it. Every sentence whose factor matches the fitted constant is reported; when one call cannot
    tell two mistakes apart, both are named, joined by "or".
    """

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        if got is None:
            return None
        c = scale_factor(got, exp)
        if c is None or abs(c - 1.0) < 1e-3:
            return None
        found: list[str] = []
        for factor, text in explain(ctx):
            if abs(c - factor) <= 1e-3 * max(1.0, abs(factor)) and text not in found:
                found.append(text)
        return " or ".join(found) if found else None

    return detect


def matches_pattern(got: np.ndarray | None, model: np.ndarray, tol: float = MATCH_TOL) -> bool:
    """True if ``got`` has NaN, +inf and -inf exactly where ``model`` has them and agrees with it elsewhere.

    ``model`` is what a known mistake computes (e.g. a softmax without the max subtraction); matching its pattern
    of non-finite values names that mistake more precisely than "it overflows".
    """
    if got is None or got.shape != model.shape or got.dtype.kind != "f":
        return False
    g = got.astype(np.float64)
    m = model.astype(np.float64)
    for test in (np.isnan, np.isposinf, np.isneginf):
        if not np.array_equal(test(g), test(m)):
            return False
    finite = np.isfinite(m)
    return close(g[finite], m[finite], tol)


def matches_variant(got: np.ndarray | None, variant: np.ndarray, expected: np.ndarray) -> bool:
    """``got`` agrees with a mistaken ``variant`` of the computation that differs from ``expected``.

    The second condition keeps a detector quiet on inputs where the mistake makes no difference (a variant equal
    to the reference cannot be what went wrong).
    """
    return close(got, variant) and not close(variant, expected)


def not_reduced_over(output: str, source_arg: str, axes: Sequence[int], axis_names: Sequence[str]) -> Detector:
    """``output`` should be ``source_arg``-shaped values summed over ``axes``, but some of them were kept.

    Covers a gradient such as dgamma (C,) of an (N, C, H, W) input returned unsummed (N, C, H, W), summed over only
    some of the axes ((N, C) or (C, H, W)), kept with keepdims ((1, C, 1, 1)), or averaged instead of summed.
    ``axis_names`` names each axis of ``source_arg`` ("N", "C", "H", "W"). The check needs no reference for the
    unsummed values: summing the returned array over the axes it kept must give the expected output.
    """

    from itertools import combinations

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        src = ctx.call.args.get(source_arg)
        if got is None or not isinstance(src, np.ndarray) or got.dtype.kind != "f":
            return None
        reduced = [a % src.ndim for a in axes]
        everything = _names_joined([axis_names[a] for a in reduced])
        keepdims = tuple(1 if a in reduced else n for a, n in enumerate(src.shape))
        if got.shape == keepdims and got.shape != exp.shape and close(got.reshape(exp.shape), exp):
            return f"{output} keeps the summed axes {everything} as axes of size 1: drop keepdims"
        if got.shape == exp.shape:
            count = int(np.prod([src.shape[a] for a in reduced]))
            if count > 1 and close(got * count, exp) and not close(got, exp):
                return f"{output} is averaged over {everything}; it should be summed"
            return None
        for size in range(len(reduced), 0, -1):
            for kept in combinations(reduced, size):
                present = [a for a in range(src.ndim) if a not in reduced or a in kept]
                if got.shape != tuple(src.shape[a] for a in present):
                    continue
                if close(got.sum(axis=tuple(i for i, a in enumerate(present) if a in kept)), exp):
                    if len(kept) == len(reduced):
                        return f"{output} is not summed at all: sum over {everything}"
                    missing = _names_joined([axis_names[a] for a in kept])
                    return f"{output} is not summed over {missing}: sum over {everything}"
        return None

    return detect


def _names_joined(names: Sequence[str]) -> str:
    """``["N", "H", "W"]`` -> ``"N, H and W"``."""
    return f"{', '.join(names[:-1])} and {names[-1]}" if len(names) > 1 else names[0]


def variant_explained(
    output: str,
    variants: Callable[[DiagnosisContext], Sequence[tuple[np.ndarray | None, str]]],
    tol: float = MATCH_TOL,
) -> Detector:
    """``output`` equals what a known mistaken variant of the computation gives.

    ``variants`` lists, for the failing call, ``(value, sentence)`` pairs: the output a mistake produces (computed
    by the task, e.g. an optimiser step without bias correction) and the sentence naming it; a None value is
    skipped. Every sentence whose variant matches ``output`` to ``tol`` while differing from the expected value by
    more than ``tol`` is reported, joined by "or" when one call cannot tell the mistakes apart.
    """

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        if got is None:
            return None
        found: list[str] = []
        for value, text in variants(ctx):
            if value is None or text in found:
                continue
            model = np.asarray(value, dtype=np.float64)
            if close(got, model, tol) and not close(model, exp, tol):
                found.append(text)
        return " or ".join(found) if found else None

    return detect


def unambiguous_variant(
    output: str,
    variants: Callable[[DiagnosisContext], Sequence[tuple[np.ndarray, str]]],
    equal: Callable[[np.ndarray, np.ndarray], bool] | None = None,
) -> Detector:
    """``output`` equals exactly one known mistaken variant; silent when several mistakes give that value.

    ``variants`` lists ``(value, sentence)`` pairs for the failing call. Variants equal to the expected value are
    ignored. When the output matches the variants of two different sentences (a 1x1 causal mask is both "strict"
    and "inverted"), this call cannot tell the mistakes apart and says nothing: the task's other cases, with
    less symmetric inputs, name the mistake instead of a report listing every coincidence. ``equal`` compares
    two arrays (default :func:`close`; exact equality suits boolean outputs).
    """
    same = equal or (lambda a, b: close(a, b))

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        if got is None:
            return None
        found: list[str] = []
        for value, text in variants(ctx):
            if text in found or value.shape != got.shape or (value.shape == exp.shape and same(value, exp)):
                continue
            if same(got, value):
                found.append(text)
        return found[0] if len(found) == 1 else None

    return detect


Geometry = Callable[[DiagnosisContext], Sequence[tuple[int, int, int, int]]]
"""For a sliding-window output: ``(input size, kernel size, stride, padding)`` for its height and its width."""


def output_size(output: str, geometry: Geometry) -> Detector:
    """``output``'s spatial size comes from a wrong output-size formula, or from arithmetic that assumes a square.

    The right size along an axis is ``(n + 2p - k) // stride + 1``. Real code also writes ``round(...)`` (which
    differs when the division leaves a half or more, and is even "banker's" rounding in Python and NumPy) or rounds
    up (a ceil mode), and code tried only on square images uses the height's size for the width. Detected from the
    returned shape; for a non-square output of the right shape whose columns past H_out stayed 0, the column loop
    ran over H_out.
    """

    def detect(ctx: DiagnosisContext) -> str | None:
        got, exp = ctx.got.get(output), ctx.expected[output]
        if got is None or got.ndim != exp.ndim or got.ndim < 2 or got.shape[:-2] != exp.shape[:-2]:
            return None
        dims = list(geometry(ctx))
        ho, wo = exp.shape[-2:]
        hw = tuple(got.shape[-2:])
        if hw != (ho, wo):
            rounded = tuple(round((n + 2 * p - k) / s) + 1 for n, k, s, p in dims)
            ceiled = tuple(-(-(n + 2 * p - k) // s) + 1 for n, k, s, p in dims)
            formula = "(size + 2 * padding - kernel) // stride + 1"
            if hw == rounded:
                return (
                    f"{output} has spatial size {hw} instead of {(ho, wo)}: the output size is rounded with round();"
                    f" it is {formula} (floor division)"
                )
            if hw == ceiled:
                return (
                    f"{output} has spatial size {hw} instead of {(ho, wo)}: the output size is rounded up;"
                    f" it is {formula}"
                )
            if ho != wo and hw in ((ho, ho), (wo, wo)):
                return (
                    f"{output} has spatial size {hw} instead of {(ho, wo)}: one size is used for both height and"
                    " width (arithmetic that only works for square images); compute H_out from H and W_out from W"
                )
            return None
        if ho < wo:
            g, e = got.astype(np.float64), exp.astype(np.float64)
            if close(g[..., :ho], e[..., :ho]) and not np.any(g[..., ho:]) and np.any(e[..., ho:]):
                return (
                    f"{output}'s columns past {ho} are never filled: the column loop runs over H_out (arithmetic that"
                    " only works for square images); run it over W_out"
                )
        return None

    return detect
