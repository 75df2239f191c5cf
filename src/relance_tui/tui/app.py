"""The Textual application: holds the database path, the agent and the settings."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from relance_tui.config import Settings
from relance_tui.i18n import t
from relance_tui.tui.bindings import translate_bindings


class RelanceApp(App[int]):
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "key.quit", id="quit"),
        Binding("o", "portfolio", "key.portfolio", id="portfolio"),
    ]

    def __init__(self, *, db_path: Path, agent_login: str, settings: Settings) -> None:
        super().__init__()
        translate_bindings(self)
        self.title = t("app.title")
        self.db_path = db_path
        self.agent_login = agent_login
        self.settings = settings

    def on_mount(self) -> None:
        self.action_portfolio()  # the home screen until the queue takes over

    def action_portfolio(self) -> None:
        from relance_tui.tui.screens.portfolio import PortfolioScreen

        if not isinstance(self.screen, PortfolioScreen):
            self.push_screen(PortfolioScreen(db_path=self.db_path, agent_login=self.agent_login))
