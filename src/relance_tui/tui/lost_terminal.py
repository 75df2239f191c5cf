"""A lost terminal ends the app: on SIGHUP, SIGTERM, or a terminal that died under it.

Then the call's draft is saved (typed text included), the agent's claims are released, and the
app exits through Textual's own path, which leaves the alternate screen and turns the mouse
off on a terminal that still exists.

An SSH session that dies under a wrapper that does not pass SIGHUP on (`setsid`, `trap '' HUP`)
sends nothing: the pseudo-terminal is hung up, reads return end-of-file at once (Textual's
input thread then spins, 40–60 % of a core) and every terminal ioctl fails. So every second
the app asks the terminal for its settings (`tcgetattr`, one cheap ioctl); the first failure
ends it the same way. A safety net ends the process if leaving itself hangs on a dead terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import termios
import threading
from typing import TYPE_CHECKING

from textual.worker import WorkerCancelled, WorkerFailed

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp

CHECK_SECONDS = 1.0
SAFETY_NET_SECONDS = 30.0  # longest a leaving app may take before the process just ends
SIGNALS = (signal.SIGHUP, signal.SIGTERM)


class TerminalWatch:
    """Watches the app's terminal and its signals; `leave` runs once."""

    def __init__(self, app: RelanceApp) -> None:
        self.app = app
        self.leaving: asyncio.Task[None] | None = None
        self._fds = _terminal_fds()

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        for number in SIGNALS:
            loop.add_signal_handler(number, self.lost, 128 + number)
        if self._fds:
            self.app.set_interval(CHECK_SECONDS, self._check, name="terminal-watch")

    def _check(self) -> None:
        for fd in self._fds:
            try:
                termios.tcgetattr(fd)
            except (termios.error, OSError):
                self.lost(128 + signal.SIGHUP)
                return

    def lost(self, return_code: int) -> None:
        if self.leaving is None:
            self.leaving = asyncio.get_running_loop().create_task(self.leave(return_code))

    async def leave(self, return_code: int) -> None:
        net = threading.Timer(SAFETY_NET_SECONDS, os._exit, (return_code,))
        net.daemon = True
        net.start()
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.case import CaseScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, CaseScreen):
                await screen.keep_draft()
        app = self.app
        app.workers.cancel_all()  # reads stop; writes in progress finish (tui/database.py)
        with contextlib.suppress(WorkerFailed, WorkerCancelled):  # reported already
            await app._release_all_claims().wait()
        app.exit(return_code=return_code)


def _terminal_fds() -> tuple[int, ...]:
    """The descriptors of the terminal the app draws on and reads from (none: not a terminal)."""
    fds: list[int] = []
    for stream in (sys.__stdin__, sys.__stdout__):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            fd = stream.fileno()  # type: ignore[union-attr]
            if os.isatty(fd):
                fds.append(fd)
    return tuple(fds)
