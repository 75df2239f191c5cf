"""The command palette (ctrl+p, on every screen) in the agent's language, and its case search:
jump to a case by debtor name, reference, SIREN, invoice number or phone.

The search (services.queue.find_cases) runs on the app's database threads (tui/database.py).
"""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.widgets.option_list import Option

from relance_tui.domain.text import inert
from relance_tui.i18n import t
from relance_tui.tui.database import DatabaseThreads, run_on_database

if TYPE_CHECKING:
    from relance_tui.services.queue import QueueRow

MIN_QUERY = 2
HITS = 10


class CaseSearch(Provider):
    """App-wide: a case can be reached from any screen."""

    async def find(self, text: str) -> list[QueueRow]:
        """The cases matching `text` that this agent may open (none if the search failed: the
        app has told the agent why)."""
        # A provider is not a DOM node and cannot own a worker; `search` already runs in a task
        # of the palette's own worker, which Textual cancels when the text changes or the
        # palette closes. So it awaits the job directly (the same threads and connections, the
        # same failure report); that cancellation interrupts the query.
        login = str(getattr(self.app, "agent_login", ""))
        try:
            return await run_on_database(self.app, partial(_find, login, text), name="find_cases")
        except Exception:
            return []

    async def search(self, query: str) -> Hits:
        if not isinstance(getattr(self.app, "database", None), DatabaseThreads):
            return
        if len(query.strip()) < MIN_QUERY:
            return
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.domain.labels import STAGE_KEYS
        from relance_tui.formatting import money

        rows = await self.find(query)
        matcher = self.matcher(query)
        open_case = getattr(self.app, "open_case", None)
        if open_case is None:
            return
        for row in rows:
            label = inert(f"{row.debtor_name} ({row.debtor_reference})")
            # Phone, SIREN and invoice hits do not fuzzy-match the label: keep them visible.
            score = max(matcher.match(label), 0.5)
            help_text = t(
                "queue.palette.help",
                reference=inert(row.debtor_reference),
                amount=money(row.overdue_cents),
                stage=t(STAGE_KEYS[row.stage]),
            )
            yield Hit(
                score,
                highlighted(matcher, label),
                partial(open_case, row.id),
                text=label,
                # The palette reads a str help as markup, and keeps a Content as it is.
                help=cast(str, Content(help_text)),
            )


def highlighted(matcher: Matcher, label: str) -> Content:
    """`label` as plain text with the matched characters styled: `Matcher.highlight` would read
    the label as markup (a debtor named `[@click=…]` would become an action)."""
    content = Content(label)
    score, offsets = matcher.fuzzy_search.match(matcher.query, label)
    if score:
        for offset in offsets:
            if not label[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


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


def _find(login: str, text: str, conn: sqlite3.Connection) -> list[QueueRow]:
    # Deferred: not loaded until first used (start-up time).
    from relance_tui.services.queue import UnknownAgentError, find_cases, resolve_agent

    try:
        agent = resolve_agent(conn, login)
    except UnknownAgentError:
        return []
    mine = None if agent.sees_everyone else agent.id  # agents find their own cases only
    return list(find_cases(conn, text, agent_id=mine, limit=HITS))
