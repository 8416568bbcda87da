"""One coding task: the statement beside a Python editor; run the examples or submit, in the background.

Grading runs in a thread worker that calls the sandboxed grader, so the editor stays responsive (an infinite loop
ends with a time-limit verdict). ``esc`` while grading cancels it for real: the sandboxed child is killed, and a
cancelled grade is not recorded as an attempt. Leaving the screen cancels a grade still running.
The code is autosaved to the store, debounced, and when the screen is left.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any, ClassVar

from rich.markup import escape
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import (
    Button,
    Footer,
    Header,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)
from textual.widgets.text_area import Selection
from textual.worker import Worker, WorkerState

from quiz.tui.base import STYLES, BaseScreen
from quiz.tui.screens.practice_setup import topic_label
from quiz.tui.widgets.editor import CodeEditor
from quiz.tui.widgets.markdown_text import MarkdownText
from quiz.tui.widgets.results import ResultsView, task_tolerance
from quiz.tui.widgets.unsaved import UnsavedProgress

AUTOSAVE_SECONDS = 1.0


def syntax_error_line(message: str) -> int | None:
    """The line of a syntax error from its message: the sandbox's ``line 3: invalid syntax``, or Python's
    ``... on line 2 (submission.py, line 3)`` (the location in parentheses, not a line the message mentions)."""
    found = re.match(r"\s*line (\d+):", message) or (re.findall(r"line (\d+)\)", message) or [None])[-1]
    if isinstance(found, re.Match):
        return int(found.group(1))
    return int(found) if found else None


class TaskScreen(BaseScreen[None]):
    """Statement, editor, results, hints and the reference solution of one coding task."""

    CSS_PATH = STYLES / "tasks.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel_grade", "Cancel grade"),  # only while grading (check_action)
        Binding("escape", "back", "Back"),
        Binding("ctrl+r", "run(True)", "Examples", priority=True),
        Binding("ctrl+s", "run(False)", "Submit", priority=True),
        Binding("ctrl+g", "hint", "Hint", priority=True),
        Binding("ctrl+o", "solution", "Solution", priority=True),
        Binding("ctrl+t", "reset", "Reset", priority=True, show=False),  # in Help; the footer must fit 80 columns
        Binding("f2", "toggle_side", "Wide editor", show=False),
        Binding("ctrl+e", "focus_editor", "Editor", show=False),
    ]

    def __init__(self, task_id: str, text: Any) -> None:
        super().__init__()
        self.task_id = task_id
        self.text = text
        self.hints_shown = 0
        self.attempted = False
        self.running: Worker[Any] | None = None
        self._cancel = threading.Event()  # the running grade's: set to stop it
        self.run_started = 0.0
        self.run_seq = 0
        self._save_timer: Timer | None = None
        self._tick: Timer | None = None
        self._dirty = False

    # -- layout ---------------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        text = self.text
        yield Header()
        yield UnsavedProgress(compact=True)
        with Horizontal(id="task-main"):
            with TabbedContent(id="task-side", initial="tab-statement"):
                with TabPane("Task", id="tab-statement"), VerticalScroll(id="statement-scroll"):
                    yield Static(f"[b]{escape(text.title)}[/b] · {topic_label(text.topic)} · {text.difficulty} · "
                                 f"~{text.minutes} min", classes="muted")
                    yield MarkdownText(text.statement, id="statement")
                with TabPane("Results", id="tab-results"):
                    yield ResultsView(id="results-scroll")
                with TabPane("Hints", id="tab-hints"), VerticalScroll(id="hints-scroll"):
                    yield MarkdownText("No hints yet: ctrl+g shows the first.", id="hints")
                with TabPane("Solution", id="tab-solution"), VerticalScroll(id="solution-scroll"):
                    yield MarkdownText("The reference solution appears here (ctrl+o).", id="solution")
                    # Wrapped to the pane's width, selectable, and one button away from the editor.
                    yield Button("Copy to the editor", id="use-solution")
                    yield TextArea("", language="python", read_only=True, soft_wrap=True, id="solution-code")
            with Vertical(id="task-editor-column"):
                yield CodeEditor.code_editor(self._initial_code(), language="python", id="editor",
                                             soft_wrap=False)
                with Horizontal(id="run-status"):
                    yield Static("Ready · ctrl+r runs the examples, ctrl+s submits", id="run-label")
                    yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="run-progress")
        yield Footer()

    def _initial_code(self) -> str:
        try:
            draft = self.nn.services.progress.load_draft(self.task_id)
        except Exception:
            draft = None
        return draft if draft is not None else str(self.text.starter)

    def on_mount(self) -> None:
        self.query_one("#run-progress").display = False
        self.query_one("#solution-code").display = False
        self.query_one("#use-solution").display = False
        self.query_one("#editor", TextArea).focus()
        self.sub_title = self.text.title
        try:
            self.attempted = self.task_id in self.nn.services.progress.task_statuses()
        except Exception:
            self.attempted = False

    # -- autosave -------------------------------------------------------------------------------------------------
    @on(TextArea.Changed, "#editor")
    def _edited(self) -> None:
        self._dirty = True
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(AUTOSAVE_SECONDS, self.save_draft)

    def save_draft(self) -> None:
        if not self._dirty:
            return
        try:
            self.nn.services.progress.save_draft(self.task_id, self.code)
            self._dirty = False
        except Exception as e:
            self.notify(f"Could not save your code: {e}", severity="error")

    @on(events.ScreenSuspend)
    def _suspended(self) -> None:
        self.save_draft()

    def on_unmount(self) -> None:
        self._cancel.set()  # a grade still running is stopped, not left to spin
        self.save_draft()

    @property
    def code(self) -> str:
        return self.query_one("#editor", TextArea).text

    # -- running --------------------------------------------------------------------------------------------------
    @property
    def grading(self) -> bool:
        """True while a grade is running (and not cancelled)."""
        running = self.running is not None and self.running.state in (WorkerState.PENDING, WorkerState.RUNNING)
        return running and not self._cancel.is_set()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``esc`` cancels a running grade, and leaves the screen otherwise (one footer entry at a time)."""
        if action == "cancel_grade":
            return self.grading
        if action == "back":
            return not self.grading
        return True

    def action_cancel_grade(self) -> None:
        """Stop the running grade: the engine kills the sandboxed child; nothing is recorded."""
        if not self.grading:
            return
        self._cancel.set()
        self.query_one("#run-label", Static).update("Cancelling…")
        self.refresh_bindings()

    def action_run(self, visible_only: bool) -> None:
        if self.grading or (self.running is not None and not self.running.is_finished):
            self.notify("Still running the previous one: keep typing, it will finish.", severity="warning")
            return
        self.save_draft()
        self.run_seq += 1
        self.run_started = time.monotonic()
        what = "Running the examples" if visible_only else "Grading every case"
        self.query_one("#run-label", Static).update(f"{what}… 0.0 s")
        self.query_one("#run-progress").display = True
        self._tick = self.set_interval(0.1, self._update_clock)
        self._cancel = threading.Event()
        self.running = self.grade(self.code, visible_only, self.run_seq, self._cancel)
        self.refresh_bindings()

    def _update_clock(self) -> None:
        if self._cancel.is_set():
            return
        label = self.query_one("#run-label", Static)
        text = str(label.render()).split("…")[0]
        label.update(f"{text}… {time.monotonic() - self.run_started:.1f} s")

    @work(thread=True, exclusive=True, group="grade", exit_on_error=False)
    def grade(self, source: str, visible_only: bool, seq: int, cancel: threading.Event) -> None:
        from engine.runner import RunCancelled

        try:
            report = self.nn.services.grade(source, self.task_id, visible_only=visible_only, cancel=cancel)
        except RunCancelled:
            self.from_worker(self._cancelled, seq)
            return
        except Exception as e:
            self.from_worker(self._failed, seq, f"{type(e).__name__}: {e}")
            return
        self.from_worker(self._graded, seq, source, report, visible_only)

    def _stop_clock(self) -> None:
        if self._tick is not None:
            self._tick.stop()
            self._tick = None
        self.query_one("#run-progress").display = False
        self.refresh_bindings()

    def _cancelled(self, seq: int) -> None:
        if seq != self.run_seq or not self.is_attached:
            return
        self._stop_clock()
        seconds = time.monotonic() - self.run_started
        self.query_one("#run-label", Static).update(f"Grading cancelled ({seconds:.1f} s): nothing was recorded")

    def _failed(self, seq: int, message: str) -> None:
        if seq != self.run_seq:
            return
        self._stop_clock()
        self.query_one("#run-label", Static).update("Could not grade")
        self.query_one(ResultsView).show_message(f"Grading failed: {message}")
        self.query_one(TabbedContent).active = "tab-results"

    def _graded(self, seq: int, source: str, report: Any, visible_only: bool) -> None:
        if seq != self.run_seq:
            return
        if self._cancel.is_set():  # finished just as it was cancelled: dropped all the same, as the user asked
            self._cancelled(seq)
            return
        self._stop_clock()
        self.attempted = True
        seconds = time.monotonic() - self.run_started
        words = str(getattr(report.verdict, "value", report.verdict)).replace("_", " ")
        what = "Examples" if visible_only else "Submission"
        self.query_one("#run-label", Static).update(f"{what}: {words} ({seconds:.1f} s)")
        self.query_one(ResultsView).show_report(report, visible_only=visible_only,
                                                  tolerance=task_tolerance(self.task_id))
        self.query_one(TabbedContent).active = "tab-results"
        if words == "syntax error":
            self.mark_line(syntax_error_line(str(report.message or "")))
        try:
            self.nn.services.progress.record_submission(self.task_id, source, report, visible_only=visible_only)
        except Exception as e:
            self.notify(f"Could not save the report: {e}", severity="error")
        if report.passed and not visible_only:
            self.notify(f"{self.text.title}: solved!", title="Passed")

    def mark_line(self, line: int | None) -> None:
        """Select line ``line`` (1-based) in the editor and put the cursor there: where the syntax error is."""
        editor = self.query_one("#editor", TextArea)
        if line is None or not 1 <= line <= editor.document.line_count:
            return
        row = line - 1
        editor.selection = Selection((row, 0), (row, len(editor.document.get_line(row))))
        editor.scroll_cursor_visible()
        editor.focus()

    # -- hints, solution, reset -----------------------------------------------------------------------------------
    def action_hint(self) -> None:
        hints = list(self.text.hints)
        if self.hints_shown >= len(hints):
            self.notify("That was the last hint. ctrl+o shows the reference solution.")
        else:
            self.hints_shown += 1
        shown = "\n\n".join(f"**Hint {n + 1}.** {h}" for n, h in enumerate(hints[: self.hints_shown]))
        more = len(hints) - self.hints_shown
        if more:
            shown += f"\n\n*{more} more: ctrl+g*"
        self.query_one("#hints", MarkdownText).update_markdown(shown)
        self.query_one(TabbedContent).active = "tab-hints"

    def action_solution(self) -> None:
        if self.attempted:
            self._show_solution()
            return
        from quiz.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._show_solution()

        self.app.push_screen(ConfirmScreen(
            "You have not run your code on this task yet. Show the reference solution anyway?",
            yes="Show it", no="Not yet"), answered)

    def _show_solution(self) -> None:
        try:
            source = self.nn.services.reference_solution(self.task_id)
        except Exception as e:
            self.notify(f"The reference solution is not available: {e}", severity="error")
            return
        notes = str(getattr(self.text, "solution_notes", "") or "")
        self.query_one("#solution", MarkdownText).update_markdown(notes or "The reference solution:")
        code = self.query_one("#solution-code", TextArea)
        code.load_text(source)
        code.display = True
        self.query_one("#use-solution").display = True
        self.query_one(TabbedContent).active = "tab-solution"

    @on(Button.Pressed, "#use-solution")
    def copy_solution(self) -> None:
        """Put the reference solution in the editor (ctrl+z there brings your code back)."""
        editor = self.query_one("#editor", TextArea)
        editor.replace(self.query_one("#solution-code", TextArea).text, editor.document.start, editor.document.end)
        editor.focus()
        self.notify("The reference solution is in the editor; ctrl+z brings your code back.")

    def action_reset(self) -> None:
        from quiz.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                editor = self.query_one("#editor", TextArea)
                editor.replace(str(self.text.starter), editor.document.start, editor.document.end)
                self._dirty = True
                self.save_draft()
                editor.focus()

        self.app.push_screen(ConfirmScreen("Replace your code with the starter? (ctrl+z undoes it in the editor)",
                                           yes="Reset", no="Keep mine"), answered)

    def action_toggle_side(self) -> None:
        self.query_one("#task-side").toggle_class("-hidden")

    def action_focus_editor(self) -> None:
        self.query_one("#editor", TextArea).focus()

    def action_back(self) -> None:
        self.save_draft()
        self.dismiss()
