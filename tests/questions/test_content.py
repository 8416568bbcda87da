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
