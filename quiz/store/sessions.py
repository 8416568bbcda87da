"""Sessions: mock interviews (resumable) and quiz practice sessions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from quiz.store.connection import StoreBase
from quiz.store.errors import StoreError
from quiz.store.records import MockSession, PracticeSession, new_uuid
from quiz.store.rows import _MOCK_COLS, _PRACTICE_COLS, _json, _mock, _practice
from quiz.store.timestamps import _ts, utcnow


class SessionsMixin(StoreBase):
    """Sessions: mock interviews (resumable) and quiz practice sessions."""

    def create_mock_session(
        self,
        preset: str,
        seed: int,
        *,
        state: Mapping[str, Any] | BaseModel | None = None,
        at: datetime | None = None,
        session_id: str | None = None,
    ) -> MockSession:
        """Start a mock interview; ``state`` is whatever the mock engine needs to resume (JSON-able)."""
        now = at or utcnow()
        sid = session_id or new_uuid()
        state_json = _json(state) if state is not None else "{}"
        with self._write() as conn:
            conn.execute(
                f"INSERT INTO mock_sessions ({_MOCK_COLS}) VALUES (?, ?, ?, ?, ?, NULL, ?, NULL, NULL)",
                (sid, preset, seed, _ts(now), _ts(now), state_json),
            )
        found = self.get_mock_session(sid)
        assert found is not None
        return found

    def save_mock_state(
        self, session_id: str, state: Mapping[str, Any] | BaseModel, *, at: datetime | None = None
    ) -> None:
        """Replace a mock session's resume state."""
        with self._write() as conn:
            n = conn.execute("UPDATE mock_sessions SET state_json = ?, updated_at = ? WHERE id = ?",
                             (_json(state), _ts(at or utcnow()), session_id)).rowcount
        if n == 0:
            raise StoreError(f"no mock session {session_id!r} in {self.path}")

    def finish_mock_session(
        self,
        session_id: str,
        *,
        report: Mapping[str, Any] | BaseModel,
        score: float,
        at: datetime | None = None,
    ) -> None:
        """Mark a mock session ended, with its report and overall score."""
        now = _ts(at or utcnow())
        with self._write() as conn:
            n = conn.execute(
                "UPDATE mock_sessions SET report_json = ?, score = ?, ended_at = ?, updated_at = ? WHERE id = ?",
                (_json(report), score, now, now, session_id),
            ).rowcount
        if n == 0:
            raise StoreError(f"no mock session {session_id!r} in {self.path}")

    def get_mock_session(self, session_id: str) -> MockSession | None:
        """One mock session by id."""
        rows = self._read(f"SELECT {_MOCK_COLS} FROM mock_sessions WHERE id = ?", (session_id,))
        return _mock(rows[0]) if rows else None

    def mock_sessions(self, *, finished: bool | None = None) -> list[MockSession]:
        """Mock sessions, oldest first; ``finished`` True/False filters ended/unfinished (to resume)."""
        sql = f"SELECT {_MOCK_COLS} FROM mock_sessions"
        if finished is True:
            sql += " WHERE ended_at IS NOT NULL"
        elif finished is False:
            sql += " WHERE ended_at IS NULL"
        return [_mock(r) for r in self._read(sql + " ORDER BY started_at, id")]

    # -- practice sessions -----------------------------------------------------------------------------------

    def start_practice_session(
        self, mode: str, *, meta: Mapping[str, Any] | None = None, at: datetime | None = None,
        session_id: str | None = None,
    ) -> PracticeSession:
        """Start a quiz session; pass its id as ``session_id`` to :meth:`record_attempt`."""
        session = PracticeSession(id=session_id or new_uuid(), mode=mode, started_at=at or utcnow(),
                                  meta=dict(meta or {}))
        with self._write() as conn:
            conn.execute(f"INSERT INTO practice_sessions ({_PRACTICE_COLS}) VALUES (?, ?, ?, NULL, ?)",
                         (session.id, mode, _ts(session.started_at), _json(session.meta)))
        return session

    def end_practice_session(self, session_id: str, *, at: datetime | None = None) -> None:
        """Mark a quiz session ended."""
        with self._write() as conn:
            conn.execute("UPDATE practice_sessions SET ended_at = ? WHERE id = ?",
                         (_ts(at or utcnow()), session_id))

    def practice_sessions(self) -> list[PracticeSession]:
        """All quiz sessions, oldest first."""
        return [_practice(r) for r in
                self._read(f"SELECT {_PRACTICE_COLS} FROM practice_sessions ORDER BY started_at, id")]
