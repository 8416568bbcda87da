"""The home screen: the product name, reviews due, the streak and the ways in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical
from textual.widgets import Button, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from quiz.tui.base import STYLES, BaseScreen
from quiz.tui.widgets.unsaved import UnsavedProgress

if TYPE_CHECKING:
    from quiz.app import NnprepApp

MENU: tuple[tuple[str, str, str, str], ...] = (
    ("practice", "Practice", "p", "flashcards, multiple choice, numbers, shapes"),
    ("tasks", "Coding tasks", "c", "NumPy forward and backward passes, graded"),
    ("review", "Review due", "r", "the items your schedule says are due"),
    ("stats", "Stats", "s", "mastery, calendar, tasks solved, mock scores"),
    ("help", "Help", "?", "keys and how nnprep works"),
    ("mock", "Mock interview", "m", "timed, like the real thing, with a report"),
)


DUE_REFRESH_SECONDS = 30.0


class HomeScreen(BaseScreen[None]):
    """Where nnprep starts."""

    CSS_PATH = STYLES / "home.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "app.go('practice')", "Practice"),
        Binding("c", "app.go('tasks')", "Coding tasks"),
        Binding("r", "app.go('review')", "Review due"),
        Binding("l", "leeches", "Leeches"),
        Binding("s", "app.go('stats')", "Stats"),
        Binding("m", "app.go('mock')", "Mock"),
        Binding("question_mark", "app.go('help')", "Help", key_display="?"),
        Binding("u", "resume_mock", "Resume mock"),
        Binding("x", "end_mock", "End mock"),
        Binding("q", "app.quit", "Quit", show=False),  # the footer shows ^q Quit, as on every screen
    ]

    def __init__(self) -> None:
        super().__init__()
        self.unfinished: Any = None  # the most recent interrupted mock (a quiz.mock.session.MockState)
        self.leeches = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield UnsavedProgress()
        with Vertical(id="home-body"):
            with Center():
                yield Static("nnprep", id="brand")
            yield Static("Neural-network fundamentals for ML interviews", id="tagline")
            with Horizontal(id="home-stats"):
                yield Static("Reviews due: …", id="due")
                yield Static("Streak: …", id="streak")
            with Center(), Horizontal(id="mock-resume"):
                yield Static("", id="mock-resume-text")
                yield Button("Resume (u)", id="mock-resume-button", variant="primary", compact=True)
                yield Button("End now (x)", id="mock-end-button", variant="warning", compact=True)
            with Center():
                options = [Option(f"[b]{key}[/b]  {title:<14} [dim]{what}[/]", id=name) for name, title, key, what
                           in MENU]
                yield OptionList(*options, id="menu")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#mock-resume").display = False
        self.query_one("#menu", OptionList).focus()
        self.call_after_refresh(self.refresh_counts)
        # Items fall due as time passes (a card rated Again is due in minutes): the count stays live.
        self.set_interval(DUE_REFRESH_SECONDS, self._refresh_if_shown)

    def _refresh_if_shown(self) -> None:
        if self.app.screen is self:
            self.refresh_counts()

    @on(events.ScreenResume)
    def _resumed(self) -> None:
        if self.is_mounted:
            self.refresh_counts()

    def refresh_counts(self) -> None:
        """Reviews due and the streak, read from the store in a worker (the first paint never waits for it)."""
        self._count(self.nn)

    @work(thread=True, exclusive=True, group="home-counts")
    def _count(self, app: NnprepApp) -> None:
        try:
            progress = app.services.progress
            due, streak, leeches = len(progress.due_ids()), progress.streak(), len(progress.leech_ids())
        except Exception as e:
            self.from_worker(self._show_counts, None, 0, 0, f"{type(e).__name__}: {e}")
            return
        self.from_worker(self._show_counts, due, streak, leeches, "")
        try:
            from quiz.mock.service import unfinished_mocks

            unfinished = unfinished_mocks(app.services.store())
        except Exception:
            unfinished = []
        self.from_worker(self._show_unfinished, unfinished)

    def _show_unfinished(self, unfinished: list[Any]) -> None:
        """Offer to resume (or end) the most recent interrupted mock interview."""
        self.unfinished = unfinished[-1] if unfinished else None
        banner = self.query_one("#mock-resume")
        banner.display = self.unfinished is not None
        self.refresh_bindings()
        if self.unfinished is None:
            return
        state = self.unfinished
        left = (state.deadline - self.nn.services.clock.now()).total_seconds()
        if state.status != "running":
            when = "submitted, not assessed yet"
        elif left > 0:
            when = f"{int(left) // 60}:{int(left) % 60:02d} left"
        else:
            when = "time is up"
        more = f" (+{len(unfinished) - 1} more)" if len(unfinished) > 1 else ""
        self.query_one("#mock-resume-text", Static).update(
            f"Unfinished mock: [b]{state.plan.preset.title}[/b] · {when}{more}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("resume_mock", "end_mock"):
            return self.unfinished is not None
        if action == "leeches":
            return self.leeches > 0
        return True

    def action_leeches(self) -> None:
        """A focused session on the items failed 8 times or more."""
        self.nn.action_go("leeches")

    @on(Button.Pressed, "#mock-resume-button")
    def action_resume_mock(self) -> None:
        """Reopen the interrupted mock with the time left as it stands (past its deadline: submit it)."""
        if self.unfinished is not None:
            from quiz.tui import mock_flow

            mock_flow.resume(self.nn, self.unfinished.id)

    @on(Button.Pressed, "#mock-end-button")
    def action_end_mock(self) -> None:
        """Submit the interrupted mock as it stands, then self-assessment and the report."""
        if self.unfinished is None:
            return
        from quiz.tui import mock_flow
        from quiz.tui.screens.confirm import ConfirmScreen

        mock_id = self.unfinished.id

        def answered(yes: bool | None) -> None:
            if yes:
                mock_flow.resume(self.nn, mock_id, end_now=True)

        self.app.push_screen(ConfirmScreen("End the unfinished mock now? It is submitted as it stands.",
                                           yes="End it", no="Not now"), answered)

    def _show_counts(self, due: int | None, streak: int, leeches: int, problem: str) -> None:
        if due is None:
            self.query_one("#due", Static).update("Reviews due: ?")
            self.notify(f"Progress store unavailable: {problem}", severity="warning")
            return
        self.leeches = leeches
        self.refresh_bindings()
        flagged = f" · leeches: [b]{leeches}[/b] (l)" if leeches else ""
        self.query_one("#due", Static).update(f"Reviews due: [b]{due}[/b]{flagged}")
        days = "day" if streak == 1 else "days"
        self.query_one("#streak", Static).update(f"Streak: [b]{streak}[/b] {days}")

    @on(OptionList.OptionSelected, "#menu")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.nn.action_go(event.option.id)
