"""Records round-trip through the store: attempts, FSRS cards, drafts, reports, mock and practice sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Card, Rating, Scheduler, State

from engine.report import GradeReport, Verdict
from quiz.store import ReviewState, Store
from tests.store.conftest import NOW


def test_attempt_fields_round_trip(store: Store) -> None:
    a = store.record_attempt("shapes.q1", "item", answer="(32, 64)", correct=False, rating=1, seconds=41.5,
                             at=NOW, session_id="s-1")
    t = store.record_attempt("linear", "task", answer="def f(): ...", correct=None, at=NOW + timedelta(seconds=1))
    assert store.attempts() == [a, t]
    assert store.attempts(kind="task") == [t]
    assert store.attempts(session_id="s-1") == [a]
    assert store.attempts(newest_first=True, limit=1) == [t]
    assert store.count_attempts(since=NOW + timedelta(seconds=1)) == 1
    assert store.attempt_times() == [NOW, NOW + timedelta(seconds=1)]


def test_timestamps_normalised_to_utc_and_naive_rejected(store: Store) -> None:
    plus2 = timezone(timedelta(hours=2))
    a = store.record_attempt("x.q", "item", at=datetime(2025, 1, 1, 14, 0, tzinfo=plus2))
    assert store.attempts()[0].created_at == datetime(2025, 1, 1, 12, 0, tzinfo=UTC) == a.created_at
    with pytest.raises(ValueError, match="naive"):
        store.record_attempt("x.q", "item", at=datetime(2025, 1, 1))


def test_invalid_rating_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        store.record_attempt("x.q", "item", rating=5)
    assert store.count_attempts() == 0


def test_fsrs_card_round_trips(store: Store) -> None:
    scheduler = Scheduler(enable_fuzzing=False)
    card = Card(card_id=99, due=NOW)
    for i, rating in enumerate((Rating.Good, Rating.Again, Rating.Good, Rating.Easy)):
        card, _ = scheduler.review_card(card, rating, review_datetime=NOW + timedelta(days=3 * i))
        store.put_review_state(ReviewState.from_card("flops.q1", card, reps=i + 1, updated_at=NOW))
        loaded = store.get_review_state("flops.q1")
        assert loaded is not None
        assert loaded.card == card
        assert loaded.due == card.due and loaded.last_review == card.last_review
    assert card.state == State.Review
    assert store.get_review_state("unknown") is None


def test_draft_upsert(store: Store) -> None:
    store.save_draft("linear", "v1", at=NOW)
    d = store.save_draft("linear", "v2", at=NOW + timedelta(minutes=1))
    assert store.get_draft("linear") == d and d.source == "v2"
    assert store.drafts() == [d]
    assert store.delete_draft("linear") and store.get_draft("linear") is None


def test_reports_and_solved(store: Store) -> None:
    failed = GradeReport(task="linear", verdict=Verdict.WRONG_ANSWER, score=2, max_score=5)
    passed = GradeReport(task="linear", verdict=Verdict.PASSED, score=5, max_score=5)
    store.save_report(failed, "src1", at=NOW)
    assert store.solved_task_ids() == set()
    s2 = store.save_report(passed, "src2", at=NOW + timedelta(minutes=1))
    assert store.latest_report("linear") == s2
    assert s2.report == passed and s2.passed
    assert [r.source for r in store.reports("linear")] == ["src2", "src1"]
    assert store.solved_task_ids() == {"linear"}


def test_mock_session_lifecycle(store: Store) -> None:
    m = store.create_mock_session("standard-45", 1234, state={"step": 0}, at=NOW)
    assert store.mock_sessions(finished=False) == [m]
    store.save_mock_state(m.id, {"step": 3, "answers": [1, 2]}, at=NOW + timedelta(minutes=5))
    store.finish_mock_session(m.id, report={"summary": "ok"}, score=0.75, at=NOW + timedelta(minutes=45))
    got = store.get_mock_session(m.id)
    assert got is not None and got.finished and got.score == 0.75
    assert got.state == {"step": 3, "answers": [1, 2]} and got.report == {"summary": "ok"}
    assert store.mock_sessions(finished=False) == []
    assert store.mock_sessions(finished=True) == [got]


def test_practice_sessions(store: Store) -> None:
    p = store.start_practice_session("review", meta={"topic": "losses"}, at=NOW)
    store.record_attempt("loss.q1", "item", session_id=p.id, at=NOW)
    store.end_practice_session(p.id, at=NOW + timedelta(minutes=10))
    [got] = store.practice_sessions()
    assert got.ended_at == NOW + timedelta(minutes=10) and got.meta == {"topic": "losses"}
    assert store.count_attempts(session_id=p.id) == 1


def test_store_usable_from_threads(store: Store) -> None:
    import threading

    def work(k: int) -> None:
        for i in range(50):
            store.record_attempt(f"t{k}.{i}", "item")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count_attempts() == 200
