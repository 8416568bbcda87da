"""Mock interviews with the store: start (drawing around recent sessions), save, resume, finish, list, export."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from questions.schema import TaskText
from quiz.choice_order import order_note
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
    first_time = session.state.status == "submitted"
    session.finish()
    report = score_mock(session.state, items, tasks)
    store.save_mock_state(session.state.id, session.state, at=session.clock.now())
    store.finish_mock_session(session.state.id, report=report, score=report.overall / 100, at=session.clock.now())
    if first_time:
        record_answers(store, session.state, report, items, at=session.clock.now())
    return report


def record_answers(store: Store, state: MockState, report: MockReport, items: Mapping[str, Any],
                   at: datetime) -> int:
    """Each answered concept question of a finished mock as an attempt of kind ``mock`` that reschedules the
    item, as an answer in practice does (flashcards: all key points covered is Good, some Hard, none Again).
    Returns how many were recorded."""
    from quiz import scheduling

    recorded = 0
    for score in report.entries:
        item = items.get(score.ref)
        done = state.entries[score.index]
        if score.kind != "item" or item is None or not done.answer.strip() or score.status in UNRECORDED:
            continue
        entry = state.plan.entries[score.index]
        answer = score.your_answer
        if entry.choice_order is not None:
            answer = f"{done.answer.strip()} {order_note(entry.choice_order)}"
        if score.item_type == "flashcard":
            correct, rating = None, 3 if score.score >= 1 else 2 if score.score > 0 else 1
        else:
            correct, rating = score.score >= 1, None
        scheduling.record_answer(store, item.id, now=at, correct=correct, rating=rating, seconds=done.seconds,
                                 estimated_seconds=getattr(item, "seconds", None), answer=answer,
                                 session_id=state.id, kind="mock")
        recorded += 1
    return recorded


UNRECORDED = ("unanswered", "not assessed", "unavailable")


def stored_report(store: Store, mock_id: str) -> MockReport | None:
    stored = store.get_mock_session(mock_id)
    if stored is None or stored.report is None:
        return None
    return MockReport.model_validate(stored.report)
