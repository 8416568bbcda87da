"""Checking a typed answer against an auto-gradable item. Never raises on what a person types.

Accepted answer formats:

- **mcq** — choices by number (1-based: ``2``) or letter (``b``), several separated by commas, spaces, ``and``,
  ``&`` or ``+`` (``1,3``, ``a c``, ``b and d``); a run of letters (``ac``) works too, as does the exact text of a
  single choice. A multi-answer mcq is right only with exactly the correct set.
- **numeric** — numbers, arithmetic, magnitudes (``7B``, ``7bn``, ``3.5k``) and units converted to the item's
  unit, as the grammar in :mod:`questions.answer_parser` says; within the item's tolerance (plus 10⁻⁹ relative
  slack for rounding in floating point).
- **shape** — ``(32, 64)``, ``[32, 64]``, ``32x64``, ``32 by 64``, ``torch.Size([32, 64])``, ``(64, 64*8*8)``,
  ``(32,)`` for one axis and ``()`` for a scalar (:mod:`questions.answer_parser`).
- **parameterised** — as numeric or shape (the template's ``answer_kind``), against the calculator's answer for the
  given parameters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from questions.answer_parser import ParseError, parse_number, parse_shape
from questions.calc import Value, fmt
from questions.params import Draw, DrawError, compute
from questions.schema import Flashcard, MultipleChoice, Numeric, Parameterised, ShapeItem, Tolerance

AnyItem = Flashcard | MultipleChoice | Numeric | ShapeItem | Parameterised
SLACK = 1e-9


@dataclass(frozen=True)
class CheckResult:
    correct: bool
    feedback: str
    expected: str
    working: str | None = None


def check_answer(item: AnyItem, raw_text: str, params: Mapping[str, Value] | Draw | None = None) -> CheckResult:
    """Check ``raw_text`` against ``item``; for a parameterised item ``params`` (or a Draw) is required.

    Flashcards are self-rated: the result is not correct and says so, with the model answer as ``expected``.
    """
    raw = raw_text if isinstance(raw_text, str) else str(raw_text)
    if isinstance(item, Flashcard):
        return CheckResult(False, "Flashcards are self-rated: compare with the model answer.", item.answer)
    if isinstance(item, MultipleChoice):
        return _check_mcq(item, raw)
    if isinstance(item, Numeric):
        return _check_number(raw, item.answer, item.tolerance, item.unit, None)
    if isinstance(item, ShapeItem):
        return _check_shape(raw, tuple(item.answer), None)
    if params is None:
        raise ValueError(f"{item.id} is parameterised: pass the drawn params (or the Draw) to check an answer")
    try:
        drawn = params if isinstance(params, Draw) else compute(item, params)
    except DrawError as e:
        raise ValueError(str(e)) from e
    if isinstance(drawn.answer, tuple):
        return _check_shape(raw, drawn.answer, drawn.working)
    return _check_number(raw, drawn.answer, item.tolerance, item.unit, drawn.working)


# ---- multiple choice ----------------------------------------------------------------------------------------

LETTERS = "abcdefghij"


def parse_choices(raw: str, n: int, texts: list[str] | None = None) -> set[int]:
    """0-based indices of the chosen options; raises ParseError with a message for the person.

    Numbers and letters win over choice texts, so a choice whose text is "2" is chosen by typing its number.
    """
    s = raw.strip()
    if not s:
        raise ParseError("no answer given: type a choice number or letter, e.g. 2 or b")
    try:
        return _choice_tokens(s, n)
    except ParseError:
        for i, t in enumerate(texts or []):
            if s.casefold() == t.strip().casefold():
                return {i}
        raise


def _choice_tokens(s: str, n: int) -> set[int]:
    tokens = [t for t in re.split(r"\s*(?:,|;|&|\+|\band\b|\s)\s*", s.lower().strip("()[]{}. ")) if t]
    chosen: set[int] = set()
    for token in tokens:
        tok = token.strip(").:")
        if tok.isascii() and tok.isdigit():
            k = int(tok) if len(tok) < 6 else 0
            if not 1 <= k <= n:
                raise ParseError(f"there is no choice {tok}: choose from 1 to {n}")
            chosen.add(k - 1)
        elif tok.isascii() and tok.isalpha() and all(c in LETTERS for c in tok):
            for c in tok:
                k = LETTERS.index(c)
                if k >= n:
                    raise ParseError(f"there is no choice {c!r}: choose from a to {LETTERS[n - 1]}")
                chosen.add(k)
        else:
            raise ParseError(f"could not read a choice from {tok!r}: type numbers (1, 3) or letters (a, c)")
    if not chosen:
        raise ParseError(f"could not read a choice from {s!r}")
    return chosen


def _label(i: int) -> str:
    return f"{LETTERS[i]}"


def _check_mcq(item: MultipleChoice, raw: str) -> CheckResult:
    right = {i for i, c in enumerate(item.choices) if c.correct}
    expected = "; ".join(f"{_label(i)}) {item.choices[i].text}" for i in sorted(right))
    try:
        chosen = parse_choices(raw, len(item.choices), [c.text for c in item.choices])
    except ParseError as e:
        return CheckResult(False, str(e), expected)
    if chosen == right:
        extra = " (all of them)" if len(right) > 1 else ""
        return CheckResult(True, f"Correct{extra}.", expected)
    notes: list[str] = []
    if len(right) > 1 and len(chosen) == 1 and chosen <= right:
        notes.append(f"{_label(next(iter(chosen)))} is right, but more than one choice is correct.")
    else:
        missing, wrong = right - chosen, chosen - right
        if wrong:
            for i in sorted(wrong):
                why = item.choices[i].why.strip()
                notes.append(f"{_label(i)} is wrong" + (f": {why}" if why else "."))
        if missing:
            notes.append("missed: " + ", ".join(_label(i) for i in sorted(missing)) + ".")
    return CheckResult(False, " ".join(notes), expected)


# ---- numbers ------------------------------------------------------------------------------------------------


def within(got: float, expected: float, tol: Tolerance) -> bool:
    diff = abs(got - expected)
    slack = SLACK * max(abs(expected), 1e-300)
    if tol.kind == "abs":
        return diff <= tol.value + slack
    return diff <= tol.value * abs(expected) + slack


def _tolerance_text(tol: Tolerance) -> str:
    if tol.value == 0:
        return "exactly"
    return f"within ±{tol.value:g}" if tol.kind == "abs" else f"within {tol.value * 100:g}%"


def _check_number(raw: str, answer: float, tol: Tolerance, unit: str | None, working: str | None) -> CheckResult:
    expected = fmt(answer) + (f" {unit}" if unit else "")
    try:
        got = parse_number(raw, unit)
    except ParseError as e:
        return CheckResult(False, str(e), expected, working)
    if within(got, answer, tol):
        return CheckResult(True, "Correct.", expected, working)
    feedback = f"You gave {fmt(got)}; expected {expected} ({_tolerance_text(tol)})."
    hint = _factor_hint(got, answer)
    if hint:
        feedback += " " + hint
    return CheckResult(False, feedback, expected, working)


def _factor_hint(got: float, expected: float) -> str:
    if got == 0 or expected == 0:
        return ""
    r = expected / got
    for factor, what in (
        (2, "a factor of 2 (FLOPs are 2 per multiply-add)"),
        (1000, "a factor of 1000 (units?)"),
        (1024, "a factor of 1024 (10^3 vs 2^10?)"),
        (1e6, "a factor of 10^6 (units?)"),
    ):
        if math.isclose(r, factor, rel_tol=1e-3):
            return f"Your answer is too small by {what}."
        if math.isclose(r, 1 / factor, rel_tol=1e-3):
            return f"Your answer is too large by {what}."
    if math.isclose(r, -1, rel_tol=1e-6):
        return "The sign is wrong."
    return ""


# ---- shapes -------------------------------------------------------------------------------------------------


def _check_shape(raw: str, answer: tuple[int, ...], working: str | None) -> CheckResult:
    expected = fmt(answer)
    try:
        got = parse_shape(raw)
    except ParseError as e:
        return CheckResult(False, str(e), expected, working)
    if got == answer:
        return CheckResult(True, "Correct.", expected, working)
    if len(got) != len(answer):
        note = f"{len(got)} axes where {len(answer)} were expected"
    elif sorted(got) == sorted(answer):
        note = "the right sizes in the wrong order"
    else:
        wrong = [i for i, (g, e) in enumerate(zip(got, answer, strict=True)) if g != e]
        note = "axis " + ", ".join(str(i) for i in wrong) + (" is" if len(wrong) == 1 else " are") + " wrong"
    return CheckResult(False, f"You gave {fmt(got)}; expected {expected}: {note}.", expected, working)
