"""Conversion between SQLite rows and records."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from quiz.store.records import Attempt, MockSession, PracticeSession, ReviewState, StoredReport
from quiz.store.timestamps import _dt, _opt_dt

_ATTEMPT_COLS = "uuid, target_id, kind, answer, correct, rating, seconds, created_at, session_id"
_STATE_COLS = "item_id, card_json, due, last_review, reps, lapses, leech_at, updated_at"
_REPORT_COLS = "uuid, task_id, source, report_json, score, max_score, verdict, created_at"
_MOCK_COLS = "id, preset, seed, started_at, updated_at, ended_at, state_json, report_json, score"
_PRACTICE_COLS = "id, mode, started_at, ended_at, meta_json"


def _attempt(r: sqlite3.Row) -> Attempt:
    return Attempt(
        uuid=r["uuid"], target_id=r["target_id"], kind=r["kind"], answer=r["answer"],
        correct=None if r["correct"] is None else bool(r["correct"]), rating=r["rating"], seconds=r["seconds"],
        created_at=_dt(r["created_at"]), session_id=r["session_id"],
    )


def _state(r: sqlite3.Row) -> ReviewState:
    return ReviewState(
        item_id=r["item_id"], card_json=r["card_json"], due=_dt(r["due"]), last_review=_opt_dt(r["last_review"]),
        reps=r["reps"], lapses=r["lapses"], leech_at=_opt_dt(r["leech_at"]), updated_at=_dt(r["updated_at"]),
    )


def _report(r: sqlite3.Row) -> StoredReport:
    return StoredReport(
        uuid=r["uuid"], task_id=r["task_id"], source=r["source"], report_json=r["report_json"],
        score=r["score"], max_score=r["max_score"], verdict=r["verdict"], created_at=_dt(r["created_at"]),
    )


def _mock(r: sqlite3.Row) -> MockSession:
    return MockSession(
        id=r["id"], preset=r["preset"], seed=r["seed"], started_at=_dt(r["started_at"]),
        updated_at=_dt(r["updated_at"]), ended_at=_opt_dt(r["ended_at"]), state=json.loads(r["state_json"]),
        report=None if r["report_json"] is None else json.loads(r["report_json"]), score=r["score"],
    )


def _practice(r: sqlite3.Row) -> PracticeSession:
    return PracticeSession(
        id=r["id"], mode=r["mode"], started_at=_dt(r["started_at"]), ended_at=_opt_dt(r["ended_at"]),
        meta=json.loads(r["meta_json"]),
    )


def _json(value: Mapping[str, Any] | BaseModel) -> str:
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value, sort_keys=True)
