"""A small table of expected against got values for one failing output, the cells outside the tolerance marked.

The report's previews hold the top-left (at most) 16x16 of the output flattened to 2-D (``(rows, columns)``; a
1-D output is one row, None where a value is not finite). The table shows a window of that grid, at most
``max_rows`` x ``max_cols``, placed around the cell that differs most, each row as an "exp" line over a "got" line.
The numbers are floats the engine decoded, formatted here; nothing of the candidate's is parsed as markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

Preview = Sequence[Sequence[float | None]]
OUTSIDE = "bold #ffffff on #b2182b"  # a cell outside the tolerance
LABEL_WIDTH = 7  # "12 exp" / "   got" and its padding


def fmt(value: float | None) -> str:
    """A value to 4 significant digits; "nan/inf" where it was not finite."""
    return "nan/inf" if value is None else f"{value:.4g}"


def outside(expected: float | None, got: float | None, limit: float) -> bool:
    """Whether one cell is outside the tolerance: ``|got - expected| > limit``; a non-finite value where the other is
    finite always is (two non-finite values cannot be told apart from the preview, so they are not marked)."""
    if expected is None or got is None:
        return (expected is None) != (got is None)
    return abs(got - expected) > limit


def _span(centre: int, size: int, total: int) -> range:
    start = min(max(centre - size // 2, 0), max(total - size, 0))
    return range(start, min(start + size, total))


@dataclass
class ValueWindow:
    """The part of the preview a table shows: ``rows`` x ``cols`` of it, and which cells are outside the
    tolerance (``marked[i][j]`` for ``rows[i]``, ``cols[j]``)."""

    rows: range
    cols: range
    expected: list[list[float | None]]
    got: list[list[float | None]]
    marked: list[list[bool]]
    total_rows: int
    total_cols: int


def value_window(expected: Preview, got: Preview, limit: float, max_rows: int, max_cols: int) -> ValueWindow | None:
    """The window of at most ``max_rows`` x ``max_cols`` cells centred (where it can be) on the cell with the largest
    ``|got - expected|`` (a non-finite mismatch counts as largest); None when the grids differ in shape."""
    n_rows = len(expected)
    n_cols = len(expected[0]) if n_rows else 0
    if n_rows == 0 or n_cols == 0 or len(got) != n_rows or any(len(r) != n_cols for r in [*expected, *got]):
        return None
    best, where = -1.0, (0, 0)
    for i in range(n_rows):
        for j in range(n_cols):
            e, g = expected[i][j], got[i][j]
            d = (math.inf if outside(e, g, 0.0) else 0.0) if e is None or g is None else abs(g - e)
            if d > best:
                best, where = d, (i, j)
    rows = _span(where[0], max(max_rows, 1), n_rows)
    cols = _span(where[1], max(max_cols, 1), n_cols)
    exp = [[expected[i][j] for j in cols] for i in rows]
    gt = [[got[i][j] for j in cols] for i in rows]
    marked = [[outside(e, g, limit) for e, g in zip(er, gr, strict=True)] for er, gr in zip(exp, gt, strict=True)]
    return ValueWindow(rows, cols, exp, gt, marked, n_rows, n_cols)


def _span_words(span: range) -> str:
    return str(span.start) if len(span) == 1 else f"{span.start}–{span.stop - 1}"


def window_caption(name: str, window: ValueWindow, shape: Sequence[int] | None) -> str:
    """Which part of the output the table shows, short enough for a narrow pane: "dW (4, 3): rows 1–3, cols 0–1";
    a 1-D output's "elements 0–3"; "flat rows" where leading axes of a 3-D or larger output are flattened."""
    shape_text = f" {tuple(shape)}" if shape is not None else ""
    if shape is not None and len(shape) <= 1:
        return f"{name}{shape_text}: elements {_span_words(window.cols)}"
    rows = "flat rows" if shape is not None and len(shape) > 2 else "rows"
    return f"{name}{shape_text}: {rows} {_span_words(window.rows)}, cols {_span_words(window.cols)}"


def value_table(window: ValueWindow) -> Table:
    """The window as a rich Table: a header of column indices, then per row an "exp" line and a "got" line; both
    cells of a pair outside the tolerance are marked."""
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, 1), show_header=True,
                  header_style="bold")
    table.add_column("", no_wrap=True, style="dim")
    for j in window.cols:
        table.add_column(str(j), justify="right", no_wrap=True)
    one_row = window.total_rows == 1
    for i, row in enumerate(window.rows):
        marks = window.marked[i]
        exp = [Text(fmt(v), OUTSIDE if m else "") for v, m in zip(window.expected[i], marks, strict=True)]
        got = [Text(fmt(v), OUTSIDE if m else "") for v, m in zip(window.got[i], marks, strict=True)]
        table.add_row(Text("exp" if one_row else f"{row} exp"), *exp)
        table.add_row(Text("got" if one_row else "  got".rjust(len(str(row)) + 4)), *got)
    return table


def columns_that_fit(expected: Preview, got: Preview, width: int, cap: int) -> int:
    """How many value columns fit in ``width`` cells beside the row labels (at least 1, at most ``cap``)."""
    cell = max((len(fmt(v)) for grid in (expected, got) for row in grid for v in row), default=1) + 2  # padding
    return max(1, min(cap, (width - LABEL_WIDTH + 1) // cell))  # the last column has no right padding


class ValueTable(Widget):
    """Expected and got values of one failing output of a visible case, the cells outside the tolerance marked."""

    DEFAULT_CSS = "ValueTable { height: auto; width: 1fr; margin: 0 0 1 0; }"

    def __init__(self, name: str, expected: Preview, got: Preview, limit: float, *,
                 shape: Sequence[int] | None = None, max_rows: int = 6, max_cols: int = 6) -> None:
        super().__init__()
        self.output = name
        self.expected = expected
        self.got = got
        self.limit = limit
        self.shape = shape
        self.max_rows = max_rows
        self.max_cols = max_cols

    def window(self, width: int) -> ValueWindow | None:
        cols = columns_that_fit(self.expected, self.got, width, self.max_cols)
        return value_window(self.expected, self.got, self.limit, self.max_rows, cols)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        window = self.window(width)
        return 1 if window is None else 3 + 2 * len(window.rows)  # caption, legend, header, two lines a row

    def render(self) -> Group | Text:
        window = self.window(max(self.content_size.width, 1))
        if window is None:
            return Text("shapes differ: no cell-by-cell table", "dim")
        caption = Text(window_caption(self.output, window, self.shape), "bold", no_wrap=True, overflow="ellipsis")
        legend = Text(no_wrap=True, overflow="ellipsis")
        legend.append(" marked ", OUTSIDE)
        legend.append(" outside the tolerance", "dim")
        return Group(caption, legend, value_table(window))
