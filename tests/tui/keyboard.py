"""Typing as a fast person does: key events arrive in a burst, without waiting for the app to settle.

``Pilot.press`` waits for the app to go idle after every key, which no person does; :func:`type_burst` queues
all the keys at once (the way a terminal delivers fast typing or keys pressed during a screen transition),
then waits for the app to catch up.
"""

from __future__ import annotations

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
    for _ in range(settle):
        await pilot.pause()


NAMED = {"enter", "tab", "shift+tab", "space", "escape", "backspace", "up", "down", "left", "right", "home", "end",
         "ctrl+s", "ctrl+n", "ctrl+b", "ctrl+l", "ctrl+r", "ctrl+g", "pageup", "pagedown", "delete"}
