"""Drawing a parameterised item's parameters, rendering its prompt and computing its answer.

``draw(item, seed)`` is deterministic: the same item and seed give the same parameters, prompt and answer.
Each parameter is drawn uniformly from its IntRange (``choices``, or ``min..max`` in ``step``s) with
``random.Random(seed)``; the whole set is re-drawn until the calculator's validity predicate holds, at most
``MAX_ATTEMPTS`` times, after which :class:`DrawError` says which condition could not be met.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass

from questions.calc import CALCULATORS, Answer, Calculator, Value, fmt
from questions.schema import PLACEHOLDER, IntRange, Parameterised

MAX_ATTEMPTS = 1000


class DrawError(ValueError):
    """No valid parameters could be drawn, or the calculator failed on them."""


@dataclass(frozen=True)
class Draw:
    """One instance of a parameterised item."""

    item_id: str
    seed: int | None
    params: dict[str, Value]
    """Drawn parameters and the template's fixed values, as passed to the calculator."""
    prompt: str
    answer: Answer
    working: str

    @property
    def expected(self) -> str:
        return fmt(self.answer)


def draw_value(spec: IntRange, rng: random.Random) -> int:
    if spec.choices is not None:
        return rng.choice(spec.choices)
    assert spec.min is not None and spec.max is not None  # guaranteed by IntRange's validator
    return rng.choice(range(spec.min, spec.max + 1, spec.step))


def render(prompt: str, values: Mapping[str, Value]) -> str:
    """Replace each ``{name}`` whose name is known; leave other braces alone."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        return _show(values[name]) if name in values else m.group(0)

    return PLACEHOLDER.sub(sub, prompt)


def _show(v: Value) -> str:
    if isinstance(v, bool | str):
        return str(v)
    if isinstance(v, int):
        return str(v)
    return f"{v:g}"


def calculator_for(item: Parameterised) -> Calculator:
    calc = CALCULATORS.get(item.calculator)
    if calc is None:  # the schema already rejects this; kept for items built without validation
        raise DrawError(f"{item.id}: unknown calculator {item.calculator!r}")
    return calc


def compute(item: Parameterised, params: Mapping[str, Value], *, seed: int | None = None) -> Draw:
    """The item's answer for given parameter values (the fixed values are added here)."""
    calc = calculator_for(item)
    values: dict[str, Value] = {**item.fixed, **params}
    missing = set(item.params) - set(values)
    if missing:
        raise DrawError(f"{item.id}: parameters {sorted(missing)} are missing")
    try:
        if not calc.is_valid(**values):
            raise DrawError(f"{item.id}: parameters {values} fail the validity condition of {calc.name!r}")
        result = calc(**values)
    except DrawError:
        raise
    except (TypeError, ValueError, ArithmeticError, KeyError) as e:
        raise DrawError(f"{item.id}: calculator {calc.name!r} failed on {values}: {e}") from e
    return Draw(item.id, seed, values, render(item.prompt, values), result.answer, result.working)


def draw(item: Parameterised, seed: int | None = None, *, max_attempts: int = MAX_ATTEMPTS) -> Draw:
    """Draw parameters for ``item`` (deterministic for a given seed) and compute prompt, answer and working."""
    calc = calculator_for(item)
    rng = random.Random(seed)
    for _ in range(max_attempts):
        values: dict[str, Value] = {**item.fixed}
        values.update({name: draw_value(spec, rng) for name, spec in item.params.items()})
        try:
            ok = calc.is_valid(**values)
        except (TypeError, ValueError, ArithmeticError, KeyError) as e:
            raise DrawError(f"{item.id}: validity check of {calc.name!r} failed on {values}: {e}") from e
        if ok:
            drawn = {name: values[name] for name in item.params}
            return compute(item, drawn, seed=seed)
    condition = (calc.valid.__doc__ or calc.valid.__name__).strip()
    raise DrawError(
        f"{item.id}: no valid parameters for {calc.name!r} in {max_attempts} draws (condition {condition}); "
        "widen or correct the ranges"
    )
