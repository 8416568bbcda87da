"""The expected-vs-got table of a failing output: its window, its marks, its caption, and the results panel using it
for a visible example (a hidden case still shows no value)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console

from engine.report import OutputCheck, WorstElement
from quiz.app import NnprepApp
from quiz.tui.widgets.heatmap import Heatmap
from quiz.tui.widgets.results import CaseView, cell_limit, task_tolerance
from quiz.tui.widgets.value_table import (
    OUTSIDE,
    ValueTable,
    columns_that_fit,
    fmt,
    value_table,
    value_window,
    window_caption,
)
from tests.support.inprocess import InProcessRunner
from tests.tui.test_tasks import TRANSPOSED, UPSTREAM_IGNORED, open_linear, settle


def _grid(rows: int, cols: int) -> list[list[float | None]]:
    return [[float(10 * i + j) for j in range(cols)] for i in range(rows)]


def test_window_centres_on_the_worst_cell_and_marks_only_cells_outside_the_limit() -> None:
    expected = _grid(16, 16)
    got = [row[:] for row in expected]
    got[12][13] = 500.0  # the worst cell
    got[11][12] = 122.0 + 1e-7  # differs, but inside the limit
    window = value_window(expected, got, 1e-3, 6, 6)
    assert window is not None
    assert window.rows == range(9, 15) and window.cols == range(10, 16)
    marked = {(window.rows[i], window.cols[j]) for i, r in enumerate(window.marked) for j, m in enumerate(r) if m}
    assert marked == {(12, 13)}
    assert window_caption("dW", window, (16, 16)) == "dW (16, 16): rows 9–14, cols 10–15"


def test_window_keeps_to_the_grid_edges_and_marks_a_non_finite_value() -> None:
    expected: list[list[float | None]] = [[1.0, 2.0, 3.0, 4.0]]
    got: list[list[float | None]] = [[1.0, None, 3.0, 4.5]]
    window = value_window(expected, got, 0.1, 6, 3)
    assert window is not None
    assert window.rows == range(1) and window.cols == range(0, 3)  # around the NaN at column 1
    assert window.marked == [[False, True, False]]
    assert window_caption("db", window, (4,)) == "db (4,): elements 0–2"
    assert window_caption("h", window, (1, 2, 4)) == "h (1, 2, 4): flat rows 0, cols 0–2"
    assert value_window([[1.0, 2.0]], [[1.0]], 0.1, 6, 6) is None  # grids of different shape: no table


def test_table_text_shows_four_significant_digits_and_styles_the_marked_pair() -> None:
    window = value_window([[0.123456, 2.0]], [[0.123456, -3.14159]], 1e-4, 6, 6)
    assert window is not None
    table = value_table(window)
    console = Console(width=60, record=True, color_system=None)
    console.print(table)
    text = console.export_text()
    assert "exp" in text and "got" in text and "0.1235" in text and "-3.142" in text and "0.123456" not in text
    cells = list(table.columns[2].cells)  # column 1 of the window: its "exp" line, then its "got" line
    assert [str(c) for c in cells] == ["2", "-3.142"]
    assert all(getattr(c, "style", "") == OUTSIDE for c in cells)
    assert all(getattr(c, "style", "") == "" for c in table.columns[1].cells)
    assert fmt(None) == "nan/inf" and fmt(1234567.0) == "1.235e+06"


def test_columns_that_fit_a_narrow_pane() -> None:
    grid = [[-1.234e-05] * 16]
    assert columns_that_fit(grid, grid, 40, 6) == 2  # 12 cells a value (padding included) beside the labels
    assert columns_that_fit(grid, grid, 200, 6) == 6
    assert columns_that_fit(grid, grid, 5, 6) == 1


async def test_a_wrong_example_shows_expected_and_got_with_the_wrong_cells_marked(
    make_app: Callable[..., NnprepApp],
) -> None:
    app = make_app(runner=InProcessRunner())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_linear(pilot)
        screen.query_one("#editor").load_text(UPSTREAM_IGNORED)
        await pilot.press("ctrl+r")
        await settle(pilot, screen)
        tables = list(screen.query(ValueTable))
        assert tables, "a visible example with wrong values shows an expected-vs-got table"
        case = next(v.case for v in screen.query(CaseView) if v.case.visible and v.case.verdict.value != "passed")
        wrong = next(o for o in case.outputs if not o.ok and o.expected_preview)
        table = next(t for t in tables if t.output == wrong.name)
        await pilot.pause()
        shown = "\n".join(table.render_line(y).text for y in range(table.size.height))
        window = table.window(table.content_size.width)
        assert window is not None and any(any(r) for r in window.marked)
        i, j = next((i, j) for i, r in enumerate(window.marked) for j, m in enumerate(r) if m)
        assert fmt(window.expected[i][j]) in shown and fmt(window.got[i][j]) in shown
        assert "exp" in shown and "got" in shown and "outside the tolerance" in shown
        assert table.size.width <= 80 and window.cols.stop - window.cols.start <= 6


async def test_hidden_cases_show_no_table_and_a_small_output_no_heatmap(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app(runner=InProcessRunner())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_linear(pilot)
        screen.query_one("#editor").load_text(TRANSPOSED)
        await pilot.press("ctrl+s")
        await settle(pilot, screen)
        for view in screen.query(CaseView):
            tables = list(view.query(ValueTable))
            assert view.case.visible or not tables, "a hidden case never shows values"
        maps: list[Any] = list(screen.query(Heatmap))
        assert all(len(m.expected) >= 4 and len(m.expected[0]) >= 4 for m in maps)


def test_heatmap_scale_runs_from_min_to_max() -> None:
    heatmap = Heatmap("x", [[-2.0, 1.0]], [[2.0, 1.0]])
    legend = heatmap.scale_legend(True).plain
    assert legend.splitlines() == ["-2 █████ 2 values", "0 █████ 4 |got − expected|"]
    assert heatmap.scale_legend(False).plain == "0 █████ 4 |got − expected|"


def test_cell_limit_is_the_tolerance_times_the_whole_outputs_scale() -> None:
    # max|expected| over the whole output is 4 (outside the preview): the relative error 0.5 = |3 - 1| / 4 says so.
    out = OutputCheck(name="y", ok=False, rel_error=0.5, worst=[WorstElement((7,), 1.0, 3.0)],
                      expected_preview=[[1.0, 2.0]], got_preview=[[3.0, 2.0]])
    assert cell_limit(out, 1e-4) == 4e-4
    assert cell_limit(out, None) == 0.0  # tolerance unknown: every differing cell is marked
    out.worst, out.rel_error = [], None
    assert cell_limit(out, 1e-4) == 2e-4  # from the preview: max(1, max|expected|) = 2
    assert task_tolerance("linear") == 1e-4 and task_tolerance("no-such-task") is None
