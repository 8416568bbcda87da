"""Mock interviews with the store: start (drawing around recent sessions), save, resume, finish, list, export."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from questions.schema import TaskText
from quiz.mock.plan import MockPlan, draw_plan
from quiz.mock.presets import Preset
from quiz.mock.scoring import MockReport, score_mock
from quiz.mock.session import Clock, MockSession, MockState
from quiz.store import Store

RECENT_SESSIONS = 3


def recent_refs(store: Store, sessions: int = RECENT_SESSIONS) -> set[str]:
    """Items and tasks of the last few mock sessions, which a new draw avoids where it can."""
    refs: set[str] = set()
    for stored in store.mock_sessions()[-sessions:]:
        plan = stored.state.get("plan", {})
        refs.update(e.get("ref", "") for e in plan.get("entries", []))
    return refs


def start_mock(
    store: Store,
    preset: Preset,
    items: list[Any],
    tasks: Mapping[str, TaskText],
    seed: int | None = None,
    clock: Clock | None = None,
) -> MockSession:
    """Draw a mock (``seed`` reproduces a draw for the same bank and history) and record it as started."""
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    plan: MockPlan = draw_plan(preset, items, tasks, seed, recent_refs(store))
    session = MockSession.start(plan, clock)
    store.create_mock_session(
        preset.name, seed, state=session.state, session_id=session.state.id, at=session.state.started_at
    )
    return session


def save_mock(store: Store, session: MockSession) -> None:
    store.save_mock_state(session.state.id, session.state, at=session.clock.now())


def unfinished_mocks(store: Store) -> list[MockState]:
    """Mocks that were interrupted (crash, closed terminal) and can be resumed or ended."""
    states = []
    for stored in store.mock_sessions(finished=False):
        try:
            states.append(MockState.model_validate(stored.state))
        except ValueError:
            continue  # a state written by an incompatible version: nothing to resume
    return states


def resume_mock(store: Store, mock_id: str, clock: Clock | None = None) -> MockSession | None:
    stored = store.get_mock_session(mock_id)
    if stored is None or stored.ended_at is not None:
        return None
    return MockSession(MockState.model_validate(stored.state), clock)


def finish_mock(
    store: Store, session: MockSession, items: Mapping[str, Any], tasks: Mapping[str, TaskText]
) -> MockReport:
    """Score the mock, store the report, and mark the session ended."""
    session.submit()
    session.finish()
    report = score_mock(session.state, items, tasks)
    store.save_mock_state(session.state.id, session.state, at=session.clock.now())
    store.finish_mock_session(session.state.id, report=report, score=report.overall / 100, at=session.clock.now())
    return report


def stored_report(store: Store, mock_id: str) -> MockReport | None:
    stored = store.get_mock_session(mock_id)
    if stored is None or stored.report is None:
        return None
    return MockReport.model_validate(stored.report)
