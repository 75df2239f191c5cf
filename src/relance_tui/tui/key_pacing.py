"""Keys are taken one at a time, and wait while a case opens or a call starts.

An agent who knows the way types Enter, c, Enter, 4, Enter at once, and over SSH such keys often
arrive together in one read. Textual would route each of them before the previous one had done
its work: the call's keys landed on the queue (letters there search, Enter opens another row) or
on a case screen still loading. So:

- a key is handled once the previous one is done with (the app idle again, as Textual's own key
  simulation paces its keys); a key typed alone goes through at once, and so does a character
  typed into a text field;
- while a case opens or a call starts (`hold_keys`), the keys typed meanwhile wait; they go on
  once it is on screen (`replay_held_keys`), or are dropped when what they were typed for did not
  come (`drop_held_keys`: a left-over draft asks its question, the case cannot be read), and in
  any case after `HOLD_KEYS_SECONDS`.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING

from textual import events
from textual._wait import wait_for_idle  # private, but what App._press_keys uses to pace keys
from textual.app import App
from textual.dom import DOMNode
from textual.timer import Timer
from textual.widgets import Input, TextArea

HOLD_KEYS_SECONDS = 10.0  # a safety net: a case or a call slower than this on a loaded server
IDLE_WAIT_MAX_SECONDS = 0.25  # a busy app (a score refresh running) still takes the next key
NEVER_HELD = frozenset({"ctrl+c", "ctrl+q"})

if TYPE_CHECKING:
    _Base = App[int]
else:  # a mixin of the app, placed before Textual's App
    _Base = object


class KeyPacing(_Base):
    _pending_keys: deque[events.Key] | None = None  # waiting for the key being handled
    _key_busy = False  # a key is being handled
    _key_in_transit: events.Key | None = None  # the pending key posted to go next
    _held_keys: list[events.Key] | None = None  # typed while a case opens (None: not opening)
    _hold_timer: Timer | None = None
    _key_done_task: asyncio.Task[None] | None = None  # kept: the loop holds tasks weakly

    def hold_keys(self) -> None:
        if self._held_keys is None:
            self._held_keys = list(self._pending())
            self._pending().clear()
            self._hold_timer = self.set_timer(HOLD_KEYS_SECONDS, self.drop_held_keys)

    def replay_held_keys(self) -> None:
        """What the keys were typed for is on screen: they go on, in order."""
        self._pending().extend(self._stop_holding())
        if not self._key_busy:
            self._next_key()

    def drop_held_keys(self) -> None:
        self._stop_holding()

    def _stop_holding(self) -> list[events.Key]:
        held, self._held_keys = self._held_keys or [], None
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        return held

    def _pending(self) -> deque[events.Key]:
        if self._pending_keys is None:
            self._pending_keys = deque()
        return self._pending_keys

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded or event.key in NEVER_HELD:
            await super().on_event(event)
            return
        if event is self._key_in_transit:
            self._key_in_transit = None
        elif self._held_keys is not None:
            self._held_keys.append(event)
            return
        elif self._key_busy:
            self._pending().append(event)
            return
        self._key_busy = True
        # A character typed into a text field changes nothing but the field: the next key may
        # follow it at once (a note typed ahead is not slowed to one character per idle wait).
        typing = event.is_printable and isinstance(self.focused, Input | TextArea)
        target: DOMNode = self.focused or self.screen
        try:
            await super().on_event(event)
        finally:
            if typing:
                self._next_key()
            else:
                self._key_done_task = asyncio.get_running_loop().create_task(self._key_done(target))

    async def _key_done(self, target: DOMNode) -> None:
        """The key was handled where it went, and what that set off: the messages it posted up
        the tree (an option chosen, a step shown), the focus moved on the app's queue.

        Keys that came together: the next one goes on once the widget the first went to, and
        each of its parents, have emptied their queues twice over, and the app is idle. A key
        typed alone needs only the idle wait (a timer, next to no CPU), as long as no other key
        comes meanwhile."""
        try:
            await asyncio.sleep(0)  # the app takes in the keys that arrived with this one
            if not self._pending_keys:
                await wait_for_idle(0, IDLE_WAIT_MAX_SECONDS)
            if self._pending_keys:
                await self._queues_emptied(target)
                await wait_for_idle(0, IDLE_WAIT_MAX_SECONDS)
        finally:
            self._next_key()

    @staticmethod
    async def _queues_emptied(target: DOMNode) -> None:
        # An idle-looking app on a loaded server may only be waiting for its turn on the CPU.
        for _ in range(2):
            for pump in target.ancestors_with_self:  # the widget … its screen, the app
                done = asyncio.Event()
                if pump.call_later(done.set):
                    await done.wait()

    def _next_key(self) -> None:
        pending = self._pending()
        if self._held_keys is not None or not pending:
            self._key_busy = False
            return
        self._key_busy = True
        typed = pending.popleft()
        key = events.Key(typed.key, typed.character)
        key.set_sender(self)  # as the driver sends keys: bubbling stops at no screen
        self._key_in_transit = key
        self.post_message(key)
