"""Opening the main screens by name (home keys, command palette, help links)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quiz.app import NnprepApp


def go(app: NnprepApp, where: str) -> None:
    """Open the screen called ``where``: practice, tasks, review, leeches, mock, stats, help or home."""
    if where == "home":
        app.go_home()
    elif where == "practice":
        from quiz.tui.screens.practice_setup import PracticeSetupScreen

        app.show(app.keep_screen("practice", PracticeSetupScreen))
    elif where == "review":
        from quiz.tui.screens.practice_setup import start_review

        start_review(app)
    elif where == "leeches":
        from quiz.tui.screens.practice_setup import start_leeches

        start_leeches(app)
    elif where == "tasks":
        from quiz.tui.screens.task_list import TaskListScreen

        app.show(app.keep_screen("tasks", TaskListScreen))
    elif where == "mock":
        from quiz.tui.screens.mock_setup import MockSetupScreen

        app.show(app.keep_screen("mock", MockSetupScreen))
    elif where == "stats":
        from quiz.tui.screens.stats import StatsScreen

        app.show(app.keep_screen("stats", StatsScreen))
    elif where == "help":
        from quiz.tui.screens.help import HelpScreen

        app.show(app.keep_screen("help", HelpScreen))
    else:
        raise ValueError(f"unknown screen {where!r}")
