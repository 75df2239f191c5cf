"""The Textual application: holds the database (tui/database.py), the agent and the settings."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import ThemeProvider

from relance_tui.config import Settings
from relance_tui.domain.text import inert
from relance_tui.i18n import t
from relance_tui.tui.bindings import translate_bindings
from relance_tui.tui.database import database_work
from relance_tui.tui.key_names import key_display
from relance_tui.tui.navigation import CaseNavigation
from relance_tui.tui.palette import CaseSearch, TranslatedPalette


def _queue_screen() -> Screen[Any]:
    # Deferred: not loaded until first used (start-up time).
    from relance_tui.tui.screens.queue import QueueScreen

    return QueueScreen()


class RelanceApp(CaseNavigation):
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar = CaseNavigation.COMMANDS | {CaseSearch}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "key.quit", id="app.quit"),
        Binding("question_mark", "help", "key.help", id="app.help"),
        Binding("o", "portfolio", "key.portfolio", id="app.portfolio"),
        # Not in the footer (agents cannot use them): in the help and the palette.
        Binding("b", "bank_credits", "unmatched.key.open", id="app.bank_credits", show=False),
        Binding("v", "supervisor", "key.supervisor", id="app.supervisor", show=False),
        # Textual's own palette key, given an id so that it can be remapped too.
        Binding(
            "ctrl+p",
            "command_palette",
            "key.palette_short",
            id="app.palette",
            show=False,
            priority=True,
        ),
    ]

    # The home screen is the work queue, as the first mode: no blank screen composed beneath it.
    DEFAULT_MODE = "queue"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {"queue": _queue_screen}

    def __init__(
        self,
        *,
        db_path: Path,
        agent_login: str,
        settings: Settings,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(db_path=db_path)
        # Textual makes thousands of short-lived objects per frame (strips, segments and their
        # caches) beside many long-lived ones: with Python's default threshold (700) the cycle
        # collector ran dozens of times per page down. Every 10 000 allocations it runs ~14x
        # less often; a page down costs ~15 % less CPU and memory stays well under target.
        gc.set_threshold(10_000, 20, 20)
        self._clock = clock or (lambda: datetime.now(UTC))
        translate_bindings(self)
        self.title = t("app.title")
        self.agent_login = agent_login
        self.settings = settings
        self.animation_level = settings.animations
        if settings.keymap:
            # Deferred: not loaded until first used (start-up time).
            from relance_tui.tui.keymap import checked_keymap

            self.set_keymap(checked_keymap(settings.keymap))

    class AuditChainBroken(Message):
        """The audit chain broke since its last check (for supervisors and admins)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def on_mount(self) -> None:
        self._check_audit_chain(self.agent_login)
        if not self.is_headless:
            # Deferred: not loaded until first used (start-up time).
            from relance_tui.tui.lost_terminal import TerminalWatch

            self.terminal_watch = TerminalWatch(self)
            self.terminal_watch.start()

    @database_work(group="audit-chain")
    def _check_audit_chain(self, conn: sqlite3.Connection, login: str) -> Message | None:
        """Only what came after the last verified event is read (services/audit_chain.py)."""
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.services.audit_chain import describe, startup_check
        from relance_tui.storage.agents import get_agent

        agent = get_agent(conn, login)
        broken = None if agent is None else startup_check(conn, agent)
        if broken is None:
            return None
        message = t("audit_chain.broken", id=broken.event_id, reason=describe(broken))
        return self.AuditChainBroken(t("audit_chain.warning", message=message))

    def on_relance_app_audit_chain_broken(self, message: AuditChainBroken) -> None:
        self.notify(message.text, severity="error", timeout=60, markup=False)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast (a widget's `notify` comes here) with its text made `inert`: errors and
        confirmations quote names and logins. Those must still pass `markup=False`."""
        super().notify(
            inert(message), title=inert(title), severity=severity, timeout=timeout, markup=markup
        )

    def now(self) -> datetime:
        """The current time (UTC); tests inject a fixed clock."""
        return self._clock()

    def today(self) -> date:
        """The business day (Europe/Paris)."""
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.domain.clock import business_day

        return business_day(self.now())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own commands an agent needs, in the agent's language. Left out: Screenshot
        (it writes a file on the shared server) and Maximize/Minimize."""
        yield SystemCommand(t("palette.keys"), t("palette.keys_help"), self.action_help)
        yield SystemCommand(
            t("unmatched.palette"), t("unmatched.palette_help"), self.action_bank_credits
        )
        review = self.action_dunning_review
        yield SystemCommand(t("dunning_review.palette"), t("dunning_review.palette_help"), review)
        yield SystemCommand(t("palette.theme"), t("palette.theme_help"), self.action_change_theme)
        yield SystemCommand(t("palette.quit"), t("palette.quit_help"), self.action_quit)

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Refused, however it is asked for: on a shared server the app runs as the account that
        owns the database, and Textual's screenshot writes a file of any name in any directory
        (`app.screenshot('relance.db', '/var/lib/relance')` would replace the database)."""

    def action_command_palette(self) -> None:
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            placeholder = t("palette.placeholder")
            self.push_screen(TranslatedPalette(id="--command-palette", placeholder=placeholder))

    def search_themes(self) -> None:
        placeholder = t("palette.theme_placeholder")
        self.push_screen(TranslatedPalette(providers=[ThemeProvider], placeholder=placeholder))

    def get_key_display(self, binding: Binding) -> str:
        return key_display(binding)

    def action_help_quit(self) -> None:
        """ctrl+c does not quit (it copies): say which key does, ours (`q`) before Textual's."""
        quitting = [
            (key, active.binding)
            for key, active in self.active_bindings.items()
            if active.binding.action in ("quit", "app.quit")
        ]
        quitting.sort(key=lambda found: found[1].id is None)
        if quitting:
            key, binding = quitting[0]
            shown = self.get_key_display(replace(binding, key=key, key_display=None))
            self.notify(t("quit_hint.body", key=shown), title=t("quit_hint.title"), markup=False)

    def action_help(self) -> None:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen.for_app(self))

    def action_portfolio(self) -> None:
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.overview import PortfolioScreen

        if self.call_left_first(self.action_portfolio):
            return
        if not isinstance(self.screen, PortfolioScreen):
            self.push_screen(PortfolioScreen(agent_login=self.agent_login))

    def action_bank_credits(self) -> None:
        """The bank credits waiting for a supervisor (the screen says so to others)."""
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.unmatched import UnmatchedScreen

        if not isinstance(self.screen, UnmatchedScreen):
            self.push_screen(UnmatchedScreen())

    def action_supervisor(self) -> None:
        """`v`: the supervisor's screen; the service refuses agents (the screen then says so)."""
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.supervisor import SupervisorScreen

        if not isinstance(self.screen, SupervisorScreen):
            self.push_screen(SupervisorScreen())

    def action_dunning_review(self) -> None:
        """The day's dunning batch, for a supervisor to review (the service refuses agents)."""
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.screens.dunning_review import DunningReviewScreen

        if self.call_left_first(self.action_dunning_review):
            return
        if not isinstance(self.screen, DunningReviewScreen):
            self.push_screen(DunningReviewScreen())
