"""The TUI's port to the progress store: attempts, reviews, drafts, submissions and statistics.

:class:`StoreProgress` adapts ``quiz.store.Store`` (+ ``quiz.scheduling`` and ``quiz.progress_stats``);
:class:`MemoryProgress` keeps the same data in memory when the database cannot be used: nothing is lost within a run,
everything at exit (the screens say so: ``quiz.tui.widgets.unsaved``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from importlib import import_module
from pathlib import Path
from typing import Any, Protocol

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
# Without the store (no FSRS state kept), fixed intervals per rating.
MEMORY_INTERVALS = {1: timedelta(minutes=10), 2: timedelta(days=1), 3: timedelta(days=3), 4: timedelta(days=7)}


class Progress(Protocol):
    """What the screens need from the store."""

    def record_attempt(
        self, item: Any, *, correct: bool | None, rating: int | None, seconds: float, answer: str
    ) -> None: ...

    def due_ids(self) -> list[str]: ...

    def next_intervals(self, item: Any) -> dict[int, str]: ...

    def leech_ids(self) -> list[str]: ...

    def streak(self) -> int: ...

    def topic_accuracy(self) -> dict[str, float]: ...

    def save_draft(self, task_id: str, code: str) -> None: ...

    def load_draft(self, task_id: str) -> str | None: ...

    def record_submission(self, task_id: str, code: str, report: Any, *, visible_only: bool) -> None: ...

    def task_statuses(self) -> dict[str, str]: ...

    def stats(self, item_topics: dict[str, str], task_topics: dict[str, str]) -> Any: ...


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
        self.due[item.id] = when + MEMORY_INTERVALS[r]

    def next_intervals(self, item: Any) -> dict[int, str]:
        from quiz.scheduling import interval_text

        return {r: interval_text(d) for r, d in MEMORY_INTERVALS.items()}

    def leech_ids(self) -> list[str]:
        """Items failed (rated Again) as often as the store's leech threshold, as the store flags them."""
        from quiz.store import LEECH_THRESHOLD

        failures: Counter[str] = Counter(a["item"] for a in self.attempts if a["rating"] == 1)
        return sorted(i for i, n in failures.items() if n >= LEECH_THRESHOLD)

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

    def stats(self, item_topics: dict[str, str], task_topics: dict[str, str]) -> Any:
        from quiz.tui.services import Unavailable

        raise Unavailable("statistics are kept in the progress database, which could not be opened (see the line "
                          "at the top of the screen); this run's answers are kept until you quit")


class StoreProgress:
    """Adapter over ``quiz.store.Store`` (thread-safe), ``quiz.scheduling`` and ``quiz.progress_stats``."""

    def __init__(self, store: Any, now: Callable[[], datetime]) -> None:
        self.store = store
        self.now = now
        self.session_id: str | None = None

    @classmethod
    def open(cls, db: str | Path | None, now: Callable[[], datetime]) -> StoreProgress:
        from quiz.tui.services import Unavailable

        try:
            store_module = import_module("quiz.store")
        except ImportError as e:
            raise Unavailable(f"quiz.store is not available ({e})") from e
        try:
            return cls(store_module.Store(db), now)
        except store_module.StoreError as e:  # the one-line message the CLI commands print too
            raise Unavailable(str(e)) from None

    def _utc(self) -> datetime:
        return self.now().astimezone(UTC)

    def start_session(self, mode: str, meta: dict[str, Any]) -> None:
        self.session_id = self.store.start_practice_session(mode, meta=meta, at=self._utc()).id

    def end_session(self) -> None:
        if self.session_id is not None:
            self.store.end_practice_session(self.session_id, at=self._utc())
            self.session_id = None

    def record_attempt(
        self, item: Any, *, correct: bool | None, rating: int | None, seconds: float, answer: str
    ) -> None:
        from quiz import scheduling

        scheduling.record_answer(
            self.store, item.id, now=self._utc(), correct=correct, rating=rating, seconds=seconds,
            estimated_seconds=getattr(item, "seconds", None), answer=answer, session_id=self.session_id,
        )

    def due_ids(self) -> list[str]:
        return [s.item_id for s in self.store.due_review_states(self._utc())]

    def next_intervals(self, item: Any) -> dict[int, str]:
        """What each rating would schedule, from fsrs's scheduler on the item's current card."""
        from quiz import scheduling

        state = self.store.get_review_state(item.id)
        previews = scheduling.preview_intervals(state, item.id, self._utc())
        return {r: scheduling.interval_text(d) for r, d in previews.items()}

    def leech_ids(self) -> list[str]:
        from quiz import scheduling

        return scheduling.leeches(self.store)

    def streak(self) -> int:
        tz = self.now().tzinfo
        days = {t.astimezone(tz).date() for t in self.store.attempt_times()}
        return streak_from(days, self.now().date())

    def topic_accuracy(self) -> dict[str, float]:
        return {}

    def save_draft(self, task_id: str, code: str) -> None:
        self.store.save_draft(task_id, code, at=self._utc())

    def load_draft(self, task_id: str) -> str | None:
        draft = self.store.get_draft(task_id)
        return None if draft is None else str(draft.source)

    def record_submission(self, task_id: str, code: str, report: Any, *, visible_only: bool) -> None:
        if visible_only:
            return  # running the examples is practice, not a submission
        at = self._utc()
        self.store.save_report(report, code, at=at)
        self.store.record_attempt(task_id, "task", answer=code, correct=bool(report.passed),
                                  seconds=float(report.seconds), at=at)

    def task_statuses(self) -> dict[str, str]:
        status = {r.task_id: "attempted" for r in self.store.reports()}
        status.update({t: "solved" for t in self.store.solved_task_ids()})
        return status

    def stats(self, item_topics: dict[str, str], task_topics: dict[str, str]) -> Any:
        from quiz.progress_stats import compute_stats

        return compute_stats(self.store, item_topics, task_topics, self._utc(), self.now().tzinfo or UTC)
