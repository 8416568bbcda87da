"""Driving a mock interview in the app with a fake clock: start one, move between questions, answer, the score
the report must show. Shared by the mock's Pilot and snapshot tests."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Select

from quiz.app import NnprepApp
from quiz.tui.screens.mock import MockScreen

CONCEPTS = {"t.mcq": "2", "t.numeric": "55", "t.flash": "sum rows"}  # t.mcq: its key's bank number


def concept_answers(screen: MockScreen) -> dict[str, str]:
    """CONCEPTS with the mcq's key as the candidate sees it (the choices are shuffled per entry)."""
    entry = screen.session.state.plan.entries[index_of(screen, "t.mcq")]
    assert entry.choice_order is not None
    return {**CONCEPTS, "t.mcq": str(entry.choice_order.index(int(CONCEPTS["t.mcq"]) - 1) + 1)}


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def start_custom(pilot: Pilot[Any], *, items: int = 5, coding: str = "", minutes: int = 10,
                       seed: int = 11) -> MockScreen:
    """Home → `m` → the custom preset → start."""
    await settle(pilot)
    await pilot.press("m")
    await pilot.pause()
    screen = pilot.app.screen
    assert type(screen).__name__ == "MockSetupScreen"
    await pilot.press("end")  # the last preset: custom
    await pilot.pause()
    screen.query_one("#custom-minutes", Input).value = str(minutes)
    screen.query_one("#custom-items", Input).value = str(items)
    screen.query_one("#custom-coding", Select).value = coding
    screen.query_one("#mock-seed", Input).value = str(seed)
    await pilot.press("ctrl+s")
    await settle(pilot)
    mock = pilot.app.screen
    assert isinstance(mock, MockScreen), type(mock).__name__
    return mock


async def start_direct(pilot: Pilot[Any], *, items: int = 5, coding: str = "", minutes: int = 10,
                       seed: int = 11) -> MockScreen:
    """The same custom mock as :func:`start_custom`, started as the setup screen does (quicker)."""
    from quiz.mock.presets import custom_preset
    from quiz.tui import mock_flow

    await settle(pilot)
    app = pilot.app
    assert isinstance(app, NnprepApp)
    mock_flow.start(app, custom_preset(minutes, items, [c for c in coding.split(",") if c], []), seed)
    await settle(pilot)
    mock = app.screen
    assert isinstance(mock, MockScreen), type(mock).__name__
    return mock


def index_of(screen: MockScreen, ref: str) -> int:
    return next(e.index for e in screen.session.state.plan.entries if e.ref == ref)


async def go_to(pilot: Pilot[Any], screen: MockScreen, index: int, *, keys: bool = False) -> None:
    """Move to entry ``index`` with the keys (ctrl+n / ctrl+b), or as the side list does (quicker)."""
    if not keys:
        screen.go(index)
        await pilot.pause()
        return
    while screen.current != index:
        await pilot.press("ctrl+n" if screen.current < index else "ctrl+b")
        await pilot.pause()


async def answer_concepts(pilot: Pilot[Any], screen: MockScreen) -> None:
    """The mcq right, the number right, a typed flashcard answer; t.multi and t.shape left blank."""
    for ref, answer in concept_answers(screen).items():
        await go_to(pilot, screen, index_of(screen, ref))
        await pilot.press(*answer)
        await pilot.pause()


def expected_overall(screen: MockScreen, shares: dict[str, float]) -> float:
    """The weighted score (weights: suggested seconds) the report must show."""
    entries = screen.session.state.plan.entries
    total = sum(e.suggested_seconds for e in entries)
    return round(100 * sum(shares.get(e.ref, 0.0) * e.suggested_seconds for e in entries) / total, 1)
