"""Stats: mastery by topic, a calendar of review activity with the streak, what is due, tasks, mock scores."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Label, LoadingIndicator, Static

from quiz.tui.base import STYLES, BaseScreen
from quiz.tui.services import Unavailable
from quiz.tui.widgets.calendar import ActivityCalendar
from quiz.tui.widgets.unsaved import UnsavedProgress


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.0f}%"


def _trend(v: float | None) -> str:
    if v is None:
        return "–"
    return "↑" if v > 0.05 else "↓" if v < -0.05 else "→"


TOPIC_WIDTH = 28  # the mastery table's topic column: all seven columns fit in 80 columns


def short(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"


def bar(n: int, peak: int, width: int = 12) -> str:
    return "█" * (round(width * n / peak) if peak else 0)


class StatsScreen(BaseScreen[None]):
    """Progress at a glance (computed in a worker from the store)."""

    CSS_PATH = STYLES / "stats.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f5", "reload", "Refresh"),
    ]
    plot_drawn = False  # set once the mock-score plot has been drawn (it draws after a refresh)

    def compose(self) -> ComposeResult:
        yield Header()
        yield UnsavedProgress(compact=True)
        yield LoadingIndicator(id="stats-loading")
        with VerticalScroll(id="stats-body"):
            with Horizontal(id="stats-top"):
                with Vertical(id="calendar-box", classes="panel"):
                    yield Label("Review activity", classes="title")
                    yield ActivityCalendar(id="calendar")
                with Vertical(id="streak-box", classes="panel"):
                    yield Static("", id="streak-text")
                    yield Static("", id="due-days")
            with Vertical(classes="panel", id="mastery-box"):
                yield Label("Mastery by topic", classes="title")
                yield DataTable(id="mastery", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="stats-bottom"):
                with Vertical(classes="panel", id="tasks-box"):
                    yield Label("Coding tasks solved", classes="title")
                    yield Static("", id="tasks-by-topic")
                with Vertical(classes="panel", id="mock-box"):
                    yield Label("Mock interview scores", classes="title")
                    yield Static("No finished mock interviews yet.", id="mock-empty")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#stats-body").display = False
        table = self.query_one("#mastery", DataTable)
        table.add_columns("Topic", "Items", "Tried", "Right", "Recall", "Trend", "Due")
        self.action_reload()

    @on(events.ScreenResume)
    def _resumed(self) -> None:
        if self.is_mounted and self.query_one("#stats-body").display:
            self.action_reload()

    def action_reload(self) -> None:
        self.compute()

    @work(thread=True, exclusive=True, group="stats")
    def compute(self) -> None:
        app: Any = self.app
        try:
            stats = app.services.stats()
        except Unavailable as e:
            self.from_worker(self._failed, str(e))
            return
        except Exception as e:
            self.from_worker(self._failed, f"{type(e).__name__}: {e}")
            return
        self.from_worker(self._show, stats)

    def _failed(self, message: str) -> None:
        self.query_one("#stats-loading").display = False
        self.query_one("#stats-body").display = True
        self.query_one("#streak-text", Static).update(f"Statistics are not available: {message}")

    def _show(self, stats: Any) -> None:
        self.query_one("#stats-loading").display = False
        self.query_one("#stats-body").display = True
        days = [(date.fromisoformat(d.day), d.count) for d in stats.activity]
        self.query_one("#calendar", ActivityCalendar).set_days(days)
        streak = stats.streak_days
        today = "" if stats.active_today else "\n[dim]nothing yet today: keep it going![/]" if streak else ""
        self.query_one("#streak-text", Static).update(
            f"[b]Streak[/b] {streak} day{'s' if streak != 1 else ''} · longest {stats.longest_streak_days}{today}\n"
            f"[b]{stats.total_attempts}[/b] answers · {stats.items_reviewed}/{stats.items_total} items seen\n"
            f"[b]Due now[/b] {stats.due_now}"
            + (f" · [red]{len(stats.leeches)} leech{'es' if len(stats.leeches) != 1 else ''}[/]"
               if stats.leeches else "")
        )
        peak = max((d.count for d in stats.due_next_days), default=0)
        lines = ["[b]Due in the next 7 days[/b]"]
        for d in stats.due_next_days:
            day = date.fromisoformat(d.day)
            lines.append(f"{day:%a %d}  {d.count:>3} [cyan]{bar(d.count, peak)}[/]")
        self.query_one("#due-days", Static).update("\n".join(lines))
        table = self.query_one("#mastery", DataTable)
        table.clear()
        for t in stats.topics:
            table.add_row(short(t.label, TOPIC_WIDTH), str(t.items), str(t.attempts), _pct(t.share_correct),
                          _pct(t.recall), _trend(t.trend), str(t.due_now))
        tasks = [f"[b]{stats.tasks_solved}/{stats.tasks_total}[/b] solved"]
        for p in stats.tasks_by_topic:
            tasks.append(f"{p.label[:26]:<26} {p.solved}/{p.total} [green]{bar(p.solved, p.total, 6)}[/]")
        self.query_one("#tasks-by-topic", Static).update("\n".join(tasks))
        self._plot_mocks(stats.mock_scores)

    def _plot_mocks(self, scores: list[Any]) -> None:
        box = self.query_one("#mock-box")
        self.query_one("#mock-empty").display = not scores
        if not scores:
            return
        from textual_plot import HiResMode, PlotWidget

        found = box.query(PlotWidget)
        plot = found.first() if found else PlotWidget(id="mock-plot", allow_pan_and_zoom=False)
        if not found:
            box.mount(plot)

        def draw() -> None:
            plot.clear()
            xs = list(range(1, len(scores) + 1))
            ys = [100 * s.score for s in scores]
            plot.plot(xs, ys, line_style="cyan", hires_mode=HiResMode.BRAILLE)
            plot.scatter(xs, ys, marker="●", marker_style="bold cyan")
            plot.set_xlimits(0.5, len(scores) + 0.5)
            plot.set_xticks(xs if len(xs) <= 10 else None)
            plot.set_ylimits(0, 100)
            plot.set_xlabel("mock interview #")
            plot.set_ylabel("score %")
            self.plot_drawn = True

        self.call_after_refresh(draw)
