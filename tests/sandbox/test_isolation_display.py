"""The TUI's results panel shows the sandbox's two isolation lines: what is active, and what is not and why."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.widgets import Static

from engine import Verdict
from engine.report import GradeReport, Isolation
from quiz.tui.widgets.results import ResultsView


class _Panel(App[None]):
    def compose(self) -> ComposeResult:
        yield ResultsView()


def test_results_panel_names_active_and_missing_protections() -> None:
    isolation = Isolation(rlimits=["AS"], scrubbed_env=True, seccomp=True,
                          missing=["network namespace, PID namespace: this kernel does not let an ordinary user make"
                                   " namespaces [b]x[/b]"])
    report = GradeReport(task="linear", verdict=Verdict.PASSED, score=100.0, max_score=100.0, isolation=isolation)

    async def shown() -> list[str]:
        app = _Panel()
        async with app.run_test() as pilot:
            app.query_one(ResultsView).show_report(report, visible_only=False)
            await pilot.pause()
            return [str(s.render()) for s in app.query(Static)]

    texts = asyncio.run(shown())
    assert any(t.startswith("Ran in: separate process, rlimits(AS), scrubbed env, seccomp") for t in texts), texts
    assert ("Not active: network namespace, PID namespace: this kernel does not let an ordinary user make namespaces"
            " [b]x[/b]") in texts, texts
