"""The Textual application: holds the database path, the agent and the settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType

from relance_tui.config import Settings
from relance_tui.i18n import t
from relance_tui.tui.bindings import translate_bindings


class RelanceApp(App[int]):
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "key.quit", id="quit"),
        Binding("question_mark", "help", "key.help", id="help"),
        Binding("o", "portfolio", "key.portfolio", id="portfolio"),
    ]

    def __init__(
        self,
        *,
        db_path: Path,
        agent_login: str,
        settings: Settings,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self._clock = clock or (lambda: datetime.now(UTC))
        translate_bindings(self)
        self.title = t("app.title")
        self.db_path = db_path
        self.agent_login = agent_login
        self.settings = settings

    def now(self) -> datetime:
        """The current time (UTC); tests inject a fixed clock."""
        return self._clock()

    def today(self) -> date:
        """The business day (Europe/Paris)."""
        from relance_tui.formatting import PARIS

        return self.now().astimezone(PARIS).date()

    def on_mount(self) -> None:
        from relance_tui.tui.screens.queue import QueueScreen

        self.push_screen(QueueScreen())  # the home screen: the agent's work queue

    def action_help(self) -> None:
        from relance_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen.for_app(self))

    def open_case(self, case_id: int, queue_key: object = None) -> None:
        """Open a case file. The case screen is another issue: until it lands, say so honestly."""
        del queue_key
        self._announce_case(case_id)

    @work(thread=True, group="open-case", exit_on_error=False)
    def _announce_case(self, case_id: int) -> None:
        from relance_tui.services.queue import case_row
        from relance_tui.storage.db import connect

        conn = connect(self.db_path, migrate_schema=False)
        try:
            row = case_row(conn, case_id)
        finally:
            conn.close()
        if row is not None:
            message = t(
                "queue.case_file_pending", reference=row.debtor_reference, name=row.debtor_name
            )
            self.call_from_thread(self.notify, message, markup=False)

    def action_portfolio(self) -> None:
        from relance_tui.tui.screens.portfolio import PortfolioScreen

        if not isinstance(self.screen, PortfolioScreen):
            self.push_screen(PortfolioScreen(db_path=self.db_path, agent_login=self.agent_login))
