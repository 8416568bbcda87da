"""A small coloured heatmap of |got − expected| (and, when there is room, expected and got side by side), with a
scale under it (the values from -max|v| to +max|v|, the difference from 0 to its maximum).

Two grid rows share one terminal row (upper half block: foreground = upper cell, background = lower cell), so a
16x16 preview takes 8 lines and its cells look square. A transposed gradient shows as a mirrored pattern in the
difference, a missing sum or a scaled gradient as a uniform wash: visible at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

Grid = Sequence[Sequence[float]]
Preview = Sequence[Sequence[float | None]]  # a report's preview grid: None where a value is not finite

# Sequential scale for differences (dark -> bright), diverging scale for values (blue - white - red).
SEQUENTIAL = ((48, 18, 59), (65, 69, 171), (33, 145, 140), (94, 201, 98), (253, 231, 37))
DIVERGING = ((33, 102, 172), (146, 197, 222), (240, 240, 240), (244, 165, 130), (178, 24, 43))
GAP = 2


def _lerp(stops: Sequence[tuple[int, int, int]], t: float) -> str:
    t = 0.0 if math.isnan(t) else min(1.0, max(0.0, t))
    pos = t * (len(stops) - 1)
    i = min(int(pos), len(stops) - 2)
    f = pos - i
    a, b = stops[i], stops[i + 1]
    r, g, bl = (round(a[k] + (b[k] - a[k]) * f) for k in range(3))
    return f"#{r:02x}{g:02x}{bl:02x}"


def _finite_max(grid: Grid) -> float:
    values = [abs(v) for row in grid for v in row if math.isfinite(v)]
    return max(values, default=0.0)


def difference(expected: Grid, got: Grid) -> list[list[float]] | None:
    """|got − expected| cell by cell, or None when the grids differ in shape."""
    if len(expected) != len(got) or any(len(a) != len(b) for a, b in zip(expected, got, strict=False)):
        return None
    return [[abs(g - e) if math.isfinite(g) else math.inf for e, g in zip(er, gr, strict=True)]
            for er, gr in zip(expected, got, strict=True)]


def color_cell(v: float, scale: float, diverging: bool) -> str:
    if not math.isfinite(v):
        return "#ff00ff"  # NaN and inf stand out in magenta
    if diverging:
        return _lerp(DIVERGING, 0.5 + 0.5 * v / scale if scale else 0.5)
    return _lerp(SEQUENTIAL, v / scale if scale else 0.0)


def grid_lines(grid: Grid, scale: float, *, diverging: bool, cell: int) -> list[Text]:
    """The grid as half-block lines, ``cell`` characters per column."""
    lines: list[Text] = []
    for top in range(0, len(grid), 2):
        line = Text()
        upper = grid[top]
        lower = grid[top + 1] if top + 1 < len(grid) else None
        for j, v in enumerate(upper):
            fg = color_cell(v, scale, diverging)
            bg = color_cell(lower[j], scale, diverging) if lower is not None and j < len(lower) else None
            line.append("▀" * cell, Style(color=fg, bgcolor=bg))
        lines.append(line)
    return lines


class Heatmap(Widget):
    """Expected, got and |got − expected| for one output; only the difference when space is short."""

    DEFAULT_CSS = "Heatmap { height: auto; width: 1fr; }"

    def __init__(self, name: str, expected: Preview | None, got: Preview | None) -> None:
        super().__init__()
        self.output = name
        self.expected = [[math.nan if v is None else v for v in r] for r in expected or []]
        self.got = [[math.nan if v is None else v for v in r] for r in got or []]
        self.diff = difference(self.expected, self.got) if expected and got else None

    def _panels(self, width: int) -> tuple[list[tuple[str, list[list[float]], bool, float]], int]:
        value_scale = max(_finite_max(self.expected), _finite_max(self.got))
        full: list[tuple[str, list[list[float]], bool, float]] = []
        if self.expected:
            full.append(("expected", self.expected, True, value_scale))
        if self.got:
            full.append(("got", self.got, True, value_scale))
        diff_panel = None
        if self.diff is not None:
            diff_panel = ("|got − expected|", self.diff, False, _finite_max(self.diff))
            full.append(diff_panel)
        for panels in (full, [diff_panel] if diff_panel else full):
            for cell in (2, 1):
                need = sum(max(len(g[0]) if g else 0, 1) * cell for _, g, _, _ in panels) + GAP * (len(panels) - 1)
                if need <= width:
                    return panels, cell
        return ([diff_panel] if diff_panel else full[:1]), 1

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        panels, _ = self._panels(width)
        rows = max((len(g) for _, g, _, _ in panels), default=0)
        legend = 2 if self.diff is not None and any(div for _, _, div, _ in panels) else 1
        return 1 + (rows + 1) // 2 + legend  # titles, two grid rows a line, the scale(s)

    def render(self) -> Text:
        width = max(self.content_size.width, 1)
        panels, cell = self._panels(width)
        blocks = [grid_lines(g, scale, diverging=div, cell=cell) for _, g, div, scale in panels]
        widths = [max(len(g[0]) if g else 0, 1) * cell for _, g, _, _ in panels]
        height = max((len(b) for b in blocks), default=0)
        out = Text()
        header = Text()
        for n, ((title, _, _, _), w) in enumerate(zip(panels, widths, strict=True)):
            label = title if len(title) <= w or n == len(panels) - 1 else title[: max(w, 1)]
            header.append(label.ljust(w), "bold")
            if n < len(panels) - 1:
                header.append(" " * GAP)
        out.append_text(header)
        out.append("\n")
        for row in range(height):
            for n, (block, w) in enumerate(zip(blocks, widths, strict=True)):
                out.append_text(block[row] if row < len(block) else Text(" " * w))
                if n < len(blocks) - 1:
                    out.append(" " * GAP)
            out.append("\n")
        if self.diff is None:
            out.append("shapes differ: no cell-by-cell difference", "dim")
            return out
        out.append_text(self.scale_legend(any(div for _, _, div, _ in panels)))
        return out

    def scale_legend(self, with_values: bool) -> Text:
        """The colour scales: values from -max|v| (blue) to +max|v| (red) when expected/got are drawn, and
        |got − expected| from 0 (dark) to its maximum (yellow); magenta marks a value that is not finite."""
        legend = Text(style="dim")
        if with_values:
            scale = max(_finite_max(self.expected), _finite_max(self.got))
            legend.append(f"{-scale:.3g} ")
            for t in (0.0, 0.25, 0.5, 0.75, 1.0):
                legend.append("█", Style(color=_lerp(DIVERGING, t)))
            legend.append(f" {scale:.3g} values\n")
        legend.append("0 ")
        for t in (0.0, 0.25, 0.5, 0.75, 1.0):
            legend.append("█", Style(color=_lerp(SEQUENTIAL, t)))
        legend.append(f" {_finite_max(self.diff or []):.3g} |got − expected|")
        return legend
