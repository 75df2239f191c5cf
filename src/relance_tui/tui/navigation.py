"""What the app does for the case screens: open a case, go to the next one, open the agenda,
release claims (one case on leaving it, all of them on a clean exit).

A mixin of `RelanceApp`, kept out of app.py so that file stays small.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.worker import WorkerCancelled, WorkerFailed

from relance_tui.config import Settings
from relance_tui.i18n import t
from relance_tui.storage.queue import Key
from relance_tui.tui.database import DatabaseApp, database_work
from relance_tui.tui.key_pacing import KeyPacing

if TYPE_CHECKING:
    from relance_tui.services.queue import QueueFilters

CASE_SCREEN = "case"  # the installed, reused case screen


class NextCase(Message):
    """`n`: the case found after the last one, with its queue key (None: none left)."""

    def __init__(self, case_id: int | None, key: Key | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.key = key


class CaseNavigation(KeyPacing, DatabaseApp[int]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_case", "key.next_case", id="app.next_case"),
        Binding("a", "agenda", "key.agenda", id="app.agenda"),
    ]
    agent_login: str
    settings: Settings
    last_case: tuple[int, Key | None] | None = None  # the case opened last (`n` goes after it)
    walk_filters: QueueFilters | None = None  # the queue view `n` walks (the queue screen's)
    walk_seen: frozenset[int] = frozenset()  # cases opened on this walk: `n` passed them

    def now(self) -> datetime:
        raise NotImplementedError

    def open_case(self, case_id: int, queue_key: Key | None = None) -> None:
        """Show the case on the case screen, pushed unless already current (`n` from a case).

        The case screen is composed once, installed, and reused for every case (composing it
        cost ~400 ms an open). Only when it is already on the stack under another screen (a
        case opened from the agenda opened from a case) does a second one get made.
        """
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.case import CaseScreen
        from relance_tui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):  # a case found from the help: the help is done
            self.pop_screen()
        if self.call_left_first(partial(self.open_case, case_id, queue_key)):
            return  # the call on screen: asked first, as Esc does
        if any(getattr(screen, "in_call", False) for screen in self.screen_stack):
            self.notify(t("casefile.finish_call_first"), severity="warning")  # under a screen
            return
        self.last_case = (case_id, queue_key)
        self.walk_seen |= {case_id}
        self.hold_keys()
        if isinstance(self.screen, CaseScreen):
            self.screen.open_other(case_id, queue_key=queue_key)
            return
        if not self.is_screen_installed(CASE_SCREEN):
            self.install_screen(CaseScreen(case_id, queue_key=queue_key), CASE_SCREEN)
            self.push_screen(CASE_SCREEN)
            return
        screen = self.get_screen(CASE_SCREEN, CaseScreen)
        if screen in self.screen_stack:
            self.push_screen(CaseScreen(case_id, queue_key=queue_key))
        else:
            screen.show_case(
                case_id, queue_key=queue_key, present=partial(self.push_screen, screen)
            )

    def walk_view(self, filters: QueueFilters) -> None:
        """The queue screen shows this view now: `n` walks it, from its top when it changed."""
        if filters != self.walk_filters:
            if self.walk_filters is not None:
                self.last_case = None
                self.walk_seen = frozenset()
            self.walk_filters = filters

    def open_next_case(self, after_case_id: int | None, after_key: Key | None = None) -> None:
        """`n`: the next case of the view I walk that nobody holds and nobody worked today."""
        self.hold_keys()
        self._find_next_case(
            after_case_id, after_key, self.walk_filters, self.walk_seen, self.now()
        )

    @database_work(group="next-case")
    def _find_next_case(
        self,
        conn: sqlite3.Connection,
        after_case_id: int | None,
        after_key: Key | None,
        filters: QueueFilters | None,
        seen: frozenset[int],
        now: datetime,
    ) -> NextCase:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.services.next_case import next_case

        row = next_case(
            conn,
            self.agent_login,
            after_case_id=after_case_id,
            after_key=after_key,
            filters=filters,
            passed=seen,
            now=now,
        )
        return NextCase(None) if row is None else NextCase(row.id, row.key)

    def on_next_case(self, message: NextCase) -> None:
        if message.case_id is None:
            self.drop_held_keys()
            self.notify(t("casefile.no_next_case"), severity="warning")
        else:
            # The key as found: the walk goes on from here, wherever the call moves the case.
            self.open_case(message.case_id, message.key)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Never leave a call half done (the case screen's own keys ask first; `o` and `q` ask).
        leaving = ("next_case", "agenda")
        return not (action in leaving and getattr(self.screen, "in_call", False))

    def action_next_case(self) -> None:
        last = self.last_case
        self.open_next_case(last[0] if last else None, last[1] if last else None)

    def action_agenda(self) -> None:
        self.open_agenda()

    def open_agenda(self) -> None:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.agenda import AgendaScreen

        if not isinstance(self.screen, AgendaScreen):
            self.push_screen(AgendaScreen())

    def release_case(self, case_id: int, agent_id: int) -> None:
        self._release_case(case_id, agent_id)

    @database_work(group="claims", exclusive=False, interruptible=False)
    def _release_case(self, conn: sqlite3.Connection, case_id: int, agent_id: int) -> None:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.services.claims import release_case

        release_case(conn, case_id, agent_id)

    @database_work(group="claims", exclusive=False, interruptible=False)
    def _release_all_claims(self, conn: sqlite3.Connection) -> None:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.services.claims import release_everything
        from relance_tui.storage.agents import get_agent

        agent = get_agent(conn, self.agent_login)
        if agent is not None:
            release_everything(conn, agent.id)

    def call_left_first(self, then: Callable[[], object]) -> bool:
        """During a call, a key that leaves it (quit, the overview…) asks first, as Esc does:
        True when it asked (`then` is done once the agent agreed to discard the call)."""
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.case import CaseScreen

        screen = self.screen
        if isinstance(screen, CaseScreen) and screen.in_call:
            screen.leave(then)
            return True
        return False

    async def action_quit(self) -> None:
        """A clean exit releases my claims (a dropped connection does not: they expire).
        During a call, once the agent agreed to discard it."""
        if self.call_left_first(partial(self.call_later, self.action_quit)):
            return
        # Reads stop first: a re-rank in progress holds the write lock the release waits for.
        self.workers.cancel_all()
        with contextlib.suppress(WorkerFailed, WorkerCancelled):  # reported already
            await self._release_all_claims().wait()
        self.exit()
