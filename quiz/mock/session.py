"""A running mock interview: the clock, free navigation, answers saved as typed, submission when time is up.

The state is a pydantic model saved to the store after every change, so a crash or a closed terminal loses at
most the keystrokes of the last moment and the mock can be resumed or ended from the home screen.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from engine.report import GradeReport
from quiz.mock.plan import MockPlan

Status = Literal["running", "submitted", "assessed"]


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class EntryState(BaseModel):
    """What the candidate did on one entry."""

    answer: str = ""
    seconds: float = 0.0
    visited: bool = False
    ticked: list[int] | None = Field(None, description="Key points the candidate says their answer covered.")
    report: GradeReport | None = None


class MockState(BaseModel):
    id: str
    plan: MockPlan
    started_at: datetime
    deadline: datetime
    status: Status = "running"
    current: int = 0
    entered_at: datetime
    submitted_at: datetime | None = None
    timed_out: bool = False
    entries: list[EntryState]


class MockSession:
    """Operations on a mock's state with an injected clock (tests use a fake one; nothing sleeps)."""

    def __init__(self, state: MockState, clock: Clock | None = None) -> None:
        self.state = state
        self.clock = clock or SystemClock()

    @classmethod
    def start(cls, plan: MockPlan, clock: Clock | None = None) -> MockSession:
        clock = clock or SystemClock()
        now = clock.now()
        state = MockState(
            id=uuid.uuid4().hex[:12],
            plan=plan,
            started_at=now,
            entered_at=now,
            deadline=now + timedelta(seconds=plan.total_seconds),
            entries=[EntryState() for _ in plan.entries],
        )
        state.entries[0].visited = bool(plan.entries)
        return cls(state, clock)

    @property
    def running(self) -> bool:
        return self.state.status == "running"

    def remaining(self) -> timedelta:
        return max(self.state.deadline - self.clock.now(), timedelta(0))

    def _account(self) -> None:
        now = self.clock.now()
        if self.state.entries:
            spent = (min(now, self.state.deadline) - self.state.entered_at).total_seconds()
            self.state.entries[self.state.current].seconds += max(spent, 0.0)
        self.state.entered_at = now

    def go_to(self, index: int) -> None:
        """Move to another entry (free navigation), counting the time spent on the current one."""
        if not self.running or not 0 <= index < len(self.state.entries):
            return
        self._account()
        self.state.current = index
        self.state.entries[index].visited = True

    def set_answer(self, index: int, text: str) -> None:
        if self.running:
            self.state.entries[index].answer = text

    def tick(self) -> bool:
        """Called periodically: submits everything as it stands once time is up. True if it just submitted."""
        if self.running and self.clock.now() >= self.state.deadline:
            self.submit(timed_out=True)
            return True
        return False

    def submit(self, timed_out: bool = False) -> None:
        """Lock the answers; coding entries are then graded and concept answers self-assessed."""
        if not self.running:
            return
        self._account()
        self.state.status = "submitted"
        self.state.submitted_at = min(self.clock.now(), self.state.deadline)
        self.state.timed_out = timed_out

    def coding_to_grade(self) -> list[int]:
        """Coding entries that still need their final grading."""
        return [
            e.index for e in self.state.plan.entries if e.kind == "task" and self.state.entries[e.index].report is None
        ]

    def set_report(self, index: int, report: GradeReport) -> None:
        self.state.entries[index].report = report

    def assess(self, index: int, ticked: list[int]) -> None:
        """The candidate's self-assessment of a typed concept answer: which key points it covered."""
        if self.state.status != "running":
            self.state.entries[index].ticked = sorted(set(ticked))

    def finish(self) -> None:
        if self.state.status == "submitted":
            self.state.status = "assessed"
