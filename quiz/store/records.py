"""The records the store returns and accepts (immutable pydantic models), and the export file's model."""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fsrs import Card
from pydantic import BaseModel, ConfigDict, Field

from engine.report import GradeReport, report_from_json
from quiz.store.errors import EXPORT_VERSION, LEECH_THRESHOLD, AttemptKind
from quiz.store.timestamps import utcnow


def new_uuid() -> str:
    """A fresh random id (natural key for attempts, reports and sessions across exports)."""
    return str(uuidlib.uuid4())


# ---------------------------------------------------------------------------------------------------------------
# Records (what the API returns)


class Record(BaseModel):
    """Base of the records the store returns: immutable pydantic models."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Attempt(Record):
    """One answer to a bank item, one submission of a coding task, or one answer in a mock interview."""

    uuid: str
    target_id: str = Field(description="Bank item id or coding-task id.")
    kind: AttemptKind
    answer: str = ""
    correct: bool | None = None
    rating: int | None = Field(None, ge=1, le=4, description="FSRS rating 1 Again, 2 Hard, 3 Good, 4 Easy.")
    seconds: float | None = None
    created_at: datetime
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result part of an attempt (no answer text), for statistics over many attempts."""

    target_id: str
    kind: str
    correct: bool | None
    rating: int | None
    created_at: datetime


class ReviewState(Record):
    """The FSRS scheduling state of one bank item."""

    item_id: str
    card_json: str = Field(description="fsrs.Card.to_json()")
    due: datetime
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = Field(0, description="How many times the item was rated Again.")
    leech_at: datetime | None = Field(None, description=f"When it reached {LEECH_THRESHOLD} lapses.")
    updated_at: datetime

    @property
    def card(self) -> Card:
        """The FSRS card."""
        return Card.from_json(self.card_json)

    @classmethod
    def from_card(
        cls,
        item_id: str,
        card: Card,
        *,
        reps: int = 0,
        lapses: int = 0,
        leech_at: datetime | None = None,
        updated_at: datetime | None = None,
    ) -> ReviewState:
        """Build a state from an FSRS card; ``due`` and ``last_review`` are taken from the card."""
        return cls(
            item_id=item_id,
            card_json=card.to_json(),
            due=card.due,
            last_review=card.last_review,
            reps=reps,
            lapses=lapses,
            leech_at=leech_at,
            updated_at=updated_at or utcnow(),
        )


class Draft(Record):
    """The candidate's code for a coding task, autosaved."""

    task_id: str
    source: str
    updated_at: datetime


class StoredReport(Record):
    """A grade report kept for a coding task."""

    uuid: str
    task_id: str
    source: str
    report_json: str
    score: float
    max_score: float
    verdict: str
    created_at: datetime

    @property
    def report(self) -> GradeReport:
        """The report as the engine's model."""
        return report_from_json(self.report_json)

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"


class MockSession(Record):
    """A mock interview: its plan/progress (``state``, for resume) and, once ended, its report and score."""

    id: str
    preset: str
    seed: int
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None = None
    state: dict[str, Any] = Field(default_factory=dict)
    report: dict[str, Any] | None = None
    score: float | None = Field(None, description="Overall score, by convention a fraction 0..1.")

    @property
    def finished(self) -> bool:
        return self.ended_at is not None


class PracticeSession(Record):
    """A quiz session (review, topic drill, leech drill...); attempts refer to it by ``session_id``."""

    id: str
    mode: str
    started_at: datetime
    ended_at: datetime | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class ProgressExport(BaseModel):
    """Everything in the store, as written by ``nnprep export`` and read by ``nnprep import``."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["nnprep-progress"] = "nnprep-progress"
    version: int = EXPORT_VERSION
    exported_at: datetime
    attempts: list[Attempt] = Field(default_factory=list)
    review_states: list[ReviewState] = Field(default_factory=list)
    drafts: list[Draft] = Field(default_factory=list)
    reports: list[StoredReport] = Field(default_factory=list)
    mock_sessions: list[MockSession] = Field(default_factory=list)
    practice_sessions: list[PracticeSession] = Field(default_factory=list)


@dataclass(frozen=True)
class ImportSummary:
    """What an import added or replaced (all zero when importing the same file twice)."""

    attempts: int = 0
    review_states: int = 0
    drafts: int = 0
    reports: int = 0
    mock_sessions: int = 0
    practice_sessions: int = 0

    @property
    def total(self) -> int:
        return (self.attempts + self.review_states + self.drafts + self.reports + self.mock_sessions
                + self.practice_sessions)
