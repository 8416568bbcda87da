"""The order in which a multiple-choice item's choices are shown: shuffled per presentation, reproducibly.

An order is a list ``order`` with ``order[k]`` the bank index (0-based) of the choice shown at position ``k``.
Everything the candidate sees and types uses the shown numbering (1-based positions); the bank numbering stays
inside the checking. The order is recorded with the answer so a report can show what the candidate saw.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence


def shuffled_order(n: int, seed: int | str) -> list[int]:
    """A permutation of ``range(n)`` that depends only on ``seed`` (an int or a string such as ``"7:item-id"``)."""
    order = list(range(n))
    random.Random(str(seed)).shuffle(order)
    return order


def to_bank(shown: Iterable[int], order: Sequence[int]) -> set[int]:
    """Bank indices of the choices at the shown positions ``shown`` (0-based)."""
    return {order[k] for k in shown if 0 <= k < len(order)}


def to_shown(bank: Iterable[int], order: Sequence[int]) -> set[int]:
    """Shown positions (0-based) of the choices with bank indices ``bank``."""
    where = {b: k for k, b in enumerate(order)}
    return {where[b] for b in bank if b in where}


def numbers(positions: Iterable[int]) -> str:
    """0-based positions as the 1-based numbers a person reads: ``{0, 2}`` -> ``"1,3"``."""
    return ",".join(str(k + 1) for k in sorted(positions))


def parse_numbers(text: str) -> set[int]:
    """0-based positions from 1-based numbers in ``text`` (``"1,3"`` -> ``{0, 2}``); other characters are ignored."""
    return {int(t) - 1 for t in re.findall(r"\d+", text) if len(t) < 4 and int(t) > 0}


def order_note(order: Sequence[int]) -> str:
    """How an attempt records the order shown: the bank number (1-based) of each shown choice, in shown order."""
    return f"[shown order {','.join(str(b + 1) for b in order)}]"
