"""The base screen: a clear message instead of a broken layout when the terminal is smaller than 80x24."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

if TYPE_CHECKING:
    from quiz.app import NnprepApp

MIN_WIDTH, MIN_HEIGHT = 80, 24
STYLES = Path(__file__).resolve().parent / "styles"  # absolute: subclasses may live anywhere
R = TypeVar("R")


def too_small_message(width: int, height: int) -> str:
    return f"nnprep needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this terminal is {width}x{height}"


class TooSmall(Static):
    """Shown instead of the screen's content while the terminal is too small."""


class SizeGuard:
    """Mixin for screens: hides the content (keeping all its state) while the terminal is too small."""

    _saved_focus: Widget | None = None
    hold_keys = False  # True while the screen waits for another to open: typed keys wait (quiz.tui.key_order)

    def _guard_widget(self) -> TooSmall:
        screen: Any = self
        found = screen.query(TooSmall)
        if found:
            widget: TooSmall = found.first()
            return widget
        widget = TooSmall("", id="too-small")
        screen.mount(widget)
        return widget

    def check_size(self) -> None:
        screen: Any = self
        width, height = screen.app.size
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        was_small = screen.has_class("-too-small")
        if small:
            self._guard_widget().update(too_small_message(width, height))
            if not was_small:
                self._saved_focus = screen.focused
        screen.set_class(small, "-too-small")
        if was_small and not small and self._saved_focus is not None:
            if self._saved_focus.is_attached:
                screen.set_focus(self._saved_focus)
            self._saved_focus = None

    def on_resize(self, event: events.Resize) -> None:
        self.check_size()

    def on_key(self, event: events.Key) -> None:
        """Mark a key with the screen it was meant for: if another screen is shown by the time it reaches the app
        (typed while one screen replaced another), the app hands it to the screen now shown."""
        event.nn_screen = self  # type: ignore[attr-defined]

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self.check_size()


class BaseScreen(SizeGuard, Screen[R]):
    """A full screen of nnprep."""

    @property
    def nn(self) -> NnprepApp:
        from quiz.app import NnprepApp

        app = self.app
        assert isinstance(app, NnprepApp)
        return app

    def from_worker(self, callback: Callable[..., object], *args: object) -> None:
        """From a worker thread: ``callback(*args)`` on the app's thread, unless by then the app is closing (the
        user quit while the worker still read the database): the screen's widgets may be gone, nothing to show."""

        def if_still_shown() -> None:
            if self.app.is_running and self.is_running and self.is_attached:
                callback(*args)

        self.app.call_from_thread(if_still_shown)


class BaseModal(SizeGuard, ModalScreen[R]):
    """A dialog of nnprep."""
