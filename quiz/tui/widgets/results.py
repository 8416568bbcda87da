"""The results panel of a coding task: the verdict, the diagnoses in plain words, and each case."""

from __future__ import annotations

import math
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from quiz.tui.safe_text import plain
from quiz.tui.widgets.heatmap import Heatmap
from quiz.tui.widgets.value_table import ValueTable


def verdict_words(verdict: Any) -> str:
    return str(getattr(verdict, "value", verdict)).replace("_", " ")


def rel_error_text(value: float | None) -> str:
    return "" if value is None else f"rel. error {value:.1e}"


def line(*parts: str | tuple[str, str]) -> Content:
    """One piece of report text: each str part is untrusted (shown literally, never as markup); a (text, style)
    pair is our own word with our own style."""
    return Content.assemble(*(plain(p) if isinstance(p, str) else p for p in parts))


class CaseView(Vertical):
    """One case: verdict, relative error, diagnoses, and per wrong output of a visible case a table of expected
    against got values (with a heatmap for a large 2-D output)."""

    def __init__(self, case: Any, tolerance: float | None = None) -> None:
        super().__init__()
        self.case = case
        self.tolerance = tolerance

    def compose(self) -> ComposeResult:
        case = self.case
        passed = verdict_words(case.verdict) == "passed"
        mark = ("✓", "green") if passed else ("✗", "red")
        where = "example" if case.visible else "hidden"
        bits = [case.name, where, verdict_words(case.verdict)]
        shape_wrong = any(o.expected_shape != o.got_shape for o in case.outputs if o.got_shape is not None)
        if case.rel_error is not None and not shape_wrong and (passed or case.rel_error > 0):
            bits.append(rel_error_text(case.rel_error))
        yield Static(line(mark, " ", " · ".join(bits)), classes="case-title")
        if case.description:
            yield Static(line(case.description), classes="case-detail")
        if case.visible and case.inputs:
            yield Static(line(", ".join(f"{k}: {v}" for k, v in case.inputs.items())), classes="case-detail")
        if passed:
            return
        output_messages = {o.message for o in case.outputs if not o.ok and o.message}
        if case.message and not any(case.message in m or m in case.message for m in output_messages):
            yield Static(line(case.message), classes="case-detail")
        for d in case.diagnoses:
            yield Static(line("→ ", d), classes="case-diagnosis")
        for out in case.outputs:
            if out.ok:
                continue
            message = out.message or "wrong"
            detail = [message if message.startswith(out.name) else f"{out.name}: {message}"]
            if out.rel_error is not None and out.rel_error > 0:
                detail.append(rel_error_text(out.rel_error))
            shapes_differ = out.expected_shape is not None and out.got_shape is not None and \
                tuple(out.expected_shape) != tuple(out.got_shape)
            if shapes_differ and "shape" not in message:
                detail.append(f"shape {tuple(out.got_shape or ())}, expected {tuple(out.expected_shape or ())}")
            yield Static(line(" · ".join(detail)), classes="case-detail")
            table = value_table_for(out, self.tolerance, short=self.app.size.height < 30)
            if table is None:
                for w in out.worst[:3]:
                    yield Static(line(f"at {tuple(w.index)}: expected {w.expected:.4g}, got {w.got:.4g}"),
                                 classes="case-detail")
                continue
            yield table
            if reads_better_as_heatmap(out.expected_preview):
                yield Heatmap(out.name, out.expected_preview, out.got_preview)


def task_tolerance(task_id: str) -> float | None:
    """The task's tolerance (it decides which table cells are marked), None if no task has this id."""
    from engine.tasks import UnknownTaskError, get_task

    try:
        return get_task(task_id).tolerance
    except UnknownTaskError:
        return None


def cell_limit(out: Any, tolerance: float | None) -> float:
    """The largest ``|got - expected|`` a cell of ``out`` may have: the tolerance times the scale the relative error
    divides by (``max(1, max|expected|)`` over the whole output, recovered from the worst element), or 0 (every
    differing cell marked) when the tolerance is not known."""
    if tolerance is None:
        return 0.0
    rel = out.rel_error
    if out.worst and rel is not None and math.isfinite(rel) and rel > 0:
        return float(tolerance * abs(out.worst[0].got - out.worst[0].expected) / rel)
    values = [abs(v) for row in out.expected_preview or [] for v in row if v is not None]
    return float(tolerance * max(1.0, *values))


def value_table_for(out: Any, tolerance: float | None, *, short: bool) -> ValueTable | None:
    """The expected-vs-got table of a failing output whose values the report reveals (None for a hidden case or a
    wrong shape): at most 3x6 cells in a short terminal, 6x6 otherwise."""
    if not out.expected_preview or not out.got_preview:
        return None
    if len(out.expected_preview) != len(out.got_preview):
        return None
    return ValueTable(out.name, out.expected_preview, out.got_preview, cell_limit(out, tolerance),
                      shape=out.expected_shape, max_rows=3 if short else 6)


def reads_better_as_heatmap(preview: Any) -> bool:
    """A heatmap earns its place beside the table only for a 2-D grid larger than the table can show."""
    rows = len(preview or [])
    cols = len(preview[0]) if rows else 0
    return rows >= 4 and cols >= 4 and rows * cols > 36


class ResultsView(VerticalScroll):
    """Shows a GradeReport (or a message while nothing has run)."""

    def compose(self) -> ComposeResult:
        yield Static("Run the examples (ctrl+r) or submit (ctrl+s) to see results here.", classes="results-summary")

    def show_message(self, text: str) -> None:
        self.remove_children()
        self.mount(Static(line(text), classes="results-summary"))

    def show_report(self, report: Any, *, visible_only: bool, tolerance: float | None = None) -> None:
        """Show ``report``; ``tolerance`` (the task's) decides which table cells are marked as outside it."""
        self.remove_children()
        passed = bool(report.passed)
        what = "Examples" if visible_only else "Submission"
        n_pass = sum(verdict_words(c.verdict) == "passed" for c in report.cases)
        head = f"{what}: {verdict_words(report.verdict)} · {n_pass}/{len(report.cases)} cases"
        if not visible_only:
            head += f" · score {report.score:.0f}/{report.max_score:.0f}"
        widgets: list[Static | CaseView] = [
            Static(line(head), classes="results-summary " + ("verdict-passed" if passed else "verdict-failed"))
        ]
        if report.message and not passed:
            widgets.append(Static(line(report.message), classes="case-detail"))
        for d in report.diagnoses:
            widgets.append(Static(line("→ ", d), classes="case-diagnosis"))
        if verdict_words(report.verdict) != "syntax error":  # one message says it all: no case repeats it
            failing = [c for c in report.cases if verdict_words(c.verdict) != "passed"]
            passing = [c for c in report.cases if verdict_words(c.verdict) == "passed"]
            widgets.extend(CaseView(c, tolerance) for c in [*failing, *passing])
        if report.stdout:
            widgets.append(Static(line(("Output", "bold"), "\n", report.stdout[-2000:]), classes="case-detail"))
        isolation = getattr(report, "isolation", None)
        if isolation is not None:
            widgets.append(Static(line(f"Ran in: {isolation.summary()} · {report.seconds:.2f} s"),
                                  classes="case-detail"))
            widgets.append(Static(line(f"Not active: {isolation.missing_summary()}"), classes="case-detail"))
        self.mount_all(widgets)
        self.scroll_home(animate=False)
