"""Keys handled one at a time, in the order they were typed, by the widget that has focus when each one's turn comes.

Textual hands every key to the widget focused *when the key arrives*, and runs the app's bindings only when the key
has bubbled back up. Keys typed faster than the app handles them (a fast typist, a busy machine, keys pressed while
one screen replaces another) then reach a widget that is about to lose focus: after ``enter`` in an answer box the
next answer's digits land in the old box, after ``tab`` the next key still goes to the box just left. nnprep instead
holds each key until the one before it has been fully handled, bindings included, so a burst of keys behaves
exactly like the same keys typed slowly.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from textual import events
from textual.app import App
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.timer import Timer

SCREEN_WAIT_SECONDS = 0.01  # how often a key waiting for a new screen checks whether it is ready
SETTLE_ROUNDS = 16  # at most this many rounds of waiting for the widgets' queues after a key (a message bubbling
# up from a deeply nested widget takes a round per level)
STUCK_SECONDS = 0.5  # a key whose widget went away before handling it releases the next one after this long
HOLD_MAX_SECONDS = 5.0  # keys never wait longer than this for a screen (a start that failed must not eat them)


class OrderedKeys(App[Any]):
    """Mixin for the app: one key in flight at a time; the others wait, in order."""

    _key_backlog: deque[events.Key]
    _key_in_flight: events.Key | None = None
    _key_timer: Timer | None = None
    _held_since: float | None = None

    def key_blocked(self, event: events.Key) -> bool:
        """True to drop a typed key before anything sees it (the app overrides this)."""
        return False

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self.key_blocked(event):
                return
            if not hasattr(self, "_key_backlog"):
                self._key_backlog = deque()
            if self._key_in_flight is not None or self._key_backlog:  # keys go out in the order they came
                self._key_backlog.append(event)
                return
            await self._dispatch_key(event)
            return
        await super().on_event(event)

    async def _dispatch_key(self, event: events.Key) -> None:
        # A screen still being built (or one that says it is moving focus to a new answer, ``hold_keys``): the
        # key waits until the answer has focus.
        waiting = not self.screen.is_mounted or getattr(self.screen, "hold_keys", False)
        if waiting and self._held_since is None:
            self._held_since = time.monotonic()
        if waiting and time.monotonic() - (self._held_since or 0.0) < HOLD_MAX_SECONDS:
            self._key_backlog.appendleft(event)
            self.set_timer(SCREEN_WAIT_SECONDS, self._next_key)
            return
        self._held_since = None
        self._key_in_flight = event
        self._key_timer = self.set_timer(STUCK_SECONDS, lambda: self._release(event))
        target = self.focused or self.screen
        await super().on_event(event)  # priority bindings, else forwarded to ``target``
        if not event.is_forwarded:
            self._key_done(event)  # a priority binding took it
        else:
            target.call_later(self._follow_key, event, target)

    def _follow_key(self, event: events.Key, node: DOMNode) -> None:
        """Runs in ``node``'s queue once ``node`` has handled ``event``: follow it up, or it is done."""
        parent = node.parent
        if isinstance(node, Screen) or parent is None or parent is self:
            self.call_later(self._key_done, event)  # after the app's own handling of it, if it got there
        elif event._stop_propagation:  # Textual has no public reader of `Message.stop()`; the key bubbles no more
            self._key_done(event)
        else:
            parent.call_later(self._follow_key, event, parent)

    def _key_done(self, event: events.Key) -> None:
        if self._key_in_flight is event:
            self._settle(event, SETTLE_ROUNDS)

    def _settle(self, event: events.Key, rounds: int) -> None:
        """Let what the key set off finish (messages it posted, focus it moved) before the next key goes out:
        wait until every widget of the screen has handled what it had queued, up to ``rounds`` times."""
        nodes: list[MessagePump] = [self, *self.screen.walk_children(with_self=True)]
        waiting = 0

        def handled() -> None:
            nonlocal waiting
            waiting -= 1
            if waiting == 0:
                busy = any(node.message_queue_size for node in nodes)
                self._settle(event, rounds - 1) if busy and rounds > 1 else self._release(event)

        for node in nodes:
            waiting += bool(node.call_later(handled))
        if waiting == 0:
            self._release(event)

    def _release(self, event: events.Key) -> None:
        if self._key_in_flight is not event:
            return
        if self._key_timer is not None:
            self._key_timer.stop()
        self._key_in_flight = None
        if self._key_backlog:
            self.call_later(self._next_key)

    async def _next_key(self) -> None:
        if self._key_in_flight is None and self._key_backlog:
            await self._dispatch_key(self._key_backlog.popleft())
