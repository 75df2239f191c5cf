"""What the app does for the case screens: open a case, go to the next one, open the agenda,
release claims (one case on leaving it, all of them on a clean exit).

A mixin of `RelanceApp`, kept out of app.py so that file stays small.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType

from relance_tui.config import Settings
from relance_tui.i18n import t
from relance_tui.storage.queue import Key

CASE_SCREEN = "case"  # the installed, reused case screen


class CaseNavigation(App[int]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_case", "key.next_case", id="app.next_case"),
        Binding("a", "agenda", "key.agenda", id="app.agenda"),
    ]
    db_path: Path
    agent_login: str
    settings: Settings
    last_case: tuple[int, Key | None] | None = None  # the case opened last (`n` goes after it)

    def now(self) -> datetime:
        raise NotImplementedError

    def open_case(self, case_id: int, queue_key: Key | None = None) -> None:
        """Show the case on the case screen, pushed unless already current (`n` from a case).

        The case screen is composed once, installed, and reused for every case (composing it
        cost ~400 ms an open). Only when it is already on the stack under another screen (a
        case opened from the agenda opened from a case) does a second one get made.
        """
        from relance_tui.tui.screens.case import CaseScreen

        self.last_case = (case_id, queue_key)
        if isinstance(self.screen, CaseScreen):
            self.screen.show_case(case_id, queue_key=queue_key)
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

    def open_next_case(self, after_case_id: int | None, after_key: Key | None = None) -> None:
        """`n`: the next case in my queue that nobody else holds."""
        self._find_next_case(after_case_id, after_key)

    @work(thread=True, exclusive=True, group="next-case", exit_on_error=False)
    def _find_next_case(self, after_case_id: int | None, after_key: Key | None) -> None:
        from relance_tui.services.next_case import next_case
        from relance_tui.storage.db import connect

        conn = connect(str(self.db_path), migrate_schema=False)
        try:
            found = next_case(
                conn, self.agent_login, after_case_id=after_case_id, after_key=after_key,
                now=self.now(),
            )  # fmt: skip
        finally:
            conn.close()
        if found is None:
            self.call_from_thread(self.notify, t("casefile.no_next_case"), severity="warning")
        else:
            self.call_from_thread(self.open_case, found)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Never leave a call half done.
        return not (action in ("next_case", "agenda") and getattr(self.screen, "in_call", False))

    def action_next_case(self) -> None:
        last = self.last_case
        self.open_next_case(last[0] if last else None, last[1] if last else None)

    def action_agenda(self) -> None:
        self.open_agenda()

    def open_agenda(self) -> None:
        from relance_tui.tui.screens.agenda import AgendaScreen

        if not isinstance(self.screen, AgendaScreen):
            self.push_screen(AgendaScreen())

    def release_case(self, case_id: int, agent_id: int) -> None:
        self._release_case(case_id, agent_id)

    @work(thread=True, group="claims", exit_on_error=False)
    def _release_case(self, case_id: int, agent_id: int) -> None:
        from relance_tui.services.claims import release_case
        from relance_tui.storage.db import connect

        conn = connect(str(self.db_path), migrate_schema=False)
        try:
            release_case(conn, case_id, agent_id)
        finally:
            conn.close()

    def release_all_claims(self) -> None:
        """On a clean exit (not on a dropped connection: those claims expire by themselves)."""
        from relance_tui.services.claims import release_everything
        from relance_tui.storage.agents import get_agent
        from relance_tui.storage.db import connect

        try:
            conn = connect(str(self.db_path), migrate_schema=False)
        except Exception:
            return
        try:
            agent = get_agent(conn, self.agent_login)
            if agent is not None:
                release_everything(conn, agent.id)
        except Exception:
            pass
        finally:
            conn.close()

    async def action_quit(self) -> None:
        self.release_all_claims()
        self.exit()
