"""Snapshots of the coding screen's results with a wrong example: the expected-vs-got table at 80x24 and 120x40."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from textual.content import Content
from textual.widgets import Static

from quiz.app import NnprepApp
from quiz.tui.widgets.results import ResultsView
from quiz.tui.widgets.value_table import ValueTable
from tests.support.inprocess import InProcessRunner
from tests.tui.test_snapshots import SIZES, still_editor  # noqa: F401  (a fixture, used by name)
from tests.tui.test_tasks import UPSTREAM_IGNORED, open_linear, settle


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.usefixtures("still_editor")
def test_results_table(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        screen = await open_linear(pilot)
        screen.query_one("#editor").load_text(UPSTREAM_IGNORED)
        await pilot.press("ctrl+r")
        await settle(pilot, screen)
        # The elapsed time depends on the machine's load: the picture keeps a fixed one.
        label = screen.query_one("#run-label", Static)
        label.update(re.sub(r"\(\d+\.\d s\)", "(0.1 s)", str(label.render())))
        results = screen.query_one(ResultsView)
        for line in results.query(Static):  # and so does the report's own time ("Ran in: ... · 0.01 s")
            text = str(line.render())
            if text.startswith("Ran in:"):
                line.update(Content(re.sub(r"\d+\.\d\d s$", "0.01 s", text)))
        results.scroll_to_widget(results.query(ValueTable).first(), animate=False, top=True)
        await pilot.pause()

    assert snap_compare(make_app(runner=InProcessRunner()), terminal_size=size, run_before=run_before)
