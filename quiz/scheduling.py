"""Spaced repetition with FSRS (the ``fsrs`` package): review states, the due queue, leeches.

Ratings are Anki's: 1 Again, 2 Hard, 3 Good, 4 Easy. Free-text flashcards are rated by the user. Auto-graded items
(mcq, numeric, shape, parameterised) are rated by :func:`rating_for` with this rule:

- incorrect -> Again;
- correct in at most half the item's estimated seconds (``seconds <= EASY_FRACTION * estimate``) -> Easy;
- correct but more than twice the estimate (``seconds > HARD_FACTOR * estimate``) -> Hard;
- any other correct answer (or no timing known) -> Good.

Leeches: every Again counts as a lapse; an item reaching :data:`quiz.store.LEECH_THRESHOLD` (8) lapses is
flagged (``leech_at``) and listed by :func:`leeches` for a focused session. The flag stays until
:func:`clear_leech`.

Fuzzing is off (``Scheduler(enable_fuzzing=False)``): intervals are reproducible, which tests rely on; banks are
small enough that clustering of due dates is not a problem. Pass another ``scheduler`` to change that.
All functions take ``now`` (timezone-aware UTC) so that tests are deterministic.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal

from fsrs import Card, Rating, Scheduler
from pydantic import BaseModel

from quiz.store import LEECH_THRESHOLD, Attempt, ReviewState, Store

EASY_FRACTION = 0.5
HARD_FACTOR = 2.0

SCHEDULER = Scheduler(enable_fuzzing=False)

__all__ = [
    "EASY_FRACTION",
    "HARD_FACTOR",
    "LEECH_THRESHOLD",
    "SCHEDULER",
    "DayCount",
    "Rating",
    "card_id_for",
    "clear_leech",
    "due_count",
    "due_items",
    "due_per_day",
    "interval_text",
    "leeches",
    "new_card",
    "preview_intervals",
    "rating_for",
    "record_answer",
    "retrievability",
    "review",
]


class DayCount(BaseModel):
    """A number for one calendar day (ISO date)."""

    day: str
    count: int


def rating_for(correct: bool, seconds: float | None = None, estimated_seconds: float | None = None) -> Rating:
    """The FSRS rating for an auto-graded answer (see the module docstring for the rule)."""
    if not correct:
        return Rating.Again
    if seconds is None or not estimated_seconds or estimated_seconds <= 0:
        return Rating.Good
    if seconds <= EASY_FRACTION * estimated_seconds:
        return Rating.Easy
    if seconds > HARD_FACTOR * estimated_seconds:
        return Rating.Hard
    return Rating.Good


def card_id_for(item_id: str) -> int:
    """A stable card id derived from the item id (fsrs' default is a clock reading)."""
    return int.from_bytes(hashlib.sha256(item_id.encode()).digest()[:6], "big")


def new_card(item_id: str, now: datetime) -> Card:
    """A fresh FSRS card for an item, due ``now``."""
    return Card(card_id=card_id_for(item_id), due=now.astimezone(UTC))


def _next_state(
    item_id: str, old: ReviewState | None, rating: Rating, now: datetime, scheduler: Scheduler,
    seconds: float | None,
) -> ReviewState:
    now = now.astimezone(UTC)
    card = old.card if old is not None else new_card(item_id, now)
    duration = None if seconds is None else int(seconds * 1000)
    card, _log = scheduler.review_card(card, rating, review_datetime=now, review_duration=duration)
    lapses = (old.lapses if old else 0) + (1 if rating == Rating.Again else 0)
    leech_at = old.leech_at if old else None
    if leech_at is None and lapses >= LEECH_THRESHOLD:
        leech_at = now
    return ReviewState.from_card(item_id, card, reps=(old.reps if old else 0) + 1, lapses=lapses,
                                 leech_at=leech_at, updated_at=now)


def review(
    store: Store, item_id: str, rating: Rating | int, now: datetime, *, scheduler: Scheduler = SCHEDULER,
    seconds: float | None = None,
) -> ReviewState:
    """Apply one review to the item's card (creating it on first review), atomically, and return the new state.

    This updates the schedule only; use :func:`record_answer` to store the attempt too.
    """
    r = Rating(int(rating))
    return store.update_review_state(item_id, lambda old: _next_state(item_id, old, r, now, scheduler, seconds))


def record_answer(
    store: Store,
    item_id: str,
    *,
    now: datetime,
    correct: bool | None = None,
    rating: Rating | int | None = None,
    seconds: float | None = None,
    estimated_seconds: float | None = None,
    answer: str = "",
    session_id: str | None = None,
    scheduler: Scheduler = SCHEDULER,
    kind: Literal["item", "mock"] = "item",
    uuid: str | None = None,
) -> tuple[Attempt, ReviewState]:
    """Store an answer to a bank item and reschedule it, in one transaction (committed on return).

    Give ``rating`` for self-rated flashcards; for auto-graded items give ``correct`` (and timing) and the rating
    comes from :func:`rating_for`. ``kind`` is ``mock`` for an answer given in a mock interview: it counts and
    reschedules like any other.
    """
    if rating is None:
        if correct is None:
            raise ValueError("give a rating or whether the answer was correct")
        rating = rating_for(correct, seconds, estimated_seconds)
    r = Rating(int(rating))
    states: list[ReviewState] = []

    def update(old: ReviewState | None) -> ReviewState:
        states.append(_next_state(item_id, old, r, now, scheduler, seconds))
        return states[-1]

    attempt = store.record_attempt(item_id, kind, answer=answer, correct=correct, rating=int(r), seconds=seconds,
                                   at=now, session_id=session_id, review_update=update, uuid=uuid)
    return attempt, states[-1]


def preview_intervals(
    state: ReviewState | None, item_id: str, now: datetime, scheduler: Scheduler = SCHEDULER
) -> dict[int, timedelta]:
    """For each rating 1-4, how long until the item would be due again if rated so now (nothing is stored)."""
    now = now.astimezone(UTC)
    card = state.card if state is not None else new_card(item_id, now)
    return {int(r): scheduler.review_card(card, r, review_datetime=now)[0].due - now for r in Rating}


def interval_text(delta: timedelta) -> str:
    """A short interval as Anki shows it on its buttons: ``<1m``, ``10m``, ``3h``, ``4d``, ``2mo``, ``1.5y``."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{round(days / 30)}mo"
    return f"{days / 365:.1f}y"


def due_items(store: Store, now: datetime, limit: int | None = None) -> list[str]:
    """Ids of items due at ``now``, most overdue first (new, never-seen items are not included)."""
    return [s.item_id for s in store.due_review_states(now, limit)]


def due_count(store: Store, now: datetime) -> int:
    """How many items are due now."""
    return store.count_due(now)


def _local_midnight_after(now: datetime, tz: tzinfo, days: int) -> datetime:
    local = now.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight + timedelta(days=days)).astimezone(UTC)


def due_per_day(store: Store, now: datetime, days: int = 7, tz: tzinfo = UTC) -> list[DayCount]:
    """Items due on each of the next ``days`` calendar days (in ``tz``); today includes everything overdue."""
    today = now.astimezone(tz).date()
    counts = [0] * days
    for due in store.due_times(_local_midnight_after(now, tz, days) - timedelta(microseconds=1)):
        index = max(0, (due.astimezone(tz).date() - today).days)
        if index < days:
            counts[index] += 1
    return [DayCount(day=(today + timedelta(days=i)).isoformat(), count=c) for i, c in enumerate(counts)]


def leeches(store: Store) -> list[str]:
    """Ids of items flagged as leeches (failed 8 times or more), most lapses first."""
    return [s.item_id for s in store.leech_states()]


def clear_leech(store: Store, item_id: str, now: datetime) -> None:
    """Unflag a leech after the user rewrote or re-learnt it; its lapse count restarts at zero."""

    def clear(old: ReviewState | None) -> ReviewState:
        if old is None:
            raise KeyError(item_id)
        return old.model_copy(update={"leech_at": None, "lapses": 0, "updated_at": now.astimezone(UTC)})

    if store.get_review_state(item_id) is not None:
        store.update_review_state(item_id, clear)


def retrievability(state: ReviewState, now: datetime, scheduler: Scheduler = SCHEDULER) -> float:
    """Predicted probability of recalling the item at ``now`` (0 for a card never reviewed)."""
    return float(scheduler.get_card_retrievability(state.card, now.astimezone(UTC)))
