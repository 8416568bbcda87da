"""A running grade is cancelled with esc: the sandboxed child is killed, "cancelled" shows, nothing is recorded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Static

from quiz.app import NnprepApp
from quiz.store import Store
from tests.tui.conftest import needs_sandbox
from tests.tui.test_tasks import CORRECT, INFINITE, open_linear, results_text, settle
from tests.tui.waiting import wait_until


@needs_sandbox
async def test_esc_cancels_a_running_grade_and_records_nothing(
    make_app: Callable[..., NnprepApp], db: Path
) -> None:
    from engine.limits import Limits

    # Limits long enough that only the cancel can end the run within the test's bounds (rlimits still cap it).
    app = make_app(limits=Limits(time_limit=30.0, total_time_limit=60.0))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_linear(pilot)
        screen.query_one("#editor").load_text(INFINITE)
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert screen.grading
        footer_keys = {b.binding.description for b in app.active_bindings.values() if b.enabled}
        assert "Cancel grade" in footer_keys and "Back" not in footer_keys
        await pilot.press("escape")
        await settle(pilot, screen, timeout=20)  # far below the 30 s time limit that would end it otherwise
        label = str(screen.query_one("#run-label", Static).render())
        assert "cancelled" in label and "nothing was recorded" in label
        assert "time limit" not in results_text(screen)
        assert app.screen is screen  # esc cancelled; it did not leave the screen
        # The sandbox grades the next submission as usual, and that one is recorded.
        screen.query_one("#editor").load_text(CORRECT)
        await pilot.press("ctrl+s")
        await settle(pilot, screen)
        assert "Submission: passed" in str(screen.query_one("#run-label", Static).render())
        await pilot.press("escape")  # with no grade running, esc leaves again
        await wait_until(pilot, lambda: app.screen is not screen)
    with Store(db) as store:
        reports = store.reports("linear")
        assert len(reports) == 1 and reports[0].passed  # only the second: the cancelled one left nothing
        assert store.solved_task_ids() == {"linear"}
