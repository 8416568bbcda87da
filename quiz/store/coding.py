"""Coding tasks: autosaved drafts and kept grade reports."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from engine.report import GradeReport, report_data
from quiz.store.connection import StoreBase
from quiz.store.records import Draft, StoredReport, new_uuid
from quiz.store.rows import _REPORT_COLS, _report
from quiz.store.timestamps import _dt, _ts, utcnow


class CodingMixin(StoreBase):
    """Coding tasks: autosaved drafts and kept grade reports."""

    def save_draft(self, task_id: str, source: str, at: datetime | None = None) -> Draft:
        """Autosave the code for a task (upsert)."""
        draft = Draft(task_id=task_id, source=source, updated_at=at or utcnow())
        with self._write() as conn:
            conn.execute(
                "INSERT INTO drafts (task_id, source, updated_at) VALUES (?, ?, ?) ON CONFLICT (task_id) "
                "DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at",
                (task_id, source, _ts(draft.updated_at)),
            )
        return draft

    def get_draft(self, task_id: str) -> Draft | None:
        """The saved code for a task, if any."""
        rows = self._read("SELECT task_id, source, updated_at FROM drafts WHERE task_id = ?", (task_id,))
        return Draft(task_id=rows[0][0], source=rows[0][1], updated_at=_dt(rows[0][2])) if rows else None

    def drafts(self) -> list[Draft]:
        """All saved drafts, by task id."""
        rows = self._read("SELECT task_id, source, updated_at FROM drafts ORDER BY task_id")
        return [Draft(task_id=r[0], source=r[1], updated_at=_dt(r[2])) for r in rows]

    def delete_draft(self, task_id: str) -> bool:
        """Forget a task's draft (e.g. "reset to starter"); True if there was one."""
        with self._write() as conn:
            return conn.execute("DELETE FROM drafts WHERE task_id = ?", (task_id,)).rowcount > 0

    # -- grade reports ---------------------------------------------------------------------------------------

    def save_report(
        self, report: GradeReport, source: str, *, at: datetime | None = None, uuid: str | None = None
    ) -> StoredReport:
        """Keep a grade report and the code it graded (the task id comes from the report)."""
        stored = StoredReport(
            uuid=uuid or new_uuid(), task_id=report.task, source=source, report_json=json.dumps(report_data(report)),
            score=report.score, max_score=report.max_score, verdict=str(report.verdict.value),
            created_at=at or utcnow(),
        )
        with self._write() as conn:
            self._insert_report(conn, stored)
        return stored

    @staticmethod
    def _insert_report(conn: sqlite3.Connection, s: StoredReport, *, ignore: bool = False) -> int:
        return conn.execute(
            f"INSERT {'OR IGNORE ' if ignore else ''}INTO grade_reports ({_REPORT_COLS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (s.uuid, s.task_id, s.source, s.report_json, s.score, s.max_score, s.verdict, _ts(s.created_at)),
        ).rowcount

    def reports(self, task_id: str | None = None, *, limit: int | None = None) -> list[StoredReport]:
        """Stored reports (for one task or all), newest first."""
        sql = f"SELECT {_REPORT_COLS} FROM grade_reports"
        params: list[Any] = []
        if task_id is not None:
            sql += " WHERE task_id = ?"
            params.append(task_id)
        sql += " ORDER BY created_at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_report(r) for r in self._read(sql, tuple(params))]

    def latest_report(self, task_id: str) -> StoredReport | None:
        """The newest report for a task."""
        found = self.reports(task_id, limit=1)
        return found[0] if found else None

    def solved_task_ids(self) -> set[str]:
        """Tasks with at least one report whose verdict is ``passed``."""
        return {r[0] for r in self._read("SELECT DISTINCT task_id FROM grade_reports WHERE verdict = 'passed'")}
