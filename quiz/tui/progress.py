"""The TUI's port to the progress store: attempts, reviews, drafts, submissions and statistics.

:class:`StoreProgress` adapts ``quiz.store.Store`` (+ ``quiz.scheduling`` and ``quiz.progress_stats``);
:class:`MemoryProgress` keeps the same data in memory when no store is available (nothing is lost within a run).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import import_module
from pathlib import Path
from typing import Any, Protocol

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


@dataclass
class TopicRow:
    topic: str
    attempts: int
    correct: int
    mastery: float  # 0..1
    due: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.attempts if self.attempts else None


@dataclass
class StatsView:
    """What the stats screen shows, whatever computed it."""

    topics: list[TopicRow] = field(default_factory=list)
    activity: dict[date, int] = field(default_factory=dict)
    streak: int = 0
    due_next_days: list[tuple[date, int]] = field(default_factory=list)
    tasks_by_topic: dict[str, tuple[int, int]] = field(default_factory=dict)  # topic -> (solved, total)
    mock_scores: list[tuple[datetime, float]] = field(default_factory=list)
    today: date | None = None


class Progress(Protocol):
    """What the screens need from the store."""

    def record_attempt(
        self, item: Any, *, correct: bool | None, rating: int | None, seconds: float, answer: str
    ) -> None: ...

    def due_ids(self) -> list[str]: ...

    def streak(self) -> int: ...

    def topic_accuracy(self) -> dict[str, float]: ...

    def save_draft(self, task_id: str, code: str) -> None: ...

    def load_draft(self, task_id: str) -> str | None: ...

    def record_submission(self, task_id: str, code: str, report: Any, *, visible_only: bool) -> None: ...

    def task_statuses(self) -> dict[str, str]: ...

    def stats(self, task_topics: dict[str, str] | None = None) -> StatsView: ...


def default_rating(correct: bool) -> int:
    """Auto-graded items map to a review rating: right is Good, wrong is Again."""
    return 3 if correct else 1


def streak_from(days: set[date], today: date) -> int:
    """Consecutive days with activity ending today (or yesterday, if today has none yet)."""
    day = today if today in days else today - timedelta(days=1)
    n = 0
    while day in days:
        n += 1
        day -= timedelta(days=1)
    return n


class MemoryProgress:
    """Progress kept in memory: used when no store is available, and by tests."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.attempts: list[dict[str, Any]] = []
        self.due: dict[str, datetime] = {}
        self.drafts: dict[str, str] = {}
        self.submissions: list[dict[str, Any]] = []
        self.mock_scores: list[tuple[datetime, float]] = []

    def record_attempt(
        self, item: Any, *, correct: bool | None, rating: int | None, seconds: float, answer: str
    ) -> None:
        when = self.now()
        r = rating if rating is not None else default_rating(bool(correct))
        self.attempts.append({"item": item.id, "topic": item.topic, "correct": correct, "rating": r,
                              "seconds": seconds, "answer": answer, "at": when})
        interval = {1: timedelta(minutes=10), 2: timedelta(days=1), 3: timedelta(days=3), 4: timedelta(days=7)}[r]
        self.due[item.id] = when + interval

    def due_ids(self) -> list[str]:
        now = self.now()
        return sorted((i for i, d in self.due.items() if d <= now), key=lambda i: self.due[i])

    def streak(self) -> int:
        return streak_from({a["at"].date() for a in self.attempts}, self.now().date())

    def topic_accuracy(self) -> dict[str, float]:
        seen: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for a in self.attempts:
            seen[a["topic"]] += 1
            right[a["topic"]] += bool(a["correct"]) or a["rating"] >= 3
        return {t: right[t] / seen[t] for t in seen}

    def save_draft(self, task_id: str, code: str) -> None:
        self.drafts[task_id] = code

    def load_draft(self, task_id: str) -> str | None:
        return self.drafts.get(task_id)

    def record_submission(self, task_id: str, code: str, report: Any, *, visible_only: bool) -> None:
        self.submissions.append({"task": task_id, "passed": bool(report.passed) and not visible_only,
                                 "visible_only": visible_only, "at": self.now()})

    def task_statuses(self) -> dict[str, str]:
        status: dict[str, str] = {}
        for s in self.submissions:
            if s["passed"]:
                status[s["task"]] = "solved"
            else:
                status.setdefault(s["task"], "attempted")
        return status

    def stats(self, task_topics: dict[str, str] | None = None) -> StatsView:
        today = self.now().date()
        acc = self.topic_accuracy()
        seen = Counter(a["topic"] for a in self.attempts)
        rows = [TopicRow(t, seen[t], round(acc[t] * seen[t]), acc[t]) for t in sorted(seen)]
        activity: Counter[date] = Counter(a["at"].date() for a in self.attempts)
        upcoming: Counter[date] = Counter(d.date() for d in self.due.values())
        statuses = self.task_statuses()
        by_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for task_id, topic in (task_topics or {}).items():
            by_topic[topic][1] += 1
            by_topic[topic][0] += statuses.get(task_id) == "solved"
        return StatsView(
            topics=rows, activity=dict(activity), streak=self.streak(),
            due_next_days=[(today + timedelta(days=i), upcoming.get(today + timedelta(days=i), 0)) for i in range(7)],
            tasks_by_topic={t: (v[0], v[1]) for t, v in by_topic.items()},
            mock_scores=list(self.mock_scores), today=today,
        )


class StoreProgress(MemoryProgress):
    """Adapter over ``quiz.store.Store``; raises ``Unavailable`` when the store is not built/installed."""

    def __init__(self, store: Any, now: Callable[[], datetime]) -> None:
        super().__init__(now)
        self.store = store

    @classmethod
    def open(cls, db: str | Path | None, now: Callable[[], datetime]) -> StoreProgress:
        from quiz.tui.services import Unavailable

        try:
            store_cls = import_module("quiz.store").Store
        except (ImportError, AttributeError) as e:
            raise Unavailable(f"quiz.store is not available ({e})") from e
        return cls(store_cls.open(db) if hasattr(store_cls, "open") else store_cls(db), now)
