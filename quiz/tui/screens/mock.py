"""The running mock interview: a countdown, every question a key away, answers saved as typed, no feedback.

A one-second timer calls ``session.tick()``: it updates the countdown, saves what changed, and when time is up the
session submits everything as it stands and the app moves on to grading, self-assessment and the report. The
deadline is absolute, so the countdown is right after a resume too.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar, Literal

from rich.markup import escape
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.timer import Timer
from textual.widgets import Button, ContentSwitcher, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from quiz.mock.session import MockSession
from quiz.tui import mock_flow
from quiz.tui.base import STYLES, BaseModal, BaseScreen
from quiz.tui.mock_flow import MockContext
from quiz.tui.screens.practice_setup import topic_label
from quiz.tui.services import Drawn
from quiz.tui.widgets.mock import SHORT_NAMES, AnswerChanged, CodingPane, EntryPane, mmss, pane_for

TICK_SECONDS = 1.0
SAVE_EVERY_SECONDS = 2.0  # at most this long between a keystroke and the store
LOW_TIME_SECONDS = 60
CLOCK_WIDTH = 16  # #mock-clock's width in mock.tcss


LeaveChoice = Literal["leave", "submit", "stay"]


class LeaveMockScreen(BaseModal[LeaveChoice]):
    """Leaving a running mock: keep it resumable, submit it now, or stay."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "choose('leave')", "Leave"),
        Binding("s", "choose('submit')", "Submit now"),
        Binding("escape", "choose('stay')", "Stay"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("[b]Leave the mock interview?[/b]\n\nLeaving keeps it on the home screen to resume; the "
                         "clock keeps running. Submitting ends it now and goes to the report.")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Stay (esc)", id="stay")
                yield Button("Leave (l)", id="leave", variant="primary")
                yield Button("Submit now (s)", id="submit", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def action_choose(self, choice: LeaveChoice) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        choice: LeaveChoice = "leave" if event.button.id == "leave" else \
            "submit" if event.button.id == "submit" else "stay"
        self.dismiss(choice)


class MockScreen(BaseScreen[None]):
    """The questions of a running mock, one at a time, with the list of all of them on the side."""

    CSS_PATH = STYLES / "mock.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "step(1)", "Next", priority=True),
        Binding("ctrl+b", "step(-1)", "Prev", priority=True),
        Binding("ctrl+r", "run_examples", "Examples", priority=True),
        Binding("ctrl+s", "submit", "Submit", priority=True),
        Binding("ctrl+l", "focus_list", "List", priority=True),
        Binding("f2", "toggle_list", "Hide list", show=False),
        Binding("escape", "leave", "Leave", priority=True),
    ]

    # The answer of the question shown has focus from the first frame (never the question list).
    AUTO_FOCUS = ".mock-answer-box, .mock-value, .mock-choices, .mock-editor"
    FOCUS_TRIES = 100  # a pane still being built is retried every FOCUS_RETRY_SECONDS, at most this many times
    FOCUS_RETRY_SECONDS = 0.01

    def __init__(self, session: MockSession, ctx: MockContext) -> None:
        super().__init__()
        self.hold_keys = False  # True while the answer of a newly shown question is getting focus (keys wait)
        self.session = session
        self.ctx = ctx
        self._dirty = False
        self._last_save = time.monotonic()
        self._timer: Timer | None = None
        self._ended = False
        self.running_examples: Worker[Any] | None = None

    @property
    def plan(self) -> Any:
        return self.session.state.plan

    @property
    def current(self) -> int:
        return self.session.state.current

    # -- layout ---------------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="mock-bar"):
            yield Static("", id="mock-clock")
            yield Static("", id="mock-where")
        with Horizontal(id="mock-main"):
            yield OptionList(*(Option(self._entry_label(e.index), id=f"go-{e.index}") for e in self.plan.entries),
                             id="mock-entries")
            with ContentSwitcher(id="mock-panes", initial=f"entry-{self.current}"):
                yield self._pane(self.plan.entries[self.current])  # the others are built on first visit
        yield Footer()

    def _pane(self, entry: Any) -> EntryPane | Static:
        answer = self.session.state.entries[entry.index].answer
        pane_id = f"entry-{entry.index}"
        if entry.kind == "task":
            text = self.ctx.tasks.get(entry.ref)
            if text is None:
                return Static(f"The coding task {escape(entry.ref)} is no longer available.", id=pane_id)
            return pane_for(entry, text, "", answer, id=pane_id)
        item = self.ctx.items.get(entry.ref)
        if item is None:
            return Static(f"The question {escape(entry.ref)} is no longer in the bank.", id=pane_id)
        try:
            drawn = self.nn.services.draw(item, entry.seed if entry.seed is not None else 0)
        except Exception as e:
            drawn = Drawn(f"{item.prompt}\n\n*(could not draw this question's numbers: {e})*")
        return pane_for(entry, item, drawn.prompt, answer, id=pane_id)

    def _entry_label(self, index: int) -> str:
        entry = self.plan.entries[index]
        answered = bool(self.session.state.entries[index].answer.strip())
        mark = "[green]●[/]" if answered else "[dim]○[/]"
        return f"{index + 1:>2} {mark} {SHORT_NAMES.get(entry.item_type, entry.item_type)}"

    def on_mount(self) -> None:
        self.query_one("#mock-entries", OptionList).highlighted = self.current
        self._timer = self.set_interval(TICK_SECONDS, self.tick)
        self._show_clock()
        self._show_where()
        self._focus_pane()

    def _focus_pane(self, tries: int = FOCUS_TRIES) -> None:
        """Focus the answer of the question shown; keys typed meanwhile wait (``hold_keys``) and then reach it."""
        self.hold_keys = True
        found = self.query(f"#entry-{self.current}")
        pane = found.first() if found else None
        if isinstance(pane, EntryPane) and pane.is_mounted:
            try:
                widget = pane.answer_widget()
            except NoMatches:  # its widgets are still being built
                widget = None
            if widget is not None and widget.is_mounted:
                pane.start_focus()
                self.app.call_later(self._release_keys)  # after the focus change, which is queued on the app
                return
        elif pane is not None and pane.is_mounted:  # a question no longer available: nothing to answer
            self.hold_keys = False
            return
        if tries > 1:
            self.set_timer(self.FOCUS_RETRY_SECONDS, lambda: self._focus_pane(tries - 1))
        else:
            self.hold_keys = False

    def _release_keys(self) -> None:
        self.hold_keys = False

    def save_on_crash(self) -> None:
        """Called by the app on an unexpected error: keep the answers typed so far."""
        if not self._ended:
            mock_flow.save(self.nn, self.session, self.ctx)

    # -- the clock ------------------------------------------------------------------------------------------------
    def tick(self) -> None:
        """The timer's callback: submit when time is up; else refresh the countdown and save what changed."""
        if self._ended:
            return
        if self.session.tick():
            self._end()
            return
        self._show_clock()
        self._show_where()
        if self._dirty and time.monotonic() - self._last_save >= SAVE_EVERY_SECONDS:
            self.save()

    def _show_clock(self) -> None:
        left = self.session.remaining().total_seconds()
        text = f"{mmss(left)} left"
        clock = self.query_one("#mock-clock", Static)
        clock.update(text)
        clock.set_class(left <= LOW_TIME_SECONDS, "-low")
        self.sub_title = f"{self.plan.preset.title} · {text}"

    def _show_where(self) -> None:
        entry = self.plan.entries[self.current]
        state = self.session.state
        spent = state.entries[self.current].seconds + max(
            0.0, (min(self.session.clock.now(), state.deadline) - state.entered_at).total_seconds())
        kind = SHORT_NAMES.get(entry.item_type, entry.item_type)
        where = (f"{self.current + 1}/{len(self.plan.entries)} · {mmss(spent)} of "
                 f"~{mmss(entry.suggested_seconds)} · {kind}")
        room = self.app.size.width - CLOCK_WIDTH - len(where) - 4  # what the topic may take on this line
        topic = topic_label(entry.topic)
        if room < len(topic):
            topic = topic[: room - 1] + "…" if room > 8 else ""
        self.query_one("#mock-where", Static).update(f"{where} · {topic}" if topic else where)

    # -- answers --------------------------------------------------------------------------------------------------
    @on(AnswerChanged)
    def _answer_changed(self, event: AnswerChanged) -> None:
        was_answered = bool(self.session.state.entries[event.index].answer.strip())
        self.session.set_answer(event.index, event.answer)
        self._dirty = True
        if was_answered != bool(event.answer.strip()):
            self.query_one("#mock-entries", OptionList).replace_option_prompt_at_index(
                event.index, self._entry_label(event.index))

    def save(self) -> None:
        """Write the session to the store now."""
        if mock_flow.save(self.nn, self.session, self.ctx):
            self._dirty = False
        self._last_save = time.monotonic()

    @on(events.ScreenSuspend)
    def _suspended(self) -> None:
        if not self._ended:
            self.save()

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._dirty:
            self.save()

    # -- navigation -----------------------------------------------------------------------------------------------
    def go(self, index: int) -> None:
        """Show entry ``index`` (the time spent so far is counted on the one left)."""
        if self._ended or not 0 <= index < len(self.plan.entries):
            return
        if index == self.current:
            self._focus_pane()  # back from the list to the question shown
            return
        kind_changed = self.plan.entries[index].kind != self.plan.entries[self.current].kind
        self.session.go_to(index)
        switcher = self.query_one("#mock-panes", ContentSwitcher)
        if not switcher.query_children(f"#entry-{index}"):
            switcher.mount(self._pane(self.plan.entries[index]))
        switcher.current = f"entry-{index}"
        self.query_one("#mock-entries", OptionList).highlighted = index
        self._show_where()
        self.save()
        if kind_changed:
            self.refresh_bindings()  # "Run examples" only shows on coding questions
        self._focus_pane()

    def action_step(self, delta: int) -> None:
        self.go(max(0, min(len(self.plan.entries) - 1, self.current + delta)))

    @on(OptionList.OptionSelected, "#mock-entries")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.go(event.option_index)

    def on_input_submitted(self) -> None:
        """Enter in a number or shape box goes on to the next question."""
        self.action_step(1)

    def action_focus_list(self) -> None:
        self.hold_keys = False
        entries = self.query_one("#mock-entries", OptionList)
        entries.display = True
        entries.focus()

    def action_toggle_list(self) -> None:
        entries = self.query_one("#mock-entries", OptionList)
        entries.display = not entries.display

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run_examples":
            return bool(self.plan.entries[self.current].kind == "task")
        return True

    # -- visible examples -----------------------------------------------------------------------------------------
    def action_run_examples(self) -> None:
        pane = self.query_one(f"#entry-{self.current}")
        if not isinstance(pane, CodingPane):
            return
        if self.running_examples is not None and self.running_examples.state in (WorkerState.PENDING,
                                                                                 WorkerState.RUNNING):
            self.notify("Still running the examples: keep typing, they will finish.", severity="warning")
            return
        pane.running("Running the visible examples…")
        self.running_examples = self.run_examples(pane, pane.code, pane.entry.ref)

    @work(thread=True, exclusive=True, group="mock-examples", exit_on_error=False)
    def run_examples(self, pane: CodingPane, source: str, task_id: str) -> None:
        """The visible examples only, in the sandbox (the hidden cases wait for the submission)."""
        started = time.monotonic()
        try:
            report = self.nn.services.grade(source, task_id, visible_only=True)
        except Exception as e:
            self.from_worker(pane.show_examples, None, f"Could not run the examples: {type(e).__name__}: {e}")
            return
        seconds = time.monotonic() - started
        n_pass = sum(str(getattr(c.verdict, "value", c.verdict)) == "passed" for c in report.cases)
        self.from_worker(pane.show_examples, report,
                                  f"Examples: {n_pass}/{len(report.cases)} passed ({seconds:.1f} s)")

    # -- leaving and submitting -----------------------------------------------------------------------------------
    def action_submit(self) -> None:
        from quiz.tui.screens.confirm import ConfirmScreen

        unanswered = sum(not e.answer.strip() for e in self.session.state.entries)
        more = f" {unanswered} question{'s are' if unanswered != 1 else ' is'} unanswered." if unanswered else ""

        def answered(yes: bool | None) -> None:
            if yes:
                self.submit_now()

        self.app.push_screen(ConfirmScreen(f"Submit the mock now?{more} Answers cannot change afterwards.",
                                           yes="Submit", no="Keep going"), answered)

    def submit_now(self) -> None:
        """Lock the answers as they stand and go on to grading, self-assessment and the report."""
        self.session.submit()
        self._end()

    def _end(self) -> None:
        self._ended = True
        if self._timer is not None:
            self._timer.stop()
        self._dirty = False
        mock_flow.after_submit(self.nn, self.session, self.ctx)

    def action_leave(self) -> None:
        def chosen(choice: LeaveChoice | None) -> None:
            if choice == "leave":
                self.save()
                self.nn.go_home()
            elif choice == "submit":
                self.submit_now()

        self.app.push_screen(LeaveMockScreen(), chosen)
