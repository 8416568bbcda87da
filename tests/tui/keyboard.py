"""Typing as a fast person does: key events arrive in a burst, without waiting for the app to settle.

``Pilot.press`` waits for the app to go idle after every key, which no person does; :func:`type_burst` queues
all the keys at once (the way a terminal delivers fast typing or keys pressed during a screen transition),
then waits for the app to catch up.
"""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from textual import events
from textual.app import App
from textual.keys import _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot


def key_event(key: str) -> events.Key:
    """The event a terminal sends for ``key``: a character (``"a"``, ``" "``) or a name (``"enter"``)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(key))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def type_burst(pilot: Pilot[Any], *keys: str, settle: int = 3) -> None:
    """Send every key at once (strings of several characters that are not key names are typed one by one)."""
    app: App[Any] = pilot.app
    driver = app._driver
    assert driver is not None
    for key in keys:
        for k in ([key] if len(key) == 1 or key in NAMED else list(key)):
            event = key_event(k)
            event.set_sender(app)
            driver.send_message(event)
    await keys_handled(pilot, settle)


async def keys_handled(pilot: Pilot[Any], settle: int = 3, timeout: float = 60.0) -> None:
    """Wait until every key sent has been handled: none queued for the app, none held back, none in flight (on a
    loaded machine a burst takes longer than any fixed number of pauses), then ``settle`` more pauses for what the
    last key set off."""
    app: Any = pilot.app
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        backlog = getattr(app, "_key_backlog", None)
        if app._message_queue.empty() and not backlog and getattr(app, "_key_in_flight", None) is None:
            break
        await pilot.pause(0.01)
    for _ in range(settle):
        await pilot.pause()


NAMED = {"enter", "tab", "shift+tab", "space", "escape", "backspace", "up", "down", "left", "right", "home", "end",
         "ctrl+s", "ctrl+n", "ctrl+b", "ctrl+l", "ctrl+r", "ctrl+g", "pageup", "pagedown", "delete"}
