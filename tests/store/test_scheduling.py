"""FSRS scheduling: the rating rule, reviews, the due queue, per-day counts and leeches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Rating, Scheduler

from quiz import scheduling
from quiz.store import LEECH_THRESHOLD, Store
from tests.store.conftest import NOW


@pytest.mark.parametrize(
    ("correct", "seconds", "estimate", "expected"),
    [
        (False, 5, 60, Rating.Again),
        (False, None, None, Rating.Again),
        (True, 30, 60, Rating.Easy),  # at most half the estimate
        (True, 31, 60, Rating.Good),
        (True, 120, 60, Rating.Good),  # up to twice the estimate
        (True, 121, 60, Rating.Hard),  # more than twice
        (True, None, 60, Rating.Good),
        (True, 10, None, Rating.Good),
    ],
)
def test_rating_rule(correct: bool, seconds: float | None, estimate: float | None, expected: Rating) -> None:
    assert scheduling.rating_for(correct, seconds, estimate) == expected


def test_review_matches_fsrs_and_is_deterministic(store: Store) -> None:
    reference = Scheduler(enable_fuzzing=False)
    card = scheduling.new_card("a.q", NOW)
    times = [NOW, NOW + timedelta(minutes=10), NOW + timedelta(days=2), NOW + timedelta(days=9)]
    ratings = [Rating.Good, Rating.Good, Rating.Again, Rating.Easy]
    for when, rating in zip(times, ratings, strict=True):
        state = scheduling.review(store, "a.q", rating, when)
        card, _ = reference.review_card(card, rating, review_datetime=when)
        assert state.card == card
    final = store.get_review_state("a.q")
    assert final is not None and final.reps == 4 and final.lapses == 1 and final.leech_at is None


def test_record_answer_stores_attempt_and_state(store: Store) -> None:
    attempt, state = scheduling.record_answer(store, "a.q", now=NOW, correct=True, seconds=10,
                                              estimated_seconds=60, answer="42", session_id="s")
    assert attempt.rating == Rating.Easy and attempt.correct is True
    assert store.attempts() == [attempt]
    assert store.get_review_state("a.q") == state
    attempt2, _ = scheduling.record_answer(store, "b.q", now=NOW, rating=Rating.Hard)  # self-rated flashcard
    assert attempt2.correct is None and attempt2.rating == 2
    with pytest.raises(ValueError):
        scheduling.record_answer(store, "c.q", now=NOW)


def test_due_queue_order_and_limit(store: Store) -> None:
    scheduling.review(store, "late.q", Rating.Good, NOW - timedelta(days=30))  # due long ago
    scheduling.review(store, "soon.q", Rating.Easy, NOW)  # due in days
    scheduling.review(store, "again.q", Rating.Again, NOW - timedelta(hours=1))  # due minutes later
    due = scheduling.due_items(store, NOW)
    assert due == ["late.q", "again.q"]
    assert scheduling.due_items(store, NOW, limit=1) == ["late.q"]
    assert scheduling.due_count(store, NOW) == 2


def test_due_per_day(store: Store) -> None:
    # Easy on a new card schedules a review some days ahead; compute where each lands.
    scheduling.review(store, "overdue.q", Rating.Again, NOW - timedelta(days=3))
    s1 = scheduling.review(store, "x.q", Rating.Easy, NOW)
    s2 = scheduling.review(store, "y.q", Rating.Good, NOW)
    days = scheduling.due_per_day(store, NOW, 7)
    assert [d.day for d in days] == [(NOW.date() + timedelta(days=i)).isoformat() for i in range(7)]
    expected = [0] * 7
    expected[0] += 1  # overdue counts today
    for s in (s1, s2):
        offset = (s.due.date() - NOW.date()).days
        if offset < 7:
            expected[offset] += 1
    assert [d.count for d in days] == expected
    assert sum(expected) >= 2


def test_due_per_day_uses_timezone(store: Store) -> None:
    from quiz.store import ReviewState

    card = scheduling.new_card("tz.q", NOW)
    card.due = datetime(2025, 3, 15, 23, 30, tzinfo=UTC)  # the 16th in UTC+2
    store.put_review_state(ReviewState.from_card("tz.q", card, updated_at=NOW))
    utc = scheduling.due_per_day(store, NOW, 3)
    plus2 = scheduling.due_per_day(store, NOW, 3, timezone(timedelta(hours=2)))
    assert [d.count for d in utc] == [0, 1, 0]
    assert [d.count for d in plus2] == [0, 0, 1]


def test_leech_after_eight_failures(store: Store) -> None:
    when = NOW
    for i in range(LEECH_THRESHOLD - 1):
        scheduling.record_answer(store, "hard.q", now=when, correct=False)
        when += timedelta(hours=1)
        assert scheduling.leeches(store) == [], i
    scheduling.record_answer(store, "hard.q", now=when, correct=True)  # a success in between does not reset
    scheduling.record_answer(store, "hard.q", now=when + timedelta(hours=1), correct=False)
    assert scheduling.leeches(store) == ["hard.q"]
    state = store.get_review_state("hard.q")
    assert state is not None and state.lapses == LEECH_THRESHOLD and state.leech_at == when + timedelta(hours=1)
    scheduling.record_answer(store, "hard.q", now=when + timedelta(hours=2), correct=False)
    state2 = store.get_review_state("hard.q")
    assert state2 is not None and state2.leech_at == state.leech_at  # flagged once
    scheduling.clear_leech(store, "hard.q", when + timedelta(hours=3))
    assert scheduling.leeches(store) == []


def test_retrievability(store: Store) -> None:
    state = scheduling.review(store, "r.q", Rating.Good, NOW)
    assert scheduling.retrievability(state, NOW) == pytest.approx(1.0)
    later = scheduling.retrievability(state, NOW + timedelta(days=30))
    assert 0 < later < 0.9
