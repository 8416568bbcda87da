"""Stats figures on a known history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fsrs import Rating

from engine.report import GradeReport, Verdict
from quiz import scheduling
from quiz.progress_stats import HEATMAP_DAYS, TREND_WINDOW, compute_stats
from quiz.store import Store
from tests.store.conftest import NOW

ITEM_TOPICS = {"soft.1": "softmax_stability", "soft.2": "softmax_stability", "loss.1": "losses",
               "never.1": "activations"}
TASK_TOPICS = {"linear": "forward_propagation", "softmax_ce": "losses", "conv2d": "forward_propagation"}


def populate(store: Store) -> None:
    """A known history: see the assertions in test_known_history."""
    # Streak: active today, yesterday, 2 days ago; gap 3 days ago; active 4 and 5 days ago.
    for days_ago in (0, 1, 2, 4, 5):
        store.record_attempt("loss.1", "item", correct=True, at=NOW - timedelta(days=days_ago, hours=1))
    # softmax: 40 graded attempts, the older 20 all wrong, the last 20 all right (trend +100%).
    start = NOW - timedelta(days=40)
    for i in range(2 * TREND_WINDOW):
        store.record_attempt("soft.1", "item", correct=i >= TREND_WINDOW, at=start + timedelta(minutes=i))
    # self-rated flashcard: Again counts wrong, Good right; no outcome at all is ignored
    store.record_attempt("soft.2", "item", rating=1, at=start)
    store.record_attempt("soft.2", "item", rating=3, at=start + timedelta(seconds=1))
    store.record_attempt("soft.2", "item", at=start + timedelta(seconds=2))
    # unknown item: counts for activity, not for topics
    store.record_attempt("zzz.unknown", "item", correct=True, at=start)
    # reviews: soft.1 due in days (Easy), loss.1 due again 10 minutes after failing a day ago (overdue)
    scheduling.review(store, "soft.1", Rating.Easy, NOW - timedelta(hours=2))
    scheduling.review(store, "loss.1", Rating.Again, NOW - timedelta(days=1))
    # coding: linear passed once, softmax_ce only failed
    store.save_report(GradeReport(task="linear", verdict=Verdict.WRONG_ANSWER, score=1, max_score=4), "a", at=NOW)
    store.save_report(GradeReport(task="linear", verdict=Verdict.PASSED, score=4, max_score=4), "b", at=NOW)
    store.save_report(GradeReport(task="softmax_ce", verdict=Verdict.RUNTIME_ERROR, score=0, max_score=4), "c",
                      at=NOW)
    # mocks: two finished (out of order), one unfinished
    m1 = store.create_mock_session("standard", 1, at=NOW - timedelta(days=3))
    m2 = store.create_mock_session("quick", 2, at=NOW - timedelta(days=9))
    store.create_mock_session("quick", 3, at=NOW)
    store.finish_mock_session(m1.id, report={}, score=0.8, at=NOW - timedelta(days=3))
    store.finish_mock_session(m2.id, report={}, score=0.5, at=NOW - timedelta(days=9))


def test_known_history(store: Store) -> None:
    populate(store)
    stats = compute_stats(store, ITEM_TOPICS, TASK_TOPICS, NOW)

    assert stats.total_attempts == 5 + 40 + 3 + 1
    assert stats.streak_days == 3 and stats.longest_streak_days == 3 and stats.active_today
    assert len(stats.activity) == HEATMAP_DAYS and stats.activity[-1].day == NOW.date().isoformat()
    assert stats.activity[-1].count == 1 and stats.activity[-4].count == 0
    assert sum(d.count for d in stats.activity) == stats.total_attempts

    by_topic = {t.topic: t for t in stats.topics}
    assert [t.topic for t in stats.topics] == ["activations", "losses", "softmax_stability"]  # TOPICS order
    soft = by_topic["softmax_stability"]
    assert (soft.items, soft.attempts, soft.correct) == (2, 42, 21)
    assert soft.share_correct == pytest.approx(21 / 42)
    # outcomes in time order: F (soft.1), F, T (soft.2), 19 x F, 20 x T (soft.1)
    assert soft.recent_share == 1.0 and soft.previous_share == pytest.approx(1 / 20)
    assert soft.trend == pytest.approx(1 - 1 / 20)
    assert soft.items_reviewed == 1 and soft.avg_retrievability == pytest.approx(1.0, abs=0.01)
    losses = by_topic["losses"]
    assert (losses.attempts, losses.share_correct, losses.trend, losses.due_now) == (5, 1.0, 0.0, 1)
    assert by_topic["activations"].attempts == 0 and by_topic["activations"].share_correct is None
    assert stats.items_total == 4 and stats.items_reviewed == 2

    assert stats.due_now == 1
    assert stats.due_next_days[0].count == 1 and len(stats.due_next_days) == 7
    assert stats.leeches == []

    assert stats.tasks_solved == 1 and stats.tasks_total == 3
    tasks = {t.topic: (t.solved, t.total) for t in stats.tasks_by_topic}
    assert tasks == {"forward_propagation": (1, 2), "losses": (0, 1)}

    assert [(m.preset, m.score) for m in stats.mock_scores] == [("quick", 0.5), ("standard", 0.8)]


def test_streak_survives_until_the_day_ends(store: Store) -> None:
    for days_ago in (1, 2):
        store.record_attempt("a.q", "item", at=NOW - timedelta(days=days_ago))
    stats = compute_stats(store, {}, {}, NOW)
    assert stats.streak_days == 2 and not stats.active_today
    stats = compute_stats(store, {}, {}, NOW + timedelta(days=1))
    assert stats.streak_days == 0 and stats.longest_streak_days == 2


def test_empty_store(store: Store) -> None:
    stats = compute_stats(store, {}, {}, NOW)
    assert stats.total_attempts == 0 and stats.streak_days == 0 and stats.topics == []
    assert stats.due_now == 0 and [d.count for d in stats.due_next_days] == [0] * 7
    ProgressStatsJson = stats.model_dump_json()
    assert '"streak_days":0' in ProgressStatsJson
