"""The second-edition deck files (issue 15): multiple-choice keys spread across positions and lengths in each new
file, and every topic with at least 25 items. (Their fixed answers are recomputed in test_new_answers.py.)"""

from __future__ import annotations

from collections import Counter

import pytest

from questions.loader import BANK_DIR, Bank
from questions.schema import TOPICS, MultipleChoice

NEW_STEMS = {
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
    "forward_llm",
    "optimiser_memory",
    "shapes_layers_modern",
    "margin_items",
}
NEW_FILES = sorted(f"{stem}.toml" for stem in NEW_STEMS)


def _items_of(bank: Bank, name: str) -> list[MultipleChoice]:
    return [i for i in bank if isinstance(i, MultipleChoice) and bank.sources[i.id] == BANK_DIR / name]


@pytest.mark.parametrize("name", NEW_FILES)
def test_single_answer_keys_are_spread_across_positions_and_lengths(bank: Bank, name: str) -> None:
    single = [i for i in _items_of(bank, name) if not i.multiple]
    if not single:
        pytest.skip(f"{name} has no single-answer multiple-choice items")
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


def test_every_new_deck_file_is_listed_and_loads(bank: Bank) -> None:
    assert len(NEW_FILES) == len(NEW_STEMS)
    loaded = {p.name for p in bank.sources.values()}
    assert set(NEW_FILES) <= loaded


def test_a_topic_can_span_several_deck_files(bank: Bank) -> None:
    files = {bank.sources[i.id].name for i in bank if i.topic == "losses"}
    assert {"losses.toml", "distillation_contrastive.toml", "class_imbalance.toml"} <= files
