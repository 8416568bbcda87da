"""Drawing a mock interview: items that cover different topics, avoid what was seen lately, reproducible by seed."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from questions.schema import MultipleChoice, Parameterised, TaskText
from quiz.choice_order import shuffled_order
from quiz.mock.presets import Preset

EntryKind = Literal["item", "task"]


class Entry(BaseModel):
    """One question of a mock: a bank item or a coding task, with the time it is suggested to take."""

    index: int
    kind: EntryKind
    ref: str = Field(description="The bank item id or the task id.")
    topic: str
    item_type: str = Field(description="flashcard, mcq, numeric, shape, parameterised or coding")
    suggested_seconds: int
    seed: int | None = Field(None, description="For parameterised items: the seed of the drawn parameters.")
    choice_order: list[int] | None = Field(
        None, description="For multiple choice: the bank index (0-based) of the choice shown at each position; "
                          "answers are recorded in the shown numbering. None: the bank's order (older mocks)."
    )


class MockPlan(BaseModel):
    preset: Preset
    seed: int
    entries: list[Entry]

    @property
    def total_seconds(self) -> int:
        return self.preset.minutes * 60


class PlanError(ValueError):
    """The bank or catalogue cannot fill the preset."""


def _spread(pool: Sequence[Any], count: int, rng: random.Random, recent: Collection[str], topic_of: Any) -> list[Any]:
    """Pick ``count`` from ``pool`` one at a time from the least-covered topic, preferring unseen ones."""
    chosen: list[Any] = []
    covered: Counter[str] = Counter()
    remaining = list(pool)
    rng.shuffle(remaining)
    while remaining and len(chosen) < count:
        fresh = [x for x in remaining if x.id not in recent] or remaining
        least = min(covered[topic_of(x)] for x in fresh)
        options = [x for x in fresh if covered[topic_of(x)] == least]
        pick = options[rng.randrange(len(options))]
        chosen.append(pick)
        covered[topic_of(pick)] += 1
        remaining.remove(pick)
    return chosen


def draw_plan(
    preset: Preset,
    items: Sequence[Any],
    tasks: Mapping[str, TaskText],
    seed: int,
    recent: Collection[str] = (),
) -> MockPlan:
    """Draw the entries of a mock. ``items`` are bank items; ``recent`` ids seen in the last sessions are avoided
    where the bank allows. The same seed, bank and recent set give the same plan."""
    rng = random.Random(seed)
    pool = [
        i
        for i in sorted(items, key=lambda i: i.id)
        if i.type in preset.item_types and (not preset.topics or i.topic in preset.topics)
    ]
    if len(pool) < preset.concept_items:
        raise PlanError(f"only {len(pool)} items match the preset {preset.name!r}; it needs {preset.concept_items}")
    concept = _spread(pool, preset.concept_items, rng, recent, lambda i: i.topic)
    coding: list[TaskText] = []
    by_id = dict(sorted(tasks.items()))
    for difficulty in preset.coding:
        options = [t for t in by_id.values() if t.difficulty == difficulty and t not in coding]
        if preset.topics:
            options = [t for t in options if t.topic in preset.topics] or options
        if not options:
            raise PlanError(f"no {difficulty} coding task is available for the preset {preset.name!r}")
        used_topics = {t.topic for t in coding}
        picked = _spread(
            [t for t in options if t.topic not in used_topics] or options, 1, rng, recent, lambda t: t.topic
        )
        coding.extend(picked)
    raw = [float(i.seconds) for i in concept] + [t.minutes * 60.0 for t in coding]
    scale = preset.minutes * 60 / sum(raw) if raw else 1.0
    entries: list[Entry] = []
    for n, item in enumerate(concept):
        entries.append(
            Entry(
                index=n,
                kind="item",
                ref=item.id,
                topic=item.topic,
                item_type=item.type,
                suggested_seconds=max(15, round(raw[n] * scale)),
                seed=rng.randrange(2**31) if isinstance(item, Parameterised) else None,
                choice_order=shuffled_order(len(item.choices), f"{seed}:{n}:{item.id}")
                if isinstance(item, MultipleChoice) else None,
            )
        )
    for m, task in enumerate(coding):
        n = len(concept) + m
        entries.append(
            Entry(
                index=n,
                kind="task",
                ref=task.id,
                topic=task.topic,
                item_type="coding",
                suggested_seconds=max(60, round(raw[n] * scale)),
            )
        )
    return MockPlan(preset=preset, seed=seed, entries=entries)
