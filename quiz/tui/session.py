"""A practice session without the UI: which items, in what order, and how each went."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Order = Literal["due", "weakest", "random"]
ORDERS: dict[str, str] = {"due": "Due first", "weakest": "Weakest topics", "random": "Random"}
DIFFICULTIES: dict[str, str] = {"any": "Any", "easy": "Easy", "medium": "Medium", "hard": "Hard"}
RELEARN_AFTER = 2  # an item answered wrongly or rated Again comes back after this many other items...
MAX_RELEARNS = 2  # ...at most this many times in one session (as Anki's relearning steps do)


@dataclass
class PracticeConfig:
    topics: frozenset[str] = frozenset()  # empty: every topic
    difficulty: str = "any"
    count: int = 10
    order: Order = "due"
    only_ids: tuple[str, ...] | None = None  # a review of exactly these items, in this order
    skip_tags: frozenset[str] = frozenset()  # leave out items with any of these tags (e.g. "api-trivia")
    mode: str = "practice"


@dataclass
class ItemResult:
    item: Any
    correct: bool | None  # None: a flashcard, self-rated
    rating: int | None
    seconds: float
    answer: str = ""
    prompt: str = ""  # the prompt as shown (a parameterised item's drawn numbers filled in)

    @property
    def good(self) -> bool:
        """Right, or a flashcard rated Hard, Good or Easy (as the stats count it)."""
        if self.correct is not None:
            return self.correct
        return (self.rating or 0) >= 2


def select_items(
    items: Sequence[Any], config: PracticeConfig, *, due_ids: Sequence[str] = (),
    accuracy: dict[str, float] | None = None, seed: int | None = None,
) -> list[Any]:
    """The items of a session: filtered by topic, difficulty and skipped tags, ordered, at most ``config.count``."""
    if config.only_ids is not None:
        by_id = {i.id: i for i in items}
        return [by_id[i] for i in config.only_ids if i in by_id][: config.count]
    pool = [
        i for i in items
        if (not config.topics or i.topic in config.topics)
        and (config.difficulty == "any" or i.difficulty == config.difficulty)
        and not config.skip_tags.intersection(i.tags)
    ]
    rng = random.Random(seed)
    rng.shuffle(pool)
    if config.order == "due":
        rank = {item_id: n for n, item_id in enumerate(due_ids)}
        pool.sort(key=lambda i: rank.get(i.id, len(rank)))
    elif config.order == "weakest":
        acc = accuracy or {}
        # Unseen topics count as weak (0.5), below well-known ones and above failing ones.
        pool.sort(key=lambda i: acc.get(i.topic, 0.5))
    return pool[: max(1, config.count)]


@dataclass
class Session:
    """The items of one practice session and the results so far."""

    items: list[Any]
    config: PracticeConfig = field(default_factory=PracticeConfig)
    results: list[ItemResult] = field(default_factory=list)

    @property
    def index(self) -> int:
        return len(self.results)

    @property
    def done(self) -> bool:
        return self.index >= len(self.items)

    @property
    def current(self) -> Any:
        return self.items[self.index]

    def record(self, result: ItemResult) -> None:
        """Keep the result; an item answered wrongly or rated Again is shown again later in the session."""
        self.results.append(result)
        if result.rating == 1 or result.correct is False:
            shown = sum(r.item.id == result.item.id for r in self.results)
            if shown <= MAX_RELEARNS:
                self.items.insert(min(len(self.items), self.index + RELEARN_AFTER), result.item)

    @property
    def first_results(self) -> list[ItemResult]:
        """The first answer to each item (the score counts these; relearning shows come after)."""
        seen: set[str] = set()
        firsts = []
        for r in self.results:
            if r.item.id not in seen:
                seen.add(r.item.id)
                firsts.append(r)
        return firsts

    @property
    def relearned(self) -> int:
        """How many answers were relearning shows of an item already answered in this session."""
        return len(self.results) - len(self.first_results)

    def by_topic(self) -> dict[str, tuple[int, int]]:
        """topic -> (good, answered), first answers only."""
        score: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in self.first_results:
            score[r.item.topic][0] += r.good
            score[r.item.topic][1] += 1
        return {t: (v[0], v[1]) for t, v in sorted(score.items())}

    def review_next(self) -> list[Any]:
        """Items answered wrongly or rated Again/Hard, worst first."""
        weak = [r for r in self.first_results if not r.good or r.rating == 2]
        weak.sort(key=lambda r: (r.good, r.rating or 0))
        return [r.item for r in weak]

    @property
    def score(self) -> tuple[int, int]:
        """(good, items answered), first answers only."""
        firsts = self.first_results
        return sum(r.good for r in firsts), len(firsts)
