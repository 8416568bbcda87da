"""Move progress recorded under a retired item id (questions.aliases) to the item that replaced it.

Run by the store each time it opens a database. Cheap when there is nothing to move (one indexed read); otherwise
one write transaction: attempts are re-pointed, and of two review states (old id and kept id) the one reviewed
more recently survives, so a merged pair keeps a single schedule.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from questions.aliases import RENAMED, current_id

ITEM_KINDS = "('item', 'mock')"


def _any_recorded(conn: sqlite3.Connection, old_ids: list[str]) -> bool:
    marks = ",".join("?" * len(old_ids))
    row = conn.execute(
        f"SELECT 1 FROM review_states WHERE item_id IN ({marks}) UNION ALL "
        f"SELECT 1 FROM attempts WHERE kind IN {ITEM_KINDS} AND target_id IN ({marks}) LIMIT 1",
        (*old_ids, *old_ids),
    ).fetchone()
    return row is not None


def _move_state(conn: sqlite3.Connection, old: str, new: str) -> None:
    old_row = conn.execute("SELECT last_review FROM review_states WHERE item_id = ?", (old,)).fetchone()
    if old_row is None:
        return
    new_row = conn.execute("SELECT last_review FROM review_states WHERE item_id = ?", (new,)).fetchone()
    if new_row is not None and (new_row[0] or "") >= (old_row[0] or ""):
        conn.execute("DELETE FROM review_states WHERE item_id = ?", (old,))
        return
    conn.execute("DELETE FROM review_states WHERE item_id = ?", (new,))
    conn.execute("UPDATE review_states SET item_id = ? WHERE item_id = ?", (new, old))


def move_renamed_progress(conn: sqlite3.Connection, renamed: Mapping[str, str] = RENAMED) -> bool:
    """Re-key attempts and review states of every retired id in ``renamed``; True when anything moved.

    ``conn`` is an autocommit connection (isolation_level None) outside any transaction.
    """
    old_ids = list(renamed)
    if not old_ids or not _any_recorded(conn, old_ids):
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        for old in old_ids:
            new = current_id(old, renamed)
            conn.execute(f"UPDATE attempts SET target_id = ? WHERE kind IN {ITEM_KINDS} AND target_id = ?", (new, old))
            _move_state(conn, old, new)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True
