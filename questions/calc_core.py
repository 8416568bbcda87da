"""The calculator registry and what every calculator module shares: the answer types, ``register``, ``fmt`` and
the convolution-size and head-split helpers.

A calculator module decorates its functions with :func:`register`, which files them in :data:`CALCULATORS`
under the function's name. This module imports none of them: :mod:`questions.calc` does, so importing it (the
public entry point) registers every calculator.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Shape = tuple[int, ...]
Answer = int | float | Shape
Value = int | float | bool | str
Kind = Literal["numeric", "shape"]


@dataclass(frozen=True)
class Computed:
    """A calculator's answer and how it was obtained."""

    answer: Answer
    working: str


@dataclass(frozen=True)
class Calculator:
    """A named calculator: ``fn(**params) -> Computed`` and ``valid(**params) -> bool``."""

    name: str
    kind: Kind
    fn: Callable[..., Computed]
    valid: Callable[..., bool]
    summary: str

    def __call__(self, **params: Any) -> Computed:
        return self.fn(**params)

    def is_valid(self, **params: Any) -> bool:
        return bool(self.valid(**params))

    @property
    def required(self) -> frozenset[str]:
        """Argument names without a default."""
        sig = inspect.signature(self.fn)
        return frozenset(n for n, p in sig.parameters.items() if p.default is inspect.Parameter.empty)

    @property
    def accepted(self) -> frozenset[str]:
        """Every argument name the calculator takes."""
        return frozenset(inspect.signature(self.fn).parameters)


CALCULATORS: dict[str, Calculator] = {}
"""Every registered calculator by name; complete once :mod:`questions.calc` is imported."""


def _always(**_: Any) -> bool:
    """always valid"""
    return True


_Fn = Callable[..., Computed]


def register(kind: Kind, valid: Callable[..., bool] = _always) -> Callable[[_Fn], _Fn]:
    """Decorator: file ``fn`` in :data:`CALCULATORS` as ``fn.__name__``, its summary the docstring's first line.

    ``valid`` takes the same keywords and says whether they make sense (its docstring states the condition, which
    a template whose ranges never meet it is told about).
    """

    def deco(fn: _Fn) -> _Fn:
        summary = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
        CALCULATORS[fn.__name__] = Calculator(fn.__name__, kind, fn, valid, summary)
        return fn

    return deco


def fmt(x: Answer) -> str:
    """An answer as people write it: ints with thousands separators, floats to 6 significant figures."""
    if isinstance(x, tuple):
        return "(" + ", ".join(str(d) for d in x) + ("," if len(x) == 1 else "") + ")"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return f"{x:,}"
    if abs(x) < 1e15 and x == int(x):
        return f"{int(x):,}"
    return f"{x:.6g}"


# ---- helpers shared by the shape and the parameter/FLOP calculators --------------------------------------------


def conv_size(H: int, k: int, s: int, p: int, d: int = 1) -> int:
    """One spatial output size of a convolution or pooling window: (H + 2p − d·(k − 1) − 1) // s + 1."""
    return (H + 2 * p - d * (k - 1) - 1) // s + 1


def conv_line(name: str, H: int, k: int, s: int, p: int, d: int = 1) -> str:
    """The working line for :func:`conv_size`, e.g. ``H_out = (32 + 2*1 - 3) // 2 + 1 = 16``."""
    if d == 1:
        return f"{name} = ({H} + 2*{p} - {k}) // {s} + 1 = {conv_size(H, k, s, p)}"
    return f"{name} = ({H} + 2*{p} - {d}*({k} - 1) - 1) // {s} + 1 = {conv_size(H, k, s, p, d)}"


def window_fits(*, H: int, W: int, k: int, p: int = 0, **_: Any) -> bool:
    """the window fits: H + 2p >= k and W + 2p >= k"""
    return H + 2 * p >= k and W + 2 * p >= k


def heads_ok(*, d_model: int, h: int, **_: Any) -> bool:
    """d_model divisible by the number of heads h"""
    return h >= 1 and d_model % h == 0
