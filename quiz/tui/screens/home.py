"""The home screen: the product name, reviews due, the streak and the ways in."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Horizontal, Vertical
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from quiz.tui.base import STYLES, BaseScreen

if TYPE_CHECKING:
    from quiz.app import NnprepApp

MENU: tuple[tuple[str, str, str, str], ...] = (
    ("practice", "Practice", "p", "flashcards, multiple choice, numbers, shapes"),
    ("tasks", "Coding tasks", "c", "NumPy forward and backward passes, graded"),
    ("review", "Review due", "r", "the items your schedule says are due"),
    ("stats", "Stats", "s", "mastery, calendar, tasks solved, mock scores"),
    ("help", "Help", "?", "keys and how nnprep works"),
)


class HomeScreen(BaseScreen[None]):
    """Where nnprep starts."""

    CSS_PATH = STYLES / "home.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "app.go('practice')", "Practice"),
        Binding("c", "app.go('tasks')", "Coding tasks"),
        Binding("r", "app.go('review')", "Review due"),
        Binding("s", "app.go('stats')", "Stats"),
        Binding("question_mark", "app.go('help')", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home-body"):
            with Center():
                yield Static("nnprep", id="brand")
            yield Static("Neural-network fundamentals for ML interviews", id="tagline")
            with Horizontal(id="home-stats"):
                yield Static("Reviews due: …", id="due")
                yield Static("Streak: …", id="streak")
            with Center():
                options = [Option(f"[b]{key}[/b]  {title:<13} [dim]{what}[/]", id=name) for name, title, key, what
                           in MENU]
                yield OptionList(*options, id="menu")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#menu", OptionList).focus()
        self.call_after_refresh(self.refresh_counts)

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
            due, streak = len(progress.due_ids()), progress.streak()
        except Exception as e:
            app.call_from_thread(self._show_counts, None, 0, f"{type(e).__name__}: {e}")
            return
        app.call_from_thread(self._show_counts, due, streak, "")

    def _show_counts(self, due: int | None, streak: int, problem: str) -> None:
        if due is None:
            self.query_one("#due", Static).update("Reviews due: ?")
            self.notify(f"Progress store unavailable: {problem}", severity="warning")
            return
        self.query_one("#due", Static).update(f"Reviews due: [b]{due}[/b]")
        days = "day" if streak == 1 else "days"
        self.query_one("#streak", Static).update(f"Streak: [b]{streak}[/b] {days}")

    @on(OptionList.OptionSelected, "#menu")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.nn.action_go(event.option.id)
