"""Forward migrations from every earlier schema version, built here with that version's frozen DDL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from quiz.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Store

# Frozen copies of what each released version created. Never edit: they are history.
V1_DDL = """
PRAGMA application_id = 1852731506;
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
PRAGMA user_version = 1;
"""

CARD = ('{"card_id": 1, "state": 2, "step": null, "stability": 3.2, "difficulty": 5.1, '
        '"due": "2025-03-20T00:00:00+00:00", "last_review": "2025-03-10T00:00:00+00:00"}')
V1_DATA = f"""
INSERT INTO attempts (uuid, target_id, kind, answer, correct, rating, seconds, created_at, session_id)
VALUES ('u-1', 'softmax.q1', 'item', '0.5', 1, 3, 12.5, '2025-03-10T00:00:00.000000+00:00', NULL);
INSERT INTO review_states VALUES ('softmax.q1', '{CARD}', '2025-03-20T00:00:00.000000+00:00',
    '2025-03-10T00:00:00.000000+00:00', 4, 1, '2025-03-10T00:00:00.000000+00:00');
INSERT INTO review_states VALUES ('leechy.q', '{CARD}', '2025-03-20T00:00:00.000000+00:00',
    '2025-03-10T00:00:00.000000+00:00', 12, 9, '2025-03-10T00:00:00.000000+00:00');
INSERT INTO drafts VALUES ('linear', 'def f(): pass', '2025-03-10T00:00:00.000000+00:00');
INSERT INTO grade_reports (uuid, task_id, source, report_json, score, max_score, verdict, created_at)
VALUES ('r-1', 'linear', 'src', '{{"task": "linear", "verdict": "passed", "score": 1, "max_score": 1}}', 1, 1,
        'passed', '2025-03-10T00:00:00.000000+00:00');
"""

OLD_VERSIONS = {1: V1_DDL}


def _schema(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Tables -> columns (name, type, notnull, default, pk), plus index names: what must match a fresh db."""
    conn = sqlite3.connect(path)
    out: dict[str, list[tuple[object, ...]]] = {}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        out[name] = [tuple(r[1:]) for r in conn.execute(f"PRAGMA table_info({name})")]
    out["__indexes__"] = [tuple(r) for r in conn.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")]
    conn.close()
    return out


def test_every_old_version_has_a_frozen_ddl() -> None:
    assert set(OLD_VERSIONS) == set(range(1, SCHEMA_VERSION)), "add the frozen DDL of the previous version"
    assert len(MIGRATIONS) == SCHEMA_VERSION >= 2


def test_v1_application_id_constant_matches() -> None:
    assert APPLICATION_ID == 1852731506


@pytest.mark.parametrize("version", sorted(OLD_VERSIONS))
def test_migrates_to_current_and_matches_fresh_schema(tmp_path: Path, version: int) -> None:
    old = tmp_path / f"v{version}.db"
    conn = sqlite3.connect(old)
    conn.executescript(OLD_VERSIONS[version])
    conn.executescript(V1_DATA)
    conn.close()
    fresh = tmp_path / "fresh.db"
    Store(fresh).close()

    with Store(old) as s:
        assert s.schema_version == SCHEMA_VERSION
        # data kept
        [a] = s.attempts()
        assert (a.uuid, a.target_id, a.correct, a.rating, a.seconds) == ("u-1", "softmax.q1", True, 3, 12.5)
        state = s.get_review_state("softmax.q1")
        assert state is not None and state.lapses == 1 and state.leech_at is None
        assert state.card.stability == 3.2
        draft = s.get_draft("linear")
        assert draft is not None and draft.source == "def f(): pass"
        assert s.solved_task_ids() == {"linear"}
        # v2 backfills the leech flag for items already failed 8+ times
        assert [x.item_id for x in s.leech_states()] == ["leechy.q"]
        # v2 tables work
        m = s.create_mock_session("standard", 7, state={"q": 1})
        assert s.get_mock_session(m.id) == m
    assert _schema(old) == _schema(fresh)


def test_fresh_database_goes_through_every_step(tmp_path: Path) -> None:
    """Version 0 (no file) -> current, the same path as an upgrade."""
    with Store(tmp_path / "new.db") as s:
        assert s.schema_version == SCHEMA_VERSION


def test_failed_migration_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each step is one transaction: a failing step leaves the database at the previous version."""
    import quiz.store as store_mod

    old = tmp_path / "v1.db"
    conn = sqlite3.connect(old)
    conn.executescript(V1_DDL)
    conn.close()
    broken = (*MIGRATIONS[:1], (*MIGRATIONS[1][:2], "CREATE TABLE oops (syntax error"))
    monkeypatch.setattr(store_mod.connection, "MIGRATIONS", broken)
    with pytest.raises(store_mod.StoreError, match="from schema version 1 to 2"):
        Store(old)
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [r[1] for r in conn.execute("PRAGMA table_info(review_states)")]
    assert "leech_at" not in columns
    conn.close()
