"""The command palette (ctrl+p, on every screen) in the agent's language, and its case search:
jump to a case by debtor name, reference, SIREN, invoice number or phone.

The search runs in a thread with its own connection (services.queue.find_cases).
"""

from __future__ import annotations

import asyncio
from functools import partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, Hit, Hits, Provider
from textual.widgets.option_list import Option

from relance_tui.i18n import t
from relance_tui.tui.connections import ThreadConnections

MIN_QUERY = 2
HITS = 10


class CaseSearch(Provider):
    """App-wide: a case can be reached from any screen."""

    async def startup(self) -> None:
        db_path = getattr(self.app, "db_path", None)
        self._conns = ThreadConnections(db_path) if db_path is not None else None

    async def shutdown(self) -> None:
        if self._conns is not None:
            self._conns.close_all()

    def _find(self, text: str) -> list[object]:
        from relance_tui.services.queue import UnknownAgentError, find_cases, resolve_agent

        assert self._conns is not None
        conn = self._conns.get()
        try:
            agent = resolve_agent(conn, str(getattr(self.app, "agent_login", "")))
        except UnknownAgentError:
            return []
        mine = None if agent.sees_everyone else agent.id  # agents find their own cases only
        return list(find_cases(conn, text, agent_id=mine, limit=HITS))

    async def search(self, query: str) -> Hits:
        if self._conns is None or len(query.strip()) < MIN_QUERY:
            return
        from relance_tui.domain.labels import STAGE_KEYS
        from relance_tui.formatting import money
        from relance_tui.services.queue import QueueRow

        rows = await asyncio.to_thread(self._find, query)
        matcher = self.matcher(query)
        open_case = getattr(self.app, "open_case", None)
        if open_case is None:
            return
        for row in rows:
            assert isinstance(row, QueueRow)
            label = f"{row.debtor_name} ({row.debtor_reference})"
            # Phone, SIREN and invoice hits do not fuzzy-match the label: keep them visible.
            score = max(matcher.match(label), 0.5)
            yield Hit(
                score,
                matcher.highlight(label),
                partial(open_case, row.id),
                text=label,
                help=t(
                    "queue.palette.help",
                    reference=row.debtor_reference,
                    amount=money(row.overdue_cents),
                    stage=t(STAGE_KEYS[row.stage]),
                ),
            )


class TranslatedPalette(CommandPalette):
    """Textual's command palette with its own texts in the agent's language."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual writes "No matches found" in this (private) method; a test opens the palette
        # in French and checks the words, so a Textual upgrade that moves them is seen.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(t("palette.no_matches"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
