"""Moving from case to case (`n`): the agent walks the queue as it stood when they started.

The walk goes on from the position the current case had when it was opened (its queue key then,
not where the call just recorded moved it), through the cases nobody else holds and nobody
worked today; worked cases wait at the bottom of the queue (services.ranking), so reaching them
means the cases not yet worked below the start are done, and the walk starts again from the top
for those above it (a callback come due meanwhile, cases the agent passed over).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

from relance_tui.services.queue import QueueFilters, build_query, case_row, page_after
from relance_tui.storage.agents import get_agent
from relance_tui.storage.claims import holder
from relance_tui.storage.queue import Key, QueueQuery, QueueRow

PAGE = 50
MAX_PAGES = 20  # 1 000 cases claimed in a row by others: give up rather than scan on


def next_case(
    conn: sqlite3.Connection,
    agent_login: str,
    *,
    after_case_id: int | None,
    after_key: Key | None = None,
    filters: QueueFilters | None = None,
    passed: Collection[int] = (),
    now: datetime,
) -> QueueRow | None:
    """The case after `after_case_id` in the queue the agent works through, as read now.

    `filters`: the view the agent walks (the queue screen's); None: their portfolio (every open
    case for a supervisor or admin without one). An agent who does not see everyone only ever
    walks their own portfolio. `after_key` is the current case's queue key when it was opened.
    Skipped: the case itself, the cases `passed` on this walk (opened already: they may have
    moved down since), cases another agent holds, cases worked today.
    """
    agent = get_agent(conn, agent_login)
    if agent is None:
        return None
    if filters is None or not agent.sees_everyone:
        filters = replace(filters or QueueFilters(), agent_id=agent.id)
    query = build_query(conn, filters)
    if (
        agent.sees_everyone
        and not filters.narrowed
        and filters.agent_id == agent.id
        and not page_after(conn, query, None, 1)
    ):
        query = build_query(conn, QueueFilters(agent_id=None))
    key = after_key
    if key is None and after_case_id is not None:
        row = case_row(conn, after_case_id)
        key = row.key if row is not None else None
    skip = {*passed, *([] if after_case_id is None else [after_case_id])}
    found, scanned = _walk(conn, query, key, None, skip, agent.id, now, MAX_PAGES)
    if found is None and key is not None:  # from the top, down to where the walk started
        found, _ = _walk(conn, query, None, key, skip, agent.id, now, MAX_PAGES - scanned)
    return found


def _walk(
    conn: sqlite3.Connection,
    query: QueueQuery,
    after: Key | None,
    until: Key | None,
    skip: Collection[int],
    agent_id: int,
    now: datetime,
    pages: int,
) -> tuple[QueueRow | None, int]:
    """The first case to work after `after` (and above `until`), and the pages read."""
    key = after
    for page in range(pages):
        rows = page_after(conn, query, key, PAGE)
        for row in rows:
            if until is not None and row.key <= until:
                return None, page + 1
            if row.urgency < 0:  # worked today, and so is every row below
                return None, page + 1
            if row.id in skip:
                continue
            held = holder(conn, row.id, now)
            if held is None or held.agent_id == agent_id:
                return row, page + 1
        if len(rows) < PAGE:
            return None, page + 1
        key = rows[-1].key
    return None, pages
