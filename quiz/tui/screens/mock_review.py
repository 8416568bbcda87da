"""After a mock is submitted: the code is graded (in a worker, with progress), then each typed concept answer is
self-assessed against the model answer's key points."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Header, Label, Markdown, ProgressBar, SelectionList, Static

from quiz.mock.session import MockSession
from quiz.tui import mock_flow
from quiz.tui.base import STYLES, BaseScreen
from quiz.tui.mock_flow import MockContext
from quiz.tui.safe_text import plain
from quiz.tui.screens.practice_setup import topic_label
from quiz.tui.widgets.results import verdict_words


class MockGradingScreen(BaseScreen[None]):
    """Grades every coding answer of a submitted mock, one after the other, in the sandbox."""

    CSS_PATH = STYLES / "mock.tcss"

    def __init__(self, session: MockSession, ctx: MockContext) -> None:
        super().__init__()
        self.session = session
        self.ctx = ctx
        self.todo = mock_flow.coding_to_grade(session)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="grading", classes="panel"):
            yield Static("[b]Grading your code[/b] — every case, hidden ones too", id="grading-title")
            yield ProgressBar(total=len(self.todo), show_eta=False, id="grading-progress")
            yield Static("", id="grading-log")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.session.state.plan.preset.title} · submitted"
        self.grade_all(list(self.todo))

    @work(thread=True, exclusive=True, group="mock-grading", exit_on_error=False)
    def grade_all(self, indices: list[int]) -> None:
        """Grade each coding entry in turn (blocking calls into the sandbox, off the UI thread)."""
        for index in indices:
            entry = self.session.state.plan.entries[index]
            source = self.session.state.entries[index].answer
            self.from_worker(self._log, f"{entry.ref}: grading…")
            try:
                report = self.nn.services.grade(source, entry.ref, visible_only=False)
            except Exception as e:
                self.from_worker(self._graded, index, None, f"{type(e).__name__}: {e}")
                continue
            self.from_worker(self._graded, index, report, "")
        self.from_worker(self._done)

    def _log(self, line: str) -> None:
        log = self.query_one("#grading-log", Static)
        lines = [x for x in str(log.render()).splitlines() if not x.endswith("grading…")]
        log.update("\n".join([*map(escape, lines), escape(line)]))

    def _graded(self, index: int, report: Any, problem: str) -> None:
        ref = self.session.state.plan.entries[index].ref
        if report is None:
            self._log(f"{ref}: could not be graded ({problem})")
        else:
            self.session.set_report(index, report)
            mock_flow.save(self.nn, self.session, self.ctx)
            self._log(f"{ref}: {verdict_words(report.verdict)} · {report.score:.0f}/{report.max_score:.0f}")
        self.query_one("#grading-progress", ProgressBar).advance(1)

    def _done(self) -> None:
        mock_flow.assess(self.nn, self.session, self.ctx)


class MockAssessScreen(BaseScreen[None]):
    """One typed concept answer beside the model answer; the candidate ticks the key points it covered."""

    CSS_PATH = STYLES / "mock.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "next", "Next", priority=True),
        Binding("a", "tick_all", "Tick all"),
        Binding("escape", "app.go('home')", "Finish later"),
    ]

    def __init__(self, session: MockSession, ctx: MockContext, index: int, *, done: int, total: int) -> None:
        super().__init__()
        self.session = session
        self.ctx = ctx
        self.index = index
        self.done = done
        self.total = total
        entry = session.state.plan.entries[index]
        self.item = ctx.items[entry.ref]

    def compose(self) -> ComposeResult:
        entry = self.session.state.plan.entries[self.index]
        yield Header()
        yield Static(f"Self-assessment {self.done + 1}/{self.total} · question {self.index + 1} · "
                     f"{topic_label(entry.topic)}", id="assess-meta")
        with VerticalScroll(id="assess-body"):
            yield Markdown(self.item.prompt, id="assess-prompt")
            with Horizontal(id="assess-answers"):
                with Vertical(classes="panel assess-side"):
                    yield Label("[b]Your answer[/b]")
                    yield Static(plain(self.session.state.entries[self.index].answer), id="assess-yours")
                with Vertical(classes="panel assess-side"):
                    yield Label("[b]Model answer[/b]")
                    yield Markdown(self.item.answer, id="assess-model")
            yield Label("[b]Key points[/b] [dim]— tick those your answer covered (space), then ctrl+n[/]")
            yield SelectionList[int](*((p, n) for n, p in enumerate(self.item.key_points)), id="assess-points")
            yield Button("Next (ctrl+n)", id="assess-next", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.session.state.plan.preset.title} · self-assessment"
        self.query_one("#assess-points", SelectionList).focus()

    def action_tick_all(self) -> None:
        self.query_one("#assess-points", SelectionList).select_all()

    @on(Button.Pressed, "#assess-next")
    def action_next(self) -> None:
        ticked = list(self.query_one("#assess-points", SelectionList).selected)
        self.session.assess(self.index, ticked)
        mock_flow.save(self.nn, self.session, self.ctx)
        pending = mock_flow.to_assess(self.session, self.ctx)
        if pending:
            mock_flow.replace_top(self.nn, MockAssessScreen(self.session, self.ctx, pending[0],
                                                            done=self.done + 1, total=self.total))
        else:
            mock_flow.finish(self.nn, self.session, self.ctx)
