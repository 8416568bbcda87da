"""Finding a coding task: ids in the list (the CLI takes them), a search box, and the command palette."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import CommandList

from quiz.app import NnprepApp
from tests.tui.bank import linear_text
from tests.tui.waiting import wait_until


def texts() -> dict[str, Any]:
    linear = linear_text()
    relu = linear.model_copy(update={"id": "relu", "title": "ReLU forward and backward", "topic": "activations"})
    return {"linear": linear, "relu": relu}


async def test_the_list_shows_ids_and_the_search_box_filters(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app(task_texts=texts())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        table: Any = app.screen.query_one("#task-table")
        await wait_until(pilot, lambda: table.row_count == 2)
        assert [str(c.label) for c in table.columns.values()][:5] == ["ID", "Task", "Level", "Min", "Status"]
        assert table.get_row_at(0)[0] == "linear"
        await pilot.press("slash", *"activ")  # by topic
        await wait_until(pilot, lambda: table.row_count == 1)
        assert table.get_row_at(0)[0] == "relu"
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TaskScreen")
        assert app.screen.task_id == "relu"  # type: ignore[attr-defined]


async def test_the_command_palette_finds_tasks(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app(task_texts=texts())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"relu")
        results = app.screen.query_one(CommandList)
        await wait_until(pilot, lambda: results.option_count >= 1
                         and "Task relu" in str(results.get_option_at_index(0).prompt))
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TaskScreen")
        assert app.screen.task_id == "relu"  # type: ignore[attr-defined]
