"""Task ``sinusoidal_positional_encoding``: the fixed sin/cos encodings of "Attention Is All You Need".

pe (length, d_model), d_model even, positions 0 .. length - 1; for i in 0 .. d_model/2 - 1:
pe[pos, 2i] = sin(pos / 10000^(2i / d_model)), pe[pos, 2i + 1] = cos(pos / 10000^(2i / d_model)) (interleaved).
Positions stay below 200, so a float32 computation (angle error about 1e-5) passes the tolerance of 1e-4.
"""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import params

BASE = 10000.0


def _angles(length: int, d_model: int, exponent_step: float = 2.0, start: int = 0) -> np.ndarray:
    """(length, d_model // 2) angles pos / BASE^(exponent_step * i / d_model)."""
    pos = np.arange(start, start + length, dtype=np.float64)[:, None]
    i = np.arange(d_model // 2, dtype=np.float64)[None, :]
    out: np.ndarray = pos / BASE ** (exponent_step * i / d_model)
    return out


def _interleave(even: np.ndarray, odd: np.ndarray) -> np.ndarray:
    out = np.empty((even.shape[0], 2 * even.shape[1]))
    out[:, 0::2] = even
    out[:, 1::2] = odd
    return out


def sinusoidal_positional_encoding(length: int, d_model: int) -> np.ndarray:
    """-> pe (length, d_model): sin in the even columns, cos in the odd ones, frequencies 1 / 10000^(2i/d)."""
    a = _angles(length, d_model)
    return _interleave(np.sin(a), np.cos(a))


# ---------------------------------------------------------------------------------------------------- detectors


def _sizes(ctx: DiagnosisContext) -> tuple[int, int]:
    return int(ctx.call.args["length"]), int(ctx.call.args["d_model"])


def _variants(length: int, d_model: int) -> list[tuple[np.ndarray, str]]:
    a = _angles(length, d_model)
    cols = np.arange(d_model, dtype=np.float64)[None, :]
    pos = np.arange(length, dtype=np.float64)[:, None]
    by_column = pos / BASE ** (cols / d_model)
    per_column = np.where(np.arange(d_model) % 2 == 0, np.sin(by_column), np.cos(by_column))
    return [
        (
            np.concatenate([np.sin(a), np.cos(a)], axis=1),
            "pe puts all the sines in the first half and the cosines in the second: interleave them, sin in the even"
            " columns 2i and cos in the odd columns 2i + 1",
        ),
        (
            np.concatenate([np.cos(a), np.sin(a)], axis=1),
            "pe puts the cosines in the first half and the sines in the second: interleave them, sin in the even"
            " columns 2i and cos in the odd columns 2i + 1",
        ),
        (
            _interleave(np.cos(a), np.sin(a)),
            "pe has sin and cos swapped: sin goes in the even columns (2i), cos in the odd ones (2i + 1)",
        ),
        (
            _interleave(np.sin(_angles(length, d_model, 1.0)), np.cos(_angles(length, d_model, 1.0))),
            "pe uses the exponent i / d_model: the frequency of pair i is 1 / 10000^(2i / d_model)",
        ),
        (
            per_column,
            "pe uses the column index as the exponent (10000^(j / d_model) for column j), so each cos column gets a"
            " different frequency from its sin partner: both columns 2i and 2i + 1 use 10000^(2i / d_model)",
        ),
        (
            _interleave(np.sin(_angles(length, d_model, start=1)), np.cos(_angles(length, d_model, start=1))),
            "pe starts the positions at 1: the first row is position 0 (sin 0 = 0, cos 0 = 1)",
        ),
        (
            _interleave(np.sin(pos * BASE ** (2.0 * np.arange(d_model // 2) / d_model)),
                        np.cos(pos * BASE ** (2.0 * np.arange(d_model // 2) / d_model))),
            "pe multiplies the position by 10000^(2i / d_model): divide by it (the frequencies decrease with i)",
        ),
    ]


def _mistakes(ctx: DiagnosisContext) -> list[tuple[np.ndarray, str]]:
    length, d_model = _sizes(ctx)
    return _variants(length, d_model) if d_model % 2 == 0 else []


_known_variant = diagnose.unambiguous_variant("pe", _mistakes)


def _transposed(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("pe"), ctx.expected["pe"]
    if got is not None and got.ndim == 2 and got.shape == exp.T.shape != exp.shape and diagnose.close(got.T, exp):
        return "pe has shape (d_model, length), the transpose: rows are positions, shape (length, d_model)"
    return None


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    """The worked example, then hidden sizes of each kind drawn from ``rng`` (d_model always even)."""

    def draw(low: int, high: int) -> int:
        return int(rng.integers(low, high + 1))

    def even(low: int, high: int) -> int:
        return 2 * draw(low // 2, high // 2)

    square = even(8, 16)
    sizes = [
        ("example", 4, 6, True, "4 positions, d_model 6"),
        ("single_position", 1, even(4, 12), False, "one position: position 0 only"),
        ("d2", draw(3, 9), 2, False, "d_model 2: one sin/cos pair"),
        ("long", draw(40, 80), even(12, 20), False, "many positions"),
        ("wide", draw(2, 4), even(24, 40), False, "more dimensions than positions"),
        ("transformer", draw(96, 160), int(rng.choice([32, 64])), False, "a transformer-sized table"),
        ("odd_length", 2 * draw(2, 6) + 1, even(6, 14), False, "an odd number of positions"),
        ("square", square, square, False, "length equal to d_model"),
    ]
    return [
        Case(
            name,
            (Call("sinusoidal_positional_encoding", {"length": length, "d_model": d}),),
            visible,
            # A hidden case's sizes are its inputs: its description says what kind it is, not the numbers.
            description=f"length {length}, d_model {d}: {what}" if visible else what,
        )
        for name, length, d, visible, what in sizes
    ]


TASK = Task(
    id="sinusoidal_positional_encoding",
    title="Sinusoidal positional encoding",
    functions=(FunctionSpec("sinusoidal_positional_encoding", params("length", "d_model"), ("pe",)),),
    reference={"sinusoidal_positional_encoding": sinusoidal_positional_encoding},
    make_cases=_cases,
    detectors={"sinusoidal_positional_encoding": (_known_variant, _transposed)},
)
