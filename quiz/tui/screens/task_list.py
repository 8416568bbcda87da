"""The coding tasks: a list with their ids (what the CLI takes), searched by id, title or topic and filtered by
topic, difficulty and status; enter opens one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, LoadingIndicator, Select, Static

from quiz.tui.base import STYLES, BaseScreen
from quiz.tui.screens.practice_setup import topic_label
from quiz.tui.widgets.unsaved import UnsavedProgress

if TYPE_CHECKING:
    from quiz.app import NnprepApp

def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


STATUS_MARK = {"solved": "✓ solved", "attempted": "… attempted", "new": "new"}


class TaskListScreen(BaseScreen[None]):
    """Browse the coding tasks."""

    CSS_PATH = STYLES / "tasks.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "open", "Open", show=True),
        Binding("f", "focus_filters", "Filters"),
        Binding("slash", "focus_search", "Search"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, Any] = {}
        self.statuses: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield UnsavedProgress(compact=True)
        yield Input(placeholder="/ search by id, title or topic", id="task-search")
        with Horizontal(id="task-filters"):
            yield Select[str]([], prompt="Any topic", id="filter-topic")
            yield Select[str]([(d.title(), d) for d in ("easy", "medium", "hard")], prompt="Any difficulty",
                              id="filter-difficulty")
            yield Select[str]([(v, k) for k, v in STATUS_MARK.items()], prompt="Any status", id="filter-status")
        yield LoadingIndicator(id="tasks-loading")
        yield DataTable(id="task-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="task-count")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#task-table", DataTable)
        # Status before topic: at 80 columns the topic (also a filter) is what gets cut, never the status.
        table.add_column("ID", key="id")
        table.add_column("Task", key="title")
        table.add_column("Level", key="difficulty")
        table.add_column("Min", key="minutes")
        table.add_column("Status", key="status")
        table.add_column("Topic", key="topic")
        table.display = False
        self.load()

    @work(thread=True, exclusive=True, group="task-texts")
    def load(self) -> None:
        app = cast("NnprepApp", self.app)
        try:
            texts = app.services.task_texts()
        except Exception as e:
            self.from_worker(self._failed, str(e))
            return
        self.from_worker(self._loaded, texts)

    def _failed(self, message: str) -> None:
        self.query_one("#tasks-loading").display = False
        self.query_one("#task-count", Static).update(f"The coding tasks are not available: {message}")

    def _loaded(self, texts: dict[str, Any]) -> None:
        self.texts = texts
        topics = sorted({t.topic for t in texts.values()})
        self.query_one("#filter-topic", Select).set_options([(topic_label(t), t) for t in topics])
        self.query_one("#tasks-loading").display = False
        table = self.query_one("#task-table", DataTable)
        table.display = True
        self.refresh_rows()
        table.focus()

    @on(events.ScreenResume)
    def _resumed(self) -> None:
        if self.texts:
            self.refresh_rows()

    @on(Input.Changed, "#task-search")
    @on(Select.Changed)
    def refresh_rows(self) -> None:
        if not self.texts:
            return
        try:
            self.statuses = self.nn.services.progress.task_statuses()
        except Exception:
            self.statuses = {}
        topic = self.query_one("#filter-topic", Select).value
        level = self.query_one("#filter-difficulty", Select).value
        status = self.query_one("#filter-status", Select).value
        table = self.query_one("#task-table", DataTable)
        selected = self.selected_id()
        table.clear()
        wide = self.app.size.width >= 110
        id_width, title_width, topic_width = (30, 44, 36) if wide else (20, 22, 18)
        words = self.query_one("#task-search", Input).value.casefold().split()
        for task_id, text in self.texts.items():
            st = self.statuses.get(task_id, "new")
            haystack = f"{task_id} {text.title} {topic_label(text.topic)}".casefold()
            if not all(w in haystack for w in words):
                continue
            if topic != Select.NULL and text.topic != topic:
                continue
            if level != Select.NULL and text.difficulty != level:
                continue
            if status != Select.NULL and st != status:
                continue
            table.add_row(_fit(task_id, id_width), _fit(text.title, title_width), text.difficulty, str(text.minutes),
                          STATUS_MARK[st], _fit(topic_label(text.topic), topic_width), key=task_id)
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected))
        n = table.row_count
        self.query_one("#task-count", Static).update(
            f"{n} of {len(self.texts)} tasks · {sum(s == 'solved' for s in self.statuses.values())} solved"
        )

    def selected_id(self) -> str | None:
        table = self.query_one("#task-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return None if key.value is None else str(key.value)

    def action_focus_search(self) -> None:
        self.query_one("#task-search", Input).focus()

    @on(Input.Submitted, "#task-search")
    def _searched(self) -> None:
        """Enter in the search box opens the first task found."""
        table = self.query_one("#task-table", DataTable)
        if table.row_count:
            table.move_cursor(row=0)
            self.action_open()

    def action_focus_filters(self) -> None:
        self.query_one("#filter-topic", Select).focus()

    @on(DataTable.RowSelected, "#task-table")
    def action_open(self) -> None:
        task_id = self.selected_id()
        if task_id is None:
            return
        open_task(self.nn, task_id, self.texts[task_id])


def open_task(app: NnprepApp, task_id: str, text: Any) -> None:
    from quiz.tui.screens.task import TaskScreen

    app.show(app.keep_screen(f"task:{task_id}", lambda: TaskScreen(task_id, text)))
