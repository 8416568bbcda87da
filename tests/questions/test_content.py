"""Rules for the built-in content as a whole (issue 3)."""

from __future__ import annotations

from collections import Counter

from questions.loader import Bank
from questions.schema import AUTO_GRADED, TOPICS, Parameterised


def test_content_rules(bank: Bank) -> None:
    items = list(bank)
    assert len(items) >= 250
    for topic in TOPICS:
        mine = [i for i in items if i.topic == topic]
        assert len(mine) >= 12, f"{topic}: {len(mine)} items"
        assert {i.difficulty for i in mine} == {"easy", "medium", "hard"}, topic
    assert sum(i.type in AUTO_GRADED for i in items) >= 0.45 * len(items)
    assert sum(i.type == "parameterised" for i in items) >= 30


def test_related_tasks_name_engine_tasks(bank: Bank) -> None:
    from engine import TASK_IDS

    unknown = {(i.id, t) for i in bank for t in i.related_tasks if t not in TASK_IDS}
    assert not unknown, sorted(unknown)


def test_parameterised_templates_cover_the_syllabus(bank: Bank) -> None:
    templates = [i for i in bank if i.type == "parameterised"]
    assert len(templates) >= 34
    assert all(i.explanation.strip() for i in templates)
    by_kind = Counter(i.answer_kind for i in bank if isinstance(i, Parameterised))
    assert by_kind["numeric"] and by_kind["shape"]
    assert {i.difficulty for i in templates} == {"easy", "medium", "hard"}
    assert len({i.topic for i in templates}) >= 8


def test_flashcard_and_hard_counts_follow_the_topic(bank: Bank) -> None:
    """Not one fixed number of flashcards and hard items per topic (issue 15)."""
    flashcards = Counter(i.topic for i in bank if i.type == "flashcard")
    hard = Counter(i.topic for i in bank if i.difficulty == "hard")
    assert len(set(flashcards.values())) >= 3, flashcards
    assert len(set(hard.values())) >= 3, hard


def test_fixed_items_match_their_source_of_truth(bank: Bank) -> None:
    """Items of issue 15 whose fix is a number or a stated convention, recomputed here."""
    import math

    from questions.schema import Numeric

    xavier = bank.get("initialisation.xavier-uniform-bound")
    assert isinstance(xavier, Numeric) and "gain 1" in xavier.prompt
    assert math.isclose(xavier.answer, math.sqrt(6 / (300 + 100)), rel_tol=1e-4)
    assert "0.204" in xavier.explanation and math.isclose(5 / 3 * xavier.answer, 0.204, abs_tol=5e-4)
    decay = bank.get("initialisation.lecun-relu-decay")
    assert isinstance(decay, Numeric) and decay.answer == 2.0**-10 and decay.prompt.count("?") == 1
    kv = bank.get("param.kv-cache")
    assert kv is not None and "standard multi-head attention" in kv.prompt
    for flops_card in ("flops_params_memory.linear-params-flops", "flops_params_memory.conv-params-flops"):
        card = bank.get(flops_card)
        assert card is not None and "multiply-add as 2 FLOPs" in card.prompt
    lstm = bank.get("param.lstm-params")
    assert lstm is not None and "three gates (input, forget, output)" in lstm.explanation
    assert "two gates (reset, update)" in lstm.explanation
