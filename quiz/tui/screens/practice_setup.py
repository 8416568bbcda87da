"""Practice setup: topics, difficulty, number of items and order; then one screen per item."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    LoadingIndicator,
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
)

from quiz.tui.base import STYLES, BaseScreen
from quiz.tui.services import BankView, Unavailable
from quiz.tui.session import DIFFICULTIES, ORDERS, Order, PracticeConfig, Session, select_items
from quiz.tui.widgets.unsaved import UnsavedProgress

if TYPE_CHECKING:
    from quiz.app import NnprepApp


def topic_label(topic: str) -> str:
    from questions.schema import TOPICS

    return TOPICS.get(topic, topic)


class PracticeSetupScreen(BaseScreen[None]):
    """Choose what to practise."""

    CSS_PATH = STYLES / "practice.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+s", "start", "Start", priority=True),
        Binding("a", "all_topics", "All topics"),
        Binding("n", "no_topics", "No topics"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.bank: BankView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield UnsavedProgress(compact=True)
        yield LoadingIndicator(id="setup-loading")
        with Horizontal(id="setup"):
            with Vertical(id="setup-topics", classes="panel"):
                yield Label("Topics  [dim](space toggles; none ticked = all)[/]")
                yield SelectionList[str](id="topics")
            with Vertical(id="setup-options"):
                with Vertical(classes="panel"):
                    yield Label("Difficulty")
                    with RadioSet(id="difficulty"):
                        for key, label in DIFFICULTIES.items():
                            yield RadioButton(label, value=key == "any", name=key)
                with Vertical(classes="panel"):
                    yield Label("Order")
                    with RadioSet(id="order"):
                        for key, label in ORDERS.items():
                            yield RadioButton(label, value=key == "due", name=key)
                with Horizontal(id="count-row"):
                    yield Label("Items ")
                    yield Input("10", id="count", type="integer", max_length=3)
                yield Button("Start (ctrl+s)", id="start", variant="primary")
                yield Static("", id="pool")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#setup").display = False
        self.load()

    @work(thread=True, exclusive=True, group="setup-bank")
    def load(self) -> None:
        app = cast("NnprepApp", self.app)
        try:
            bank = app.services.bank()
        except Unavailable as e:
            self.from_worker(self._failed, f"The question bank is not available yet: {e}")
            return
        except Exception as e:
            self.from_worker(self._failed, f"The question bank could not be loaded: {e}")
            return
        self.from_worker(self._loaded, bank)

    def _failed(self, message: str) -> None:
        self.query_one("#setup-loading").display = False
        self.mount(Static(message, id="setup-error"), before=self.query_one(Footer))

    def _loaded(self, bank: BankView) -> None:
        self.bank = bank
        counts = Counter(i.topic for i in bank.items)
        topics = self.query_one("#topics", SelectionList)
        from questions.schema import TOPICS

        for topic in [*TOPICS, *sorted(set(counts) - set(TOPICS))]:
            if counts.get(topic):
                topics.add_option((f"{topic_label(topic)} [dim]({counts[topic]})[/]", topic))
        self.query_one("#setup-loading").display = False
        self.query_one("#setup").display = True
        topics.focus()
        self._update_pool()

    def config(self) -> PracticeConfig:
        topics = frozenset(self.query_one("#topics", SelectionList).selected)
        diff = self.query_one("#difficulty", RadioSet).pressed_button
        order = self.query_one("#order", RadioSet).pressed_button
        try:
            count = max(1, min(200, int(self.query_one("#count", Input).value or "10")))
        except ValueError:
            count = 10
        return PracticeConfig(
            topics=topics, difficulty=(diff.name if diff and diff.name else "any"),
            order=cast(Order, order.name if order and order.name else "due"), count=count,
            skip_tags=cast("NnprepApp", self.app).services.skip_tags,
        )

    def _pool(self) -> list[Any]:
        if self.bank is None:
            return []
        cfg = self.config()
        cfg.count = 10**6
        return select_items(self.bank.items, cfg)

    @on(SelectionList.SelectedChanged)
    @on(RadioSet.Changed)
    @on(Input.Changed)
    def _update_pool(self) -> None:
        if self.bank is not None:
            n = len(self._pool())
            self.query_one("#pool", Static).update(f"{n} matching item{'s' if n != 1 else ''}")

    def action_all_topics(self) -> None:
        self.query_one("#topics", SelectionList).select_all()

    def action_no_topics(self) -> None:
        self.query_one("#topics", SelectionList).deselect_all()

    @on(Button.Pressed, "#start")
    @on(Input.Submitted, "#count")
    def action_start(self) -> None:
        if self.bank is None:
            return
        start_session(cast("NnprepApp", self.app), self.bank, self.config())


def start_session(app: NnprepApp, bank: BankView, config: PracticeConfig) -> None:
    """Pick the items and show the first one (on top of the current screen)."""
    services = app.services
    progress = services.progress
    items = select_items(bank.items, config, due_ids=progress.due_ids(), accuracy=progress.topic_accuracy(),
                         seed=services.seed)
    if not items:
        app.notify("No items match: choose more topics or another difficulty.", severity="warning")
        return
    from quiz.tui.screens.practice_item import ItemScreen

    session = Session(items, config)
    start = getattr(progress, "start_session", None)
    if start is not None:
        start(config.mode, {"topics": sorted(config.topics), "count": len(items), "order": config.order})
    app.push_screen(ItemScreen(session))


def start_review(app: NnprepApp) -> None:
    """A session of exactly the items due now (after loading the bank in a worker if needed)."""
    due = app.services.progress.due_ids()
    if not due:
        app.notify("Nothing is due for review. Practise something new!", title="Review")
        return
    _start_fixed(app, due, mode="review")


def start_leeches(app: NnprepApp) -> None:
    """A focused session on the leeches: items failed again and again (8 times), which need a new approach."""
    leeches = app.services.progress.leech_ids()
    if not leeches:
        app.notify("No leeches: no item has been failed 8 times.", title="Leeches")
        return
    _start_fixed(app, leeches, mode="leeches")


def _start_fixed(app: NnprepApp, item_ids: list[str], *, mode: str) -> None:
    """A session of exactly these items, in this order (after loading the bank in a worker if needed)."""

    origin: Any = app.screen
    origin.hold_keys = True  # keys typed meanwhile wait for the first item instead of acting on this screen

    def failed(message: str) -> None:
        origin.hold_keys = False
        app.notify(message, severity="error")

    def start(bank: BankView, config: PracticeConfig) -> None:
        origin.hold_keys = False  # the item screen is pushed now: held keys go to it
        start_session(app, bank, config)

    def load() -> None:
        try:
            bank = app.services.bank()
        except Exception as e:
            app.call_from_thread(failed, f"The question bank is not available: {e}")
            return
        config = PracticeConfig(only_ids=tuple(item_ids), count=len(item_ids), mode=mode)
        app.call_from_thread(start, bank, config)

    app.run_worker(load, thread=True, group=mode, exclusive=True)
