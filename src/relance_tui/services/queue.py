"""The ranked work queue: keeping it fresh, and reading it page by page.

`refresh_queue` is what the app and `relance queue` call on start and every minute: once a day
the commitments check (services.followup), then a re-rank of everything when the business day
(Europe/Paris) or the scoring settings changed since the last full refresh, otherwise only the
cases marked stale (`scored_on IS NULL`, set by `storage.cases.sync_cases`) and those whose
callback has just come due. The scoring itself is services.ranking.

Reading: `build_query` turns filters and a search text into a `QueueQuery`; `page_after` /
`page_before` read keyset pages; `count_queue` counts.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from relance_tui.config import Settings
from relance_tui.domain.clock import business_day, utc_iso
from relance_tui.services.daily import followup_due_on
from relance_tui.services.ranking import (
    needs_full_refresh,
    refresh_scores,
    rerank_everything,
)
from relance_tui.storage import queue as store
from relance_tui.storage.agents import AgentRow, get_agent
from relance_tui.storage.db import transaction
from relance_tui.storage.queue import Key, QueueQuery, QueueRow

SEARCH_CAP = 5000  # beyond this many name matches, the name filter runs inside the page query
MIN_NAME_SEARCH = 2
MIN_PREFIX_SEARCH = 3

__all__ = [
    "Key",
    "QueueCounts",
    "QueueFilters",
    "QueueQuery",
    "QueueRow",
    "RefreshOutcome",
    "UnknownAgentError",
    "build_query",
    "business_day",
    "case_row",
    "count_queue",
    "find_cases",
    "page_after",
    "page_before",
    "refresh_queue",
    "resolve_agent",
]


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    full: bool  # everything was re-ranked (new day or new weights)
    rescored: int  # cases scored


def refresh_queue(conn: sqlite3.Connection, settings: Settings, now: datetime) -> RefreshOutcome:
    """Bring the queue up to date: once a day the commitments check (promises kept or broken),
    then everything on a new day or new weights, else what is stale.

    Safe with many processes: the full re-rank re-checks `meta` under the write lock, so only the
    first agent to start on a new day pays for it.
    """
    if followup_due_on(conn, business_day(now)):  # broken promises first: they change urgency
        # Imported only when due: it pulls in the call domain, which start-up does not need.
        from relance_tui.services.followup import run_followup_if_due

        run_followup_if_due(conn, settings, now)
    if needs_full_refresh(conn, settings, now):
        with transaction(conn):
            if needs_full_refresh(conn, settings, now):
                return RefreshOutcome(True, rerank_everything(conn, settings, now))
    stale = store.stale_case_ids(conn, now_iso=utc_iso(now))
    if not stale:
        return RefreshOutcome(False, 0)
    return RefreshOutcome(False, refresh_scores(conn, settings, now, stale))


# --- Reading --------------------------------------------------------------------------------


class UnknownAgentError(LookupError):
    """The login is not an agent of this database."""

    def __init__(self, login: str) -> None:
        super().__init__(login)
        self.login = login


def resolve_agent(conn: sqlite3.Connection, login: str) -> AgentRow:
    agent = get_agent(conn, login)
    if agent is None or not agent.active:
        raise UnknownAgentError(login)
    return agent


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """What the user asked to see. `agent_id` None: every agent's cases (supervisors)."""

    agent_id: int | None = None
    stage: str | None = None
    segment: str | None = None
    min_overdue_cents: int | None = None
    search: str = ""

    @property
    def narrowed(self) -> bool:
        """Something beyond the agent's portfolio is filtered."""
        return bool(
            self.stage or self.segment or self.min_overdue_cents is not None or self.search.strip()
        )


@dataclass(frozen=True, slots=True)
class QueueCounts:
    total: int
    urgent: int


def fold(text: str) -> str:
    """Lower case without accents: `Société Générale` → `societe generale`."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


_ACCENTABLE = set("aeiouycAEIOUYC")


def name_like_pattern(text: str) -> str:
    """A LIKE pattern that finds `text` inside a name whatever its accents and case.

    Letters that may carry an accent (and any non-ASCII character) become `_`, so the SQL match
    is wider than the search; `fold` then keeps the true matches.
    """
    out = []
    for ch in text:
        if ch in "\\%_":
            out.append("\\" + ch)
        elif ch in _ACCENTABLE or not ch.isascii():
            out.append("_")
        else:
            out.append(ch)
    return "%" + "".join(out) + "%"


def _search_keys(text: str) -> tuple[str | None, str | None]:
    """(SIREN, E.164 phone) the text could be, if any."""
    compact = "".join(ch for ch in text if not ch.isspace() and ch not in ".-")
    siren = None
    if compact.isdigit() and len(compact) in (9, 14):
        siren = compact[:9]
    e164 = None
    if sum(ch.isdigit() for ch in text) >= 6 and all(
        ch.isdigit() or ch in " .-+()/" for ch in text
    ):
        from relance_tui.domain.phones import search_key  # phonenumbers: only when needed

        e164 = search_key(text)
    return siren, e164


def build_query(conn: sqlite3.Connection, filters: QueueFilters) -> QueueQuery:
    """Resolve the search text (name, reference, SIREN, invoice number, phone) into a query."""
    debtor_ids: tuple[int, ...] | None = None
    name_pattern: str | None = None
    text = filters.search.strip()
    if text:
        siren, e164 = _search_keys(text)
        upper = text.upper()
        matches = store.debtors_by_key(
            conn,
            exact=(text, upper),
            prefix=upper if len(text) >= MIN_PREFIX_SEARCH else None,
            siren=siren,
            e164=e164,
            limit=SEARCH_CAP,
        )
        found = dict.fromkeys(matches)
        if len(text) >= MIN_NAME_SEARCH:
            pattern = name_like_pattern(text)
            candidates = store.debtors_by_name(conn, pattern, SEARCH_CAP + 1)
            if len(candidates) > SEARCH_CAP:
                name_pattern = pattern
            else:
                wanted = fold(text)
                found.update((i, None) for i, name in candidates if wanted in fold(name))
        debtor_ids = tuple(found)
    return QueueQuery(
        agent_id=filters.agent_id,
        stage=filters.stage,
        segment=filters.segment,
        min_overdue_cents=filters.min_overdue_cents,
        debtor_ids=debtor_ids,
        name_pattern=name_pattern,
    )


def page_after(
    conn: sqlite3.Connection, query: QueueQuery, after: Key | None = None, limit: int = 100
) -> list[QueueRow]:
    """Next page in queue order (urgent first, then by priority), from the top when None."""
    return store.fetch_after(conn, query, after, limit)


def page_before(
    conn: sqlite3.Connection, query: QueueQuery, before: Key | None = None, limit: int = 100
) -> list[QueueRow]:
    """The page above `before`, in queue order; the last page of the queue when None."""
    return store.fetch_before(conn, query, before, limit)


def fetch_page(
    conn: sqlite3.Connection,
    query: QueueQuery,
    *,
    forward: bool,
    key: Key | None,
    limit: int,
    skip: int = 0,
) -> list[QueueRow]:
    """A page read forwards (after `key`) or backwards (before `key`), in queue order.

    `skip` is for jumps far from any known row (a scrollbar drag); paging never needs it.
    """
    if forward:
        return store.fetch_after(conn, query, key, limit, skip=skip)
    return store.fetch_before(conn, query, key, limit, skip=skip)


def count_queue(conn: sqlite3.Connection, query: QueueQuery) -> QueueCounts:
    total, urgent = store.count(conn, query)
    return QueueCounts(total, urgent)


def case_row(conn: sqlite3.Connection, case_id: int) -> QueueRow | None:
    return store.get_row(conn, case_id)


def find_cases(
    conn: sqlite3.Connection, text: str, *, agent_id: int | None = None, limit: int = 10
) -> list[QueueRow]:
    """The best open cases matching a search text (the command palette)."""
    if not text.strip():
        return []
    query = build_query(conn, QueueFilters(agent_id=agent_id, search=text))
    return store.fetch_after(conn, query, None, limit)
