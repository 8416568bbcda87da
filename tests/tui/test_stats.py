"""The stats screen: mastery table, activity calendar and streak, due days, tasks, mock scores chart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from quiz.app import NnprepApp
from quiz.tui.widgets.calendar import ActivityCalendar
from tests.tui.seed import seed_progress


async def open_stats(pilot: Any) -> Any:
    await pilot.press("s")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return pilot.app.screen


async def test_stats_show_every_part(make_app: Callable[..., NnprepApp], db: Path) -> None:
    from textual_plot import PlotWidget

    seed_progress(db)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_stats(pilot)
        table = screen.query_one("#mastery")
        labels = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert "Activation functions" in labels and "Normalisation" in labels
        streak = str(screen.query_one("#streak-text").render())
        assert "Streak 1 day" in streak or "Streak" in streak
        due = str(screen.query_one("#due-days").render())
        assert "Due in the next 7 days" in due and due.count("\n") == 7
        calendar = screen.query_one(ActivityCalendar)
        assert sum(c for _, c in calendar.days) > 0
        assert "solved" in str(screen.query_one("#tasks-by-topic").render())
        assert screen.query(PlotWidget), "mock scores are plotted"
        assert not screen.query_one("#mock-empty").display


async def test_stats_on_an_empty_database(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_stats(pilot)
        assert "Streak 0 days" in str(screen.query_one("#streak-text").render())
        assert screen.query_one("#mock-empty").display
