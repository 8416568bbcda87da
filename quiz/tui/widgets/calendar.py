"""A calendar heatmap of review activity: one column per week, one row per weekday, brighter = more."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

LEVELS = ("#2d333b", "#0e4429", "#006d32", "#26a641", "#39d353")
DAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def level(count: int, peak: int) -> int:
    if count <= 0 or peak <= 0:
        return 0
    return min(4, 1 + (count * 4 - 1) // peak)


class ActivityCalendar(Widget):
    """Activity per day (oldest first), laid out by week like a contributions calendar."""

    DEFAULT_CSS = "ActivityCalendar { height: 9; width: auto; }"

    def __init__(self, days: Sequence[tuple[date, int]] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.days = list(days)

    def set_days(self, days: Sequence[tuple[date, int]]) -> None:
        self.days = list(days)
        self.refresh(layout=True)

    def _weeks(self, weeks_shown: int) -> list[list[tuple[date, int] | None]]:
        if not self.days:
            return []
        first = self.days[0][0]
        lead = first.weekday()
        cells: list[tuple[date, int] | None] = [None] * lead + list(self.days)
        weeks = [cells[i: i + 7] for i in range(0, len(cells), 7)]
        return weeks[-weeks_shown:]

    def weeks_for(self, viewport_width: int) -> int:
        """Half a year on a wide terminal, a quarter at 80 columns."""
        return 26 if viewport_width >= 110 else 13

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return 4 + 2 * self.weeks_for(viewport.width)

    def render(self) -> Text:
        weeks = self._weeks(self.weeks_for(self.app.size.width))
        peak = max((c for _, c in self.days), default=0)
        out = Text()
        months = Text("    ")
        last_month = None
        for week in weeks:
            first = next((d for d in week if d is not None), None)
            if first is not None and first[0].month != last_month and first[0].day <= 7:
                months.append(first[0].strftime("%b")[:2], "dim")
                last_month = first[0].month
            else:
                months.append("  ")
        out.append_text(months)
        out.append("\n")
        for row in range(7):
            out.append(f"{DAY_LABELS[row]:<4}", "dim")
            for week in weeks:
                cell = week[row] if row < len(week) else None
                if cell is None:
                    out.append("  ")
                else:
                    out.append("■ ", Style(color=LEVELS[level(cell[1], peak)]))
            out.append("\n")
        out.append("    less ", "dim")
        for colour in LEVELS:
            out.append("■", Style(color=colour))
        out.append(" more", "dim")
        return out
