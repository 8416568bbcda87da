"""Review states: the FSRS scheduling state of each bank item."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from quiz.store.connection import StoreBase
from quiz.store.records import ReviewState
from quiz.store.rows import _STATE_COLS, _state
from quiz.store.timestamps import _dt, _opt_ts, _ts


class ReviewsMixin(StoreBase):
    """Review states: the FSRS scheduling state of each bank item."""

    @staticmethod
    def _upsert_state(conn: sqlite3.Connection, s: ReviewState) -> None:
        conn.execute(
            f"INSERT INTO review_states ({_STATE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (item_id) DO UPDATE SET card_json = excluded.card_json, due = excluded.due, "
            "last_review = excluded.last_review, reps = excluded.reps, lapses = excluded.lapses, "
            "leech_at = excluded.leech_at, updated_at = excluded.updated_at",
            (s.item_id, s.card_json, _ts(s.due), _opt_ts(s.last_review), s.reps, s.lapses, _opt_ts(s.leech_at),
             _ts(s.updated_at)),
        )

    def put_review_state(self, state: ReviewState) -> None:
        """Insert or replace an item's review state."""
        with self._write() as conn:
            self._upsert_state(conn, state)

    @staticmethod
    def _select_state(conn: sqlite3.Connection, item_id: str) -> ReviewState | None:
        row = conn.execute(f"SELECT {_STATE_COLS} FROM review_states WHERE item_id = ?", (item_id,)).fetchone()
        return None if row is None else _state(row)

    def update_review_state(
        self, item_id: str, update: Callable[[ReviewState | None], ReviewState]
    ) -> ReviewState:
        """Read-modify-write an item's state atomically (no lost update between processes).

        ``update`` runs inside the write transaction: keep it quick and do not call the store from it.
        """
        with self._write() as conn:
            new = update(self._select_state(conn, item_id))
            self._upsert_state(conn, new)
        return new

    def get_review_state(self, item_id: str) -> ReviewState | None:
        """The item's review state, or None if it was never reviewed."""
        rows = self._read(f"SELECT {_STATE_COLS} FROM review_states WHERE item_id = ?", (item_id,))
        return _state(rows[0]) if rows else None

    def review_states(self) -> list[ReviewState]:
        """All review states, by item id."""
        return [_state(r) for r in self._read(f"SELECT {_STATE_COLS} FROM review_states ORDER BY item_id")]

    def due_review_states(self, now: datetime, limit: int | None = None) -> list[ReviewState]:
        """States due at or before ``now``, most overdue first."""
        sql = f"SELECT {_STATE_COLS} FROM review_states WHERE due <= ? ORDER BY due, item_id"
        params: tuple[Any, ...] = (_ts(now),)
        if limit is not None:
            sql += " LIMIT ?"
            params = (*params, limit)
        return [_state(r) for r in self._read(sql, params)]

    def count_due(self, before: datetime) -> int:
        """How many items are due at or before ``before``."""
        return int(self._read("SELECT count(*) FROM review_states WHERE due <= ?", (_ts(before),))[0][0])

    def due_times(self, until: datetime) -> list[datetime]:
        """Due timestamps of all items due at or before ``until``, soonest first."""
        rows = self._read("SELECT due FROM review_states WHERE due <= ? ORDER BY due", (_ts(until),))
        return [_dt(r[0]) for r in rows]

    def reviewed_item_ids(self) -> set[str]:
        """Ids of items that have a review state (everything else in the bank is new)."""
        return {r[0] for r in self._read("SELECT item_id FROM review_states")}

    def leech_states(self) -> list[ReviewState]:
        """Items flagged as leeches, most lapses first."""
        rows = self._read(f"SELECT {_STATE_COLS} FROM review_states WHERE leech_at IS NOT NULL "
                          "ORDER BY lapses DESC, item_id")
        return [_state(r) for r in rows]
