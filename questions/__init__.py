"""Everything a person reads: the question bank and the coding tasks' texts, with their schema and loader.

Public API (imported lazily, so ``import questions`` costs nothing until a name is used)::

    load_bank(extra_paths=(), *, include_user_dir=True) -> Bank      # items + problems
    load_task_texts() -> dict[str, TaskText]
    check_answer(item, raw_text, params=None) -> CheckResult
    draw(item, seed=None) -> Draw                                     # a parameterised item's instance
    TOPICS, the item models (Flashcard, MultipleChoice, Numeric, ShapeItem, Parameterised, Item, Deck, TaskText)

This package imports nothing else of nnprep.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from questions.calc import CALCULATORS, Calculator, Computed
    from questions.checking import CheckResult, check_answer
    from questions.loader import Bank, Problem, load_bank, load_task_texts, user_deck_dir
    from questions.params import Draw, DrawError, draw
    from questions.schema import (
        AUTO_GRADED,
        TOPICS,
        Choice,
        Deck,
        Flashcard,
        IntRange,
        Item,
        MultipleChoice,
        Numeric,
        Parameterised,
        ShapeItem,
        TaskText,
        Tolerance,
    )

_EXPORTS: dict[str, str] = {
    "CALCULATORS": "questions.calc",
    "Calculator": "questions.calc",
    "Computed": "questions.calc",
    "CheckResult": "questions.checking",
    "check_answer": "questions.checking",
    "Bank": "questions.loader",
    "Problem": "questions.loader",
    "load_bank": "questions.loader",
    "load_task_texts": "questions.loader",
    "user_deck_dir": "questions.loader",
    "Draw": "questions.params",
    "DrawError": "questions.params",
    "draw": "questions.params",
    **{
        name: "questions.schema"
        for name in (
            "AUTO_GRADED",
            "TOPICS",
            "Choice",
            "Deck",
            "Flashcard",
            "IntRange",
            "Item",
            "MultipleChoice",
            "Numeric",
            "Parameterised",
            "ShapeItem",
            "TaskText",
            "Tolerance",
        )
    },
}

__all__ = [
    "AUTO_GRADED",
    "CALCULATORS",
    "TOPICS",
    "Bank",
    "Calculator",
    "CheckResult",
    "Choice",
    "Computed",
    "Deck",
    "Draw",
    "DrawError",
    "Flashcard",
    "IntRange",
    "Item",
    "MultipleChoice",
    "Numeric",
    "Parameterised",
    "Problem",
    "ShapeItem",
    "TaskText",
    "Tolerance",
    "check_answer",
    "draw",
    "load_bank",
    "load_task_texts",
    "user_deck_dir",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'questions' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
