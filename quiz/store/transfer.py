"""Export and import of the whole store (``nnprep export`` / ``nnprep import``)."""

from __future__ import annotations

from datetime import datetime

from quiz.store.attempts import AttemptsMixin
from quiz.store.coding import CodingMixin
from quiz.store.records import ImportSummary, ProgressExport
from quiz.store.reviews import ReviewsMixin
from quiz.store.rows import _MOCK_COLS, _PRACTICE_COLS, _json
from quiz.store.sessions import SessionsMixin
from quiz.store.timestamps import _opt_ts, _ts, utcnow


class TransferMixin(AttemptsMixin, ReviewsMixin, CodingMixin, SessionsMixin):
    """Export and import over every table."""

    def export_data(self, at: datetime | None = None) -> ProgressExport:
        """Everything, in one consistent snapshot (a single read transaction)."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                data = ProgressExport(
                    exported_at=at or utcnow(),
                    attempts=self.attempts(),
                    review_states=self.review_states(),
                    drafts=self.drafts(),
                    reports=list(reversed(self.reports())),
                    mock_sessions=self.mock_sessions(),
                    practice_sessions=self.practice_sessions(),
                )
            finally:
                self._conn.execute("COMMIT")
        return data

    def import_data(self, data: ProgressExport) -> ImportSummary:
        """Merge an export into this database, idempotently, in one transaction.

        Attempts and reports: added unless their uuid is present. Review states: the one reviewed most recently
        wins (ties keep ours). Drafts, mock and practice sessions: the most recently updated wins (ties keep ours).
        """
        counts = dict.fromkeys(("attempts", "review_states", "drafts", "reports", "mock_sessions",
                                "practice_sessions"), 0)
        with self._write() as conn:
            for a in data.attempts:
                counts["attempts"] += self._insert_attempt(conn, a, ignore=True)
            for r in data.reports:
                counts["reports"] += self._insert_report(conn, r, ignore=True)
            for s in data.review_states:
                row = conn.execute("SELECT last_review FROM review_states WHERE item_id = ?",
                                   (s.item_id,)).fetchone()
                theirs = _opt_ts(s.last_review) or ""
                if row is None or theirs > (row[0] or ""):
                    self._upsert_state(conn, s)
                    counts["review_states"] += 1
            for d in data.drafts:
                counts["drafts"] += conn.execute(
                    "INSERT INTO drafts (task_id, source, updated_at) VALUES (?, ?, ?) ON CONFLICT (task_id) "
                    "DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at "
                    "WHERE excluded.updated_at > drafts.updated_at",
                    (d.task_id, d.source, _ts(d.updated_at)),
                ).rowcount
            for m in data.mock_sessions:
                counts["mock_sessions"] += conn.execute(
                    f"INSERT INTO mock_sessions ({_MOCK_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET preset = excluded.preset, seed = excluded.seed, "
                    "started_at = excluded.started_at, updated_at = excluded.updated_at, "
                    "ended_at = excluded.ended_at, state_json = excluded.state_json, "
                    "report_json = excluded.report_json, score = excluded.score "
                    "WHERE excluded.updated_at > mock_sessions.updated_at",
                    (m.id, m.preset, m.seed, _ts(m.started_at), _ts(m.updated_at), _opt_ts(m.ended_at),
                     _json(m.state), None if m.report is None else _json(m.report), m.score),
                ).rowcount
            for p in data.practice_sessions:
                counts["practice_sessions"] += conn.execute(
                    f"INSERT INTO practice_sessions ({_PRACTICE_COLS}) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at "
                    "WHERE practice_sessions.ended_at IS NULL AND excluded.ended_at IS NOT NULL",
                    (p.id, p.mode, _ts(p.started_at), _opt_ts(p.ended_at), _json(p.meta)),
                ).rowcount
        return ImportSummary(**counts)
