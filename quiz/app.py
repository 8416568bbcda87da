"""The nnprep Textual application: the home screen and navigation between the screens.

Start-up is kept light: only Textual is imported here; the bank, the engine (NumPy) and the store load after the
home screen's first paint, in workers or on first use.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen

from quiz.tui.base import STYLES
from quiz.tui.key_order import OrderedKeys
from quiz.tui.services import Services

# name -> (title, help text, key on the home screen)
DESTINATIONS: dict[str, tuple[str, str, str]] = {
    "practice": ("Practice", "Quiz yourself: flashcards, multiple choice, numbers and shapes", "p"),
    "tasks": ("Coding tasks", "Implement forward and backward passes in NumPy, graded with diagnostics", "c"),
    "review": ("Review due", "Practise the items due for review now", "r"),
    "leeches": ("Practise leeches", "A focused session on the items you have failed 8 times or more", "l"),
    "mock": ("Mock interview", "A timed mock interview: concept questions and coding, then a scored report", "m"),
    "stats": ("Stats", "Mastery by topic, review calendar, coding tasks, mock scores", "s"),
    "help": ("Help", "Keys and how nnprep works", "question_mark"),
}


EXIT_CRASHED = 3  # the app stopped on an unexpected error (what was typed was saved first)


def _task_commands() -> Any:
    """The palette's coding-task commands (imported when the palette first opens, not at start-up)."""
    from quiz.tui.task_commands import TaskCommands

    return TaskCommands


def _home_screen() -> Screen[Any]:
    from quiz.tui.screens.home import HomeScreen

    return HomeScreen()


class NnprepApp(OrderedKeys, App[int]):
    """Practise neural-network fundamentals for ML interviews."""

    TITLE = "nnprep"
    SUB_TITLE = "neural-network interview practice"
    CSS_PATH = STYLES / "app.tcss"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {"home": _home_screen}
    DEFAULT_MODE = "home"
    COMMANDS = App.COMMANDS | {lambda: _task_commands()}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", show=True, priority=True),
        Binding("f1", "go('help')", "Help", show=False),
    ]

    progress_problem: var[str | None] = var(None)
    """Why progress is NOT being saved (the database could not be used), or None; ``UnsavedProgress`` shows it."""

    def __init__(
        self, services: Services | None = None, *, watch_css: bool = False, start_mock: tuple[Any, int | None] | None
        = None,
    ) -> None:
        """``start_mock`` is ``(preset, seed)`` to open that mock interview at once (``nnprep mock --preset``)."""
        super().__init__(watch_css=watch_css)
        self.services = services or Services()
        self.start_mock = start_mock
        self.crashed = False

    @property
    def now(self) -> Callable[[], datetime]:
        return self.services.now

    # -- keys -------------------------------------------------------------------------------------------------------
    def key_blocked(self, event: events.Key) -> bool:
        """While the terminal is too small, no key reaches the hidden screen (ctrl+q still quits)."""
        return event.key != "ctrl+q" and self.screen.has_class("-too-small")

    def on_key(self, event: events.Key) -> None:
        """A key typed for a screen that has since been replaced (keys pressed during a transition) goes to the
        screen now shown, as if it had been pressed there; others go on to the bindings (``App._on_key``)."""
        meant_for = getattr(event, "nn_screen", None)
        if meant_for is not None and meant_for is not self.screen:
            event.prevent_default()
            (self.focused or self.screen)._forward_event(events.Key(event.key, event.character))

    def _handle_exception(self, error: Exception) -> None:
        """An unhandled error: save what every open screen holds (a mock's answers, a task's code), then exit with
        status 3 (``run_app``) after Textual's report of the error."""
        self.crashed = True
        for screen in self.screen_stack:
            save = getattr(screen, "save_on_crash", None)
            if save is not None:
                with contextlib.suppress(Exception):  # saving is best effort while the app is already failing
                    save()
        super()._handle_exception(error)

    def on_mount(self) -> None:
        # After the first paint, so start-up never waits for SQLite or the bank (pydantic, TOML, calculators).
        self.call_after_refresh(self.run_worker, self.open_progress, thread=True, group="progress",
                                exit_on_error=False)
        if self.start_mock is not None:
            self.call_after_refresh(self._start_mock)
        else:
            self.set_timer(0.2, self._load_bank_in_background)

    def open_progress(self) -> None:
        """Open the progress database (in a worker, at start): if it cannot be used, progress is kept in memory
        and every screen that shows progress says, until the app ends, that it is not being saved."""
        self.services.progress  # noqa: B018 -- opened here, once, off the UI thread
        problem = self.services.progress_problem
        if problem is not None:
            self.call_from_thread(self._warn_unsaved, problem)

    def _warn_unsaved(self, problem: str) -> None:
        from engine.untrusted_text import for_terminal  # the message quotes a path: no control characters
        from quiz.tui.widgets.unsaved import UNSAVED_TITLE, UNSAVED_TOAST

        self.progress_problem = for_terminal(problem)
        self.notify(UNSAVED_TOAST, title=UNSAVED_TITLE, severity="error", timeout=20)

    def _start_mock(self) -> None:
        from quiz.tui import mock_flow

        assert self.start_mock is not None
        preset, seed = self.start_mock
        mock_flow.start(self, preset, seed)

    def _load_bank_in_background(self) -> None:
        from quiz.tui.bank_loader import load_bank_worker

        load_bank_worker(self)

    # -- navigation -----------------------------------------------------------------------------------------------
    def keep_screen(self, key: str, factory: Callable[[], Screen[Any]]) -> Screen[Any]:
        """The screen installed as ``key``, created once and kept (with everything typed on it) when left."""
        if not self.is_screen_installed(key):
            self.install_screen(factory(), key)
        return self.get_screen(key)

    def show(self, screen: Screen[Any]) -> None:
        """Bring ``screen`` to the top: pop back to it if it is already open, else push it."""
        if screen in self.screen_stack:
            while self.screen is not screen:
                self.pop_screen()
        else:
            self.push_screen(screen)

    def go_home(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_go(self, where: str) -> None:
        """Open one of the main screens (home keys, command palette, help)."""
        from quiz.tui import navigation

        navigation.go(self, where)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand("Home", "Back to the home screen", self.go_home)
        for name, (title, help_text, _key) in DESTINATIONS.items():
            yield SystemCommand(title, help_text, lambda name=name: self.action_go(name))
        yield from super().get_system_commands(screen)


def run_app(args: Any) -> int:
    """Run the TUI for the CLI (``args.db``, ``args.deck``, ``args.skip_tag``; ``args.start_mock`` = (preset, seed)
    opens that mock interview directly); returns the exit status."""
    db = getattr(args, "db", None) or os.environ.get("NNPREP_DB") or None
    task_texts = None
    if getattr(args, "app_pack", None):  # `nnprep --pack DIR`: the pack's tasks instead of the built-in ones
        from quiz.commands.pack import load_pack_texts

        task_texts = load_pack_texts(args.app_pack)[1]
    services = Services(db=db, decks=list(getattr(args, "deck", None) or []),
                        skip_tags=list(getattr(args, "skip_tag", None) or []), task_texts=task_texts)
    if db is not None:  # a database someone chose (--db, NNPREP_DB) that cannot be used: say so, as the commands do
        services.progress  # noqa: B018
        if services.progress_problem is not None:
            from quiz.cli import CliError

            raise CliError(services.progress_problem)
    app = NnprepApp(services, start_mock=getattr(args, "start_mock", None))
    result = app.run()
    if app.crashed:
        return EXIT_CRASHED
    return int(result or 0)
