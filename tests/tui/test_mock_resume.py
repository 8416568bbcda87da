"""An interrupted mock interview: leaving keeps it resumable, a new app offers it on the home screen (with the time
left as it stands), and one resumed after its deadline goes straight to submission."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from quiz.app import NnprepApp
from quiz.store import Store
from quiz.tui.screens.mock import MockScreen
from quiz.tui.screens.mock_report import MockReportScreen
from tests.tui.conftest import Clock
from tests.tui.mock_driving import go_to, index_of, settle, start_direct

pytestmark = pytest.mark.usefixtures("save_mock_at_once")


async def test_leave_keeps_it_resumable_and_crash_resume(make_app: Callable[..., NnprepApp], clock: Clock,
                                                         db: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_direct(pilot)
        numeric = index_of(screen, "t.numeric")
        await go_to(pilot, screen, numeric)
        await pilot.press("5", "5")
        clock.advance(seconds=3)
        screen.tick()  # the periodic save
        with Store(db) as store:
            (stored,) = store.mock_sessions(finished=False)
            assert stored.state["entries"][numeric]["answer"] == "55"
        mock_id = screen.session.state.id
        # escape asks: stay keeps the mock going.
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "LeaveMockScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
    # The app is gone without submitting (a crash, a closed terminal); a new one offers to resume.
    clock.advance(minutes=1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert home.query_one("#mock-resume").display is True
        text = str(home.query_one("#mock-resume-text", Static).render())
        assert "Custom mock" in text and "8:57 left" in text
        await pilot.press("u")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MockScreen)
        assert screen.session.state.id == mock_id
        assert screen.current == numeric
        assert screen.query_one(f"#entry-{numeric} Input", Input).value == "55"
        assert "8:57 left" in screen.sub_title
        # Leave (keep it resumable), then end it now from home: submitted as it stands.
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("l")
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        assert app.screen.query_one("#mock-resume").display is True
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MockReportScreen)
        report = app.screen.report
        assert {e.ref: e.status for e in report.entries}["t.numeric"] == "correct"
        assert not report.timed_out


async def test_resume_after_the_deadline_goes_straight_to_submission(make_app: Callable[..., NnprepApp],
                                                                      clock: Clock) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_direct(pilot)
        await go_to(pilot, screen, index_of(screen, "t.flash"))
        await pilot.press(*"sums")
        screen.tick()
    clock.advance(hours=1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "time is up" in str(app.screen.query_one("#mock-resume-text", Static).render())
        await pilot.press("u")
        await settle(pilot)
        assert type(app.screen).__name__ == "MockAssessScreen"
        await pilot.press("a", "ctrl+n")  # tick all: both key points
        await settle(pilot)
        assert isinstance(app.screen, MockReportScreen)
        report = app.screen.report
        assert report.timed_out
        assert {e.ref: e.status for e in report.entries}["t.flash"] == "correct"
