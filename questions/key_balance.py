"""Deck-level checks that multiple-choice keys give nothing away: not always in one position, not usually longest.

A candidate who learns that the key is "usually option 1" or "usually the longest" can score without knowing the
answer. The app shuffles choices per presentation, but a deck file is also read and printed as it is, so each deck
is held to three rules:

- no position holds more than ``MAX_SHARE`` of the single-answer keys;
- the key is strictly the longest choice in at most ``MAX_SHARE`` of the single-answer items;
- in at most ``MAX_SHARE`` of the multi-answer items are the keys exactly the first choices (a, b, ...).

In a deck with few such items, one item per position (or one longest key) is always allowed: with two items, one
in a position is already 50%.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from questions.loader import NO_ID, Bank, Problem, display_path
from questions.schema import MultipleChoice

MAX_SHARE = 0.4


def allowed(n: int) -> float:
    """How many of ``n`` single-answer items may share a key position (or have the longest key)."""
    return max(1.0, MAX_SHARE * n)


def key_index(item: MultipleChoice) -> int:
    """The position (0-based) of a single-answer item's key."""
    return next(n for n, c in enumerate(item.choices) if c.correct)


def key_is_longest(item: MultipleChoice) -> bool:
    """True when the key is strictly longer than every other choice (a tie gives no hint)."""
    key = key_index(item)
    length = len(item.choices[key].text.strip())
    return all(length > len(c.text.strip()) for n, c in enumerate(item.choices) if n != key)


def keyed_from_the_top(item: MultipleChoice) -> bool:
    """True when the correct choices are exactly the first ones (a, b, ...)."""
    keys = sum(c.correct for c in item.choices)
    return all(c.correct for c in item.choices[:keys])


def deck_problems(shown: str, items: Iterable[MultipleChoice]) -> list[Problem]:
    """The rule breaches of one deck's multiple-choice items (empty when the deck is fine)."""
    items = list(items)
    found = _multi_answer_problems(shown, [i for i in items if i.multiple])
    single = [i for i in items if not i.multiple]
    n = len(single)
    if not n:
        return found
    limit = allowed(n)
    position, count = Counter(key_index(i) for i in single).most_common(1)[0]
    if count > limit:
        found.append(Problem(shown, NO_ID, "choices", (
            f"{count} of {n} single-answer keys are choice {position + 1} (more than {MAX_SHARE:.0%}); "
            "move some keys to other positions")))
    longest = sum(key_is_longest(i) for i in single)
    if longest > limit:
        found.append(Problem(shown, NO_ID, "choices", (
            f"in {longest} of {n} single-answer items the key is the longest choice (more than {MAX_SHARE:.0%}); "
            "shorten keys or lengthen distractors")))
    return found


def _multi_answer_problems(shown: str, multi: list[MultipleChoice]) -> list[Problem]:
    top = sum(keyed_from_the_top(i) for i in multi)
    if multi and top > allowed(len(multi)):
        return [Problem(shown, NO_ID, "choices", (
            f"in {top} of {len(multi)} multi-answer items the keys are the first choices (more than "
            f"{MAX_SHARE:.0%}); move some keys down"))]
    return []


def key_balance_warnings(bank: Bank) -> list[Problem]:
    """Per deck file of ``bank``, the breaches of the key-position and key-length rules."""
    by_file: dict[Path, list[MultipleChoice]] = defaultdict(list)
    for item in bank:
        if isinstance(item, MultipleChoice):
            by_file[bank.sources[item.id]].append(item)
    warnings: list[Problem] = []
    for path in bank.files:
        warnings.extend(deck_problems(display_path(path), by_file.get(path, [])))
    return warnings
