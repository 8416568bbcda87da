"""Deterministic progress for the stats tests and snapshots."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from quiz import scheduling
from quiz.store import Store
from tests.tui.conftest import NOW


def seed_progress(db: Path) -> None:
    """Two weeks of answers (a 3-day streak up to today), a solved task and three mock interviews."""
    answers = [("t.mcq", True), ("t.multi", False), ("t.numeric", True), ("t.shape", True), ("t.flash", None)]
    with Store(db) as store:
        for day in (13, 12, 11, 9, 6, 5, 2, 0):
            for n, (item_id, correct) in enumerate(answers[: 1 + day % 5]):
                at = NOW - timedelta(days=day, minutes=5 * n + 1)
                if correct is None:
                    scheduling.record_answer(store, item_id, now=at, rating=3)
                else:
                    scheduling.record_answer(store, item_id, now=at, correct=correct, seconds=20,
                                             estimated_seconds=60)
        for k, score in enumerate((0.45, 0.6, 0.72)):
            at = NOW - timedelta(days=10 - 4 * k)
            sid = store.create_mock_session("standard", seed=k, at=at).id
            store.finish_mock_session(sid, report={"k": k}, score=score, at=at + timedelta(minutes=45))
