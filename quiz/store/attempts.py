"""Attempts: answers to bank items, coding-task submissions, mock answers."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from quiz.store.errors import AttemptKind
from quiz.store.records import Attempt, Outcome, ReviewState, new_uuid
from quiz.store.reviews import ReviewsMixin
from quiz.store.rows import _ATTEMPT_COLS, _attempt
from quiz.store.timestamps import _dt, _ts, utcnow


class AttemptsMixin(ReviewsMixin):
    """Attempts: answers to bank items, coding-task submissions, mock answers (an attempt may update the
    item's review state in the same transaction, hence the review-state base)."""

    def record_attempt(
        self,
        target_id: str,
        kind: AttemptKind,
        *,
        answer: str = "",
        correct: bool | None = None,
        rating: int | None = None,
        seconds: float | None = None,
        at: datetime | None = None,
        session_id: str | None = None,
        uuid: str | None = None,
        review_state: ReviewState | None = None,
        review_update: Callable[[ReviewState | None], ReviewState] | None = None,
    ) -> Attempt:
        """Record one attempt and, if given, the item's new review state, in the same transaction.

        ``review_update`` maps the item's current state (read inside the transaction) to the new one, so that a
        concurrent review cannot be lost. Committed before it returns: the attempt then survives a crash.
        """
        attempt = Attempt(
            uuid=uuid or new_uuid(), target_id=target_id, kind=kind, answer=answer, correct=correct, rating=rating,
            seconds=seconds, created_at=at or utcnow(), session_id=session_id,
        )
        with self._write() as conn:
            self._insert_attempt(conn, attempt)
            if review_state is not None:
                self._upsert_state(conn, review_state)
            if review_update is not None:
                self._upsert_state(conn, review_update(self._select_state(conn, target_id)))
        return attempt

    @staticmethod
    def _insert_attempt(conn: sqlite3.Connection, a: Attempt, *, ignore: bool = False) -> int:
        cur = conn.execute(
            f"INSERT {'OR IGNORE ' if ignore else ''}INTO attempts ({_ATTEMPT_COLS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.uuid, a.target_id, a.kind, a.answer, None if a.correct is None else int(a.correct), a.rating,
             a.seconds, _ts(a.created_at), a.session_id),
        )
        return cur.rowcount

    def attempts(
        self,
        *,
        kind: AttemptKind | None = None,
        target_id: str | None = None,
        session_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[Attempt]:
        """Attempts matching all given filters, oldest first (or newest first); ``since`` inclusive, ``until``
        exclusive."""
        where, params = self._attempt_filter(kind, target_id, session_id, since, until)
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT {_ATTEMPT_COLS} FROM attempts{where} ORDER BY created_at {order}, id {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_attempt(r) for r in self._read(sql, tuple(params))]

    def count_attempts(
        self,
        *,
        kind: AttemptKind | None = None,
        target_id: str | None = None,
        session_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        """How many attempts match the filters."""
        where, params = self._attempt_filter(kind, target_id, session_id, since, until)
        return int(self._read(f"SELECT count(*) FROM attempts{where}", tuple(params))[0][0])

    @staticmethod
    def _attempt_filter(
        kind: str | None, target_id: str | None, session_id: str | None, since: datetime | None,
        until: datetime | None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("kind", kind), ("target_id", target_id), ("session_id", session_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            clauses.append("created_at >= ?")
            params.append(_ts(since))
        if until is not None:
            clauses.append("created_at < ?")
            params.append(_ts(until))
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def attempt_outcomes(self, kinds: tuple[AttemptKind, ...] = ("item", "mock")) -> list[Outcome]:
        """Light rows (no answer text) of the attempts of these kinds, oldest first: what the stats need."""
        marks = ", ".join("?" for _ in kinds)
        rows = self._read(f"SELECT target_id, kind, correct, rating, created_at FROM attempts WHERE kind IN ({marks}) "
                          "ORDER BY created_at, id", tuple(kinds))
        return [Outcome(target_id=r[0], kind=r[1], correct=None if r[2] is None else bool(r[2]), rating=r[3],
                        created_at=_dt(r[4])) for r in rows]

    def attempt_times(self, *, since: datetime | None = None) -> list[datetime]:
        """The timestamps of all attempts (any kind) since ``since``, oldest first (for activity calendars)."""
        where, params = self._attempt_filter(None, None, None, since, None)
        rows = self._read(f"SELECT created_at FROM attempts{where} ORDER BY created_at", tuple(params))
        return [_dt(r[0]) for r in rows]
