"""Coding tasks: the list, the editor with autosave, run/submit in a worker, results, hints, solution, reset.

The product grades only in the sandbox; tests marked ``needs_sandbox`` use it and skip until it exists. The
others inject the test-only in-process runner to exercise the screens quickly with our own known submissions.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from quiz.app import NnprepApp
from quiz.store import Store
from quiz.tui.widgets.heatmap import Heatmap
from quiz.tui.widgets.results import CaseView
from quiz.tui.widgets.value_table import ValueTable
from tests.support.inprocess import InProcessRunner
from tests.tui.bank import LINEAR_STARTER
from tests.tui.conftest import needs_sandbox
from tests.tui.waiting import wait_until

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions" / "linear"
CORRECT = (SUBMISSIONS / "correct_reference.py").read_text()
TRANSPOSED = (SUBMISSIONS / "wrong_transposed_dw.py").read_text()
UPSTREAM_IGNORED = (SUBMISSIONS / "wrong_upstream_ignored.py").read_text()
INFINITE = "def linear_forward(x, W, b):\n    while True:\n        pass\n\n\ndef linear_backward(dy, x, W, b):\n" \
           "    while True:\n        pass\n"


async def open_linear(pilot: Pilot[Any]) -> Any:
    await pilot.press("c")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert type(pilot.app.screen).__name__ == "TaskScreen"
    return pilot.app.screen


async def settle(pilot: Pilot[Any], screen: Any, timeout: float = 30.0) -> None:
    """Wait for the grading worker to finish (the UI keeps running meanwhile)."""
    started = time.monotonic()
    while screen.running is not None and not screen.running.is_finished:
        assert time.monotonic() - started < timeout, "grading did not finish"
        await asyncio.sleep(0.05)
    await pilot.pause()


def results_text(screen: Any) -> str:
    from textual.widgets import Static

    return "\n".join(str(w.render()) for w in screen.query("#results-scroll Static").results(Static))


async def test_task_list_filters_and_opens(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("c")
        await pilot.pause()
        table: Any = app.screen.query_one("#task-table")
        assert table.row_count == 1
        status: Any = app.screen.query_one("#filter-status")
        status.value = "solved"
        await pilot.pause()
        assert table.row_count == 0
        status.value = "new"
        await pilot.pause()
        assert table.row_count == 1
        await pilot.click("#task-table", offset=(3, 1))
        await pilot.pause()
        assert type(app.screen).__name__ == "TaskScreen"


async def test_editor_starts_from_starter_and_autosaves(make_app: Callable[..., NnprepApp], db: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_linear(pilot)
        editor = screen.query_one("#editor")
        assert editor.text == LINEAR_STARTER
        assert editor.language == "python"
        await pilot.press(*"# mine", "enter")

        def saved() -> str | None:
            with Store(db) as store:
                draft = store.get_draft("linear")
            return draft.source if draft is not None else None

        await wait_until(pilot, lambda: saved() is not None)  # the autosave is debounced (0.05 s here)
        assert (saved() or "").startswith("# mine\n")
        # Leave and come back: the same screen, with the text and the cursor.
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        screen2 = await open_linear(pilot)
        assert screen2 is screen
        assert screen2.query_one("#editor").text.startswith("# mine\n")
    # A new app run starts from the saved draft.
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_linear(pilot)
        assert screen.query_one("#editor").text.startswith("# mine\n")


async def test_in_process_correct_submission_passes(make_app: Callable[..., NnprepApp], db: Path) -> None:
    app = make_app(runner=InProcessRunner())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_linear(pilot)
        screen.query_one("#editor").load_text(CORRECT)
        await pilot.press("ctrl+s")
        await settle(pilot, screen)
        assert "Submission: passed" in results_text(screen)
        assert screen.query_one("TabbedContent").active == "tab-results"
    with Store(db) as store:
        assert store.solved_task_ids() == {"linear"}


async def test_in_process_transposed_gradient_shows_diagnosis_and_hidden_cases_no_values(
    make_app: Callable[..., NnprepApp],
) -> None:
    app = make_app(runner=InProcessRunner())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_linear(pilot)
        screen.query_one("#editor").load_text(TRANSPOSED)
        await pilot.press("ctrl+r")
        await settle(pilot, screen)
        text = results_text(screen)
        assert "Examples: wrong answer" in text
        assert "dW is the transpose of the expected gradient" in text
        await pilot.press("ctrl+s")
        await settle(pilot, screen)
        assert "dW is the transpose of the expected gradient" in results_text(screen)
        # Hidden cases show what failed, never their values: no heatmap, no worst elements, no inputs.
        hidden = [v for v in screen.query(CaseView) if not v.case.visible and v.case.verdict.value == "wrong_answer"]
        assert hidden and list(screen.query(Heatmap)) == []
        for view in hidden:
            text = "\n".join(str(w.render()) for w in view.query(Static))
            assert "hidden · wrong answer" in text, text
            assert "expected -" not in text and " at (" not in text and "float64 array" not in text, text


async def test_in_process_wrong_values_show_a_table_and_no_heatmap_for_small_outputs(
    make_app: Callable[..., NnprepApp],
) -> None:
    app = make_app(runner=InProcessRunner())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_linear(pilot)
        screen.query_one("#editor").load_text(UPSTREAM_IGNORED)
        await pilot.press("ctrl+r")
        await settle(pilot, screen)
        tables = list(screen.query(ValueTable))
        assert tables, "a visible example with wrong values shows an expected-vs-got table"
        # linear's outputs are at most 4x3: the table shows them whole, a heatmap would say less.
        assert list(screen.query(Heatmap)) == []


async def test_hints_one_at_a_time(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_linear(pilot)
        await pilot.press("ctrl+g")
        hints = screen.query_one("#hints").source
        assert "Hint 1." in hints and "Hint 2." not in hints
        await pilot.press("ctrl+g")
        hints = screen.query_one("#hints").source
        assert "Hint 2." in hints and "Hint 3." not in hints


async def test_solution_needs_an_attempt_or_confirmation(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_linear(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await pilot.pause()
        assert "appears here" in screen.query_one("#solution").source
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        code = screen.query_one("#solution-code")
        assert "def linear_backward" in code.text and code.soft_wrap and code.read_only
        await pilot.click("#use-solution")
        await pilot.pause()
        assert screen.query_one("#editor").text == code.text  # copied to the editor


async def test_editor_indents_like_a_python_editor_and_one_escape_leaves(
    make_app: Callable[..., NnprepApp]
) -> None:
    from textual.widgets.text_area import Selection

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_linear(pilot)
        editor = screen.query_one("#editor")
        editor.load_text("")
        await pilot.press(*"def f(x):", "enter", *"if x:", "enter", *"return 1", "enter", "enter")
        assert editor.text == "def f(x):\n    if x:\n        return 1\n        \n        "
        editor.load_text("a = 1\nb = 2\nc = 3\n")
        editor.selection = Selection((0, 0), (1, 3))
        await pilot.press("tab")
        assert editor.text == "    a = 1\n    b = 2\nc = 3\n"  # the selection is indented, not replaced
        await pilot.press("shift+tab")
        assert editor.text == "a = 1\nb = 2\nc = 3\n"
        await pilot.press("escape")  # one press leaves the task
        await pilot.pause()
        assert type(app.screen).__name__ != "TaskScreen"


async def test_reset_to_starter_asks_first(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_linear(pilot)
        editor = screen.query_one("#editor")
        editor.load_text("x = 1\n")
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert editor.text == "x = 1\n"
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert editor.text == LINEAR_STARTER


# -- through the real sandbox ------------------------------------------------------------------------------------


@needs_sandbox
async def test_sandbox_correct_solution_passes(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_linear(pilot)
        screen.query_one("#editor").load_text(CORRECT)
        await pilot.press("ctrl+s")
        await settle(pilot, screen)
        assert "Submission: passed" in results_text(screen)


@needs_sandbox
async def test_sandbox_wrong_solution_shows_diagnosis(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_linear(pilot)
        screen.query_one("#editor").load_text(TRANSPOSED)
        await pilot.press("ctrl+s")
        await settle(pilot, screen)
        text = results_text(screen)
        assert "wrong answer" in text
        assert "dW is the transpose of the expected gradient" in text


@needs_sandbox
async def test_sandbox_infinite_loop_times_out_while_the_editor_keeps_working(
    make_app: Callable[..., NnprepApp],
) -> None:
    from engine.limits import Limits

    app = make_app(limits=Limits(time_limit=3.0, total_time_limit=10.0))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_linear(pilot)
        editor = screen.query_one("#editor")
        editor.load_text(INFINITE)
        editor.move_cursor(editor.document.end)
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        assert screen.running is not None and not screen.running.is_finished
        await pilot.press(*"#ok")  # the UI is responsive while the candidate code spins
        assert editor.text.endswith("#ok")
        assert not screen.running.is_finished
        assert "Running the examples" in str(screen.query_one("#run-label").render())
        await settle(pilot, screen, timeout=60)
        assert "time limit exceeded" in results_text(screen)


async def test_a_syntax_error_is_one_message_with_its_line_marked(make_app: Callable[..., NnprepApp]) -> None:
    from quiz.tui.widgets.results import CaseView

    app = make_app(runner=InProcessRunner())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_linear(pilot)
        source = CORRECT.rstrip("\n").split("\n")
        source[4] = "def broken(:"  # line 5
        screen.query_one("#editor").load_text("\n".join(source) + "\n")
        await pilot.press("ctrl+r")
        await settle(pilot, screen)
        text = results_text(screen)
        assert "syntax error" in text and text.count("line 5") == 1
        assert not screen.query(CaseView)  # not once per case
        editor = screen.query_one("#editor")
        assert editor.selection.start == (4, 0) and editor.selected_text == "def broken(:"
