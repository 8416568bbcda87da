"""The database schema: MIGRATIONS[i] brings a database from version i to version i + 1."""

from __future__ import annotations

from quiz.store.errors import APPLICATION_ID, LEECH_THRESHOLD

# Never edit a released step: add a new one. Tests build databases with each earlier version's DDL and migrate them.

_V1 = """
CREATE TABLE attempts (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    target_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('item', 'task', 'mock')),
    answer      TEXT NOT NULL DEFAULT '',
    correct     INTEGER CHECK (correct IN (0, 1)),
    rating      INTEGER CHECK (rating BETWEEN 1 AND 4),
    seconds     REAL,
    created_at  TEXT NOT NULL,
    session_id  TEXT
);
CREATE INDEX attempts_created ON attempts (created_at);
CREATE INDEX attempts_target ON attempts (kind, target_id, created_at);

CREATE TABLE review_states (
    item_id     TEXT PRIMARY KEY,
    card_json   TEXT NOT NULL,
    due         TEXT NOT NULL,
    last_review TEXT,
    reps        INTEGER NOT NULL DEFAULT 0,
    lapses      INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL
);
CREATE INDEX review_states_due ON review_states (due);

CREATE TABLE drafts (
    task_id     TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE grade_reports (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    task_id     TEXT NOT NULL,
    source      TEXT NOT NULL,
    report_json TEXT NOT NULL,
    score       REAL NOT NULL,
    max_score   REAL NOT NULL,
    verdict     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX grade_reports_task ON grade_reports (task_id, created_at);
"""

_V2 = f"""
ALTER TABLE review_states ADD COLUMN leech_at TEXT;
UPDATE review_states SET leech_at = COALESCE(last_review, updated_at) WHERE lapses >= {LEECH_THRESHOLD};
CREATE INDEX review_states_leech ON review_states (leech_at) WHERE leech_at IS NOT NULL;

CREATE TABLE mock_sessions (
    id          TEXT PRIMARY KEY,
    preset      TEXT NOT NULL,
    seed        INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    ended_at    TEXT,
    state_json  TEXT NOT NULL DEFAULT '{{}}',
    report_json TEXT,
    score       REAL
);
CREATE INDEX mock_sessions_started ON mock_sessions (started_at);

CREATE TABLE practice_sessions (
    id          TEXT PRIMARY KEY,
    mode        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    meta_json   TEXT NOT NULL DEFAULT '{{}}'
);
"""


def _split(script: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in script.split(";") if s.strip())


MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (f"PRAGMA application_id = {APPLICATION_ID}", *_split(_V1)),
    _split(_V2),
)
SCHEMA_VERSION = len(MIGRATIONS)
