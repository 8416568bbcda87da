"""Export then import: equal stats in a fresh database; importing twice changes nothing; conflicts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fsrs import Rating

from quiz import scheduling
from quiz.progress_stats import compute_stats
from quiz.store import ProgressExport, Store
from tests.store.conftest import NOW
from tests.store.test_stats import ITEM_TOPICS, TASK_TOPICS, populate


def _dump(store: Store) -> dict[str, object]:
    data = store.export_data(at=NOW).model_dump()
    data["reports"] = sorted(data["reports"], key=lambda r: r["uuid"])
    data["attempts"] = sorted(data["attempts"], key=lambda a: a["uuid"])
    return data


def test_export_import_gives_equal_stats_and_is_idempotent(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as a:
        populate(a)
        a.save_draft("linear", "def linear_forward(): ...", at=NOW)
        a.start_practice_session("review", at=NOW)
        text = a.export_data(at=NOW).model_dump_json()
        stats_a = compute_stats(a, ITEM_TOPICS, TASK_TOPICS, NOW)
        dump_a = _dump(a)
    data = ProgressExport.model_validate_json(text)
    with Store(tmp_path / "b.db") as b:
        first = b.import_data(data)
        assert first.attempts == len(data.attempts) and first.total > 0
        assert compute_stats(b, ITEM_TOPICS, TASK_TOPICS, NOW) == stats_a
        assert _dump(b) == dump_a
        second = b.import_data(data)
        assert second.total == 0
        assert _dump(b) == dump_a
    with Store(tmp_path / "a.db") as a:  # importing into the source changes nothing either
        assert a.import_data(data).total == 0
        assert _dump(a) == dump_a


def test_conflicting_review_states_keep_most_recent(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        scheduling.review(a, "q.1", Rating.Good, NOW)  # a: older review of q.1
        scheduling.review(b, "q.1", Rating.Again, NOW + timedelta(days=1))  # b: newer review of q.1
        scheduling.review(a, "q.2", Rating.Easy, NOW + timedelta(days=2))  # a: newer review of q.2
        scheduling.review(b, "q.2", Rating.Hard, NOW)
        a.save_draft("linear", "old", at=NOW)
        b.save_draft("linear", "new", at=NOW + timedelta(hours=1))
        newest_q1 = b.get_review_state("q.1")
        newest_q2 = a.get_review_state("q.2")

        a.import_data(b.export_data())
        b.import_data(a.export_data())
        for s in (a, b):
            assert s.get_review_state("q.1") == newest_q1
            assert s.get_review_state("q.2") == newest_q2
            draft = s.get_draft("linear")
            assert draft is not None and draft.source == "new"
        assert a.import_data(b.export_data()).total == 0


def test_export_format_fields(store: Store) -> None:
    store.record_attempt("x.q", "item", at=NOW)
    doc = store.export_data(at=NOW).model_dump(mode="json")
    assert doc["format"] == "nnprep-progress" and doc["version"] == 1
    assert doc["attempts"][0]["uuid"] and doc["attempts"][0]["created_at"].startswith("2025-03-14T12:00:00")
