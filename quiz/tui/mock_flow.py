"""Mock interviews in the app: starting, resuming and ending one, and the way from submission to the report.

Every step that touches the bank, the task catalogue or the store's history runs in a thread worker; the screens
are then shown on the main thread. The stack during a mock is always ``[home, <mock screen>]``, so leaving any of
them returns home, where an unfinished mock is offered for resuming.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from textual.screen import Screen

from quiz.tui.services import Unavailable

if TYPE_CHECKING:
    from quiz.app import NnprepApp
    from quiz.mock.presets import Preset
    from quiz.mock.session import MockSession

T = TypeVar("T")


@dataclass
class MockContext:
    """What the mock screens read: the store, the bank's items by id and the coding tasks' texts by id."""

    store: Any
    items: dict[str, Any]
    tasks: dict[str, Any]


def load_context(app: NnprepApp) -> MockContext:
    """The store, the bank and the task texts (blocking: call from a worker)."""
    services = app.services
    store = services.store()
    items = {i.id: i for i in services.bank().items}
    try:
        tasks: dict[str, Any] = dict(services.task_texts())
    except Unavailable:
        tasks = {}
    return MockContext(store=store, items=items, tasks=tasks)


def in_background(app: NnprepApp, job: Callable[[], T], then: Callable[[T], None], what: str) -> None:
    """Run ``job`` in a thread worker, then ``then(result)`` on the main thread; failures become a notification."""

    def failed(message: str) -> None:
        for screen in app.screen_stack:  # a screen waiting for this job holds the keys: give them back
            if getattr(screen, "hold_keys", False):
                screen.hold_keys = False  # type: ignore[attr-defined]
        app.notify(message, title="Mock interview", severity="error", timeout=8)

    def run() -> None:
        try:
            result = job()
        except Exception as e:
            app.call_from_thread(failed, f"{what}: {e}")
            return
        app.call_from_thread(then, result)

    app.run_worker(run, thread=True, group="mock-flow", exclusive=True, name=what)


def replace_top(app: NnprepApp, screen: Screen[Any]) -> None:
    """Show ``screen`` directly above the home screen."""
    app.go_home()
    app.push_screen(screen)


# -- start, resume, end ---------------------------------------------------------------------------------------------


def start(app: NnprepApp, preset: Preset, seed: int | None) -> None:
    """Draw a mock for ``preset`` (``seed`` reproduces a draw), record it as started and open it."""

    def job() -> tuple[MockSession, MockContext]:
        from quiz.mock.service import start_mock

        ctx = load_context(app)
        session = start_mock(ctx.store, preset, list(ctx.items.values()), ctx.tasks, seed, app.services.clock)
        return session, ctx

    in_background(app, job, lambda pair: open_session(app, *pair), "Could not start the mock")


def resume(app: NnprepApp, mock_id: str, *, end_now: bool = False) -> None:
    """Reopen an interrupted mock with the time left as it stands (or submit it as it stands: ``end_now``)."""

    def job() -> tuple[MockSession, MockContext]:
        from quiz.mock.service import resume_mock

        ctx = load_context(app)
        session = resume_mock(ctx.store, mock_id, app.services.clock)
        if session is None:
            raise LookupError(f"mock {mock_id} is finished or no longer stored")
        return session, ctx

    def opened(pair: tuple[MockSession, MockContext]) -> None:
        session, ctx = pair
        if end_now:
            session.submit()
        open_session(app, session, ctx)

    in_background(app, job, opened, "Could not reopen the mock")


def open_session(app: NnprepApp, session: MockSession, ctx: MockContext) -> None:
    """The mock screen, or straight to submission when the deadline has passed (the deadline is absolute)."""
    session.tick()
    if not session.running:
        after_submit(app, session, ctx)
        return
    from quiz.tui.screens.mock import MockScreen

    save(app, session, ctx)
    replace_top(app, MockScreen(session, ctx))


def save(app: NnprepApp, session: MockSession, ctx: MockContext) -> bool:
    """Write the mock's state to the store; False (and a notification) if that failed."""
    from quiz.mock.service import save_mock

    try:
        save_mock(ctx.store, session)
    except Exception as e:
        app.notify(f"Could not save the mock: {e}", severity="error")
        return False
    return True


# -- after submission -----------------------------------------------------------------------------------------------


def coding_to_grade(session: MockSession) -> list[int]:
    """Coding entries still to grade that have code (untouched ones score as unanswered without grading)."""
    return [i for i in session.coding_to_grade() if session.state.entries[i].answer.strip()]


def to_assess(session: MockSession, ctx: MockContext) -> list[int]:
    """Typed flashcard answers still to self-assess."""
    found = []
    for entry in session.state.plan.entries:
        done = session.state.entries[entry.index]
        item = ctx.items.get(entry.ref)
        if entry.kind == "item" and getattr(item, "type", "") == "flashcard" and done.answer.strip() \
                and done.ticked is None:
            found.append(entry.index)
    return found


def after_submit(app: NnprepApp, session: MockSession, ctx: MockContext) -> None:
    """Grade the code, then the self-assessment, then the report."""
    save(app, session, ctx)
    if coding_to_grade(session):
        from quiz.tui.screens.mock_review import MockGradingScreen

        replace_top(app, MockGradingScreen(session, ctx))
    else:
        assess(app, session, ctx)


def assess(app: NnprepApp, session: MockSession, ctx: MockContext) -> None:
    """The self-assessment of the first typed concept answer not assessed yet, or the report."""
    pending = to_assess(session, ctx)
    if pending:
        from quiz.tui.screens.mock_review import MockAssessScreen

        replace_top(app, MockAssessScreen(session, ctx, pending[0], done=0, total=len(pending)))
    else:
        finish(app, session, ctx)


def finish(app: NnprepApp, session: MockSession, ctx: MockContext) -> None:
    """Score the mock, store the report and show it."""
    from quiz.mock.service import finish_mock
    from quiz.tui.screens.mock_report import MockReportScreen

    try:
        report = finish_mock(ctx.store, session, ctx.items, ctx.tasks)
    except Exception as e:
        app.notify(f"Could not score the mock: {e}", severity="error")
        app.go_home()
        return
    replace_top(app, MockReportScreen(report))
