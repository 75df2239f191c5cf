"""Moving from case to case: the next case in the agent's queue that nobody else holds."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from relance_tui.services.queue import QueueFilters, build_query, case_row, page_after
from relance_tui.storage.agents import get_agent
from relance_tui.storage.claims import holder
from relance_tui.storage.queue import Key

PAGE = 50
MAX_PAGES = 20  # 1 000 cases claimed in a row by others: give up rather than scan on


def next_case(
    conn: sqlite3.Connection,
    agent_login: str,
    *,
    after_case_id: int | None,
    after_key: Key | None = None,
    now: datetime,
) -> int | None:
    """The case after `after_case_id` in the agent's queue (its portfolio; every open case for a
    supervisor or admin without one), skipping cases another agent holds. `after_key` is the
    current case's queue position when it was opened: the call just recorded may have moved it.
    """
    agent = get_agent(conn, agent_login)
    if agent is None:
        return None
    query = build_query(conn, QueueFilters(agent_id=agent.id))
    if agent.sees_everyone and not page_after(conn, query, None, 1):
        query = build_query(conn, QueueFilters(agent_id=None))
    key = after_key
    if key is None and after_case_id is not None:
        row = case_row(conn, after_case_id)
        key = row.key if row is not None else None
    for _ in range(MAX_PAGES):
        rows = page_after(conn, query, key, PAGE)
        for row in rows:
            if row.id == after_case_id:
                continue
            held = holder(conn, row.id, now)
            if held is None or held.agent_id == agent.id:
                return row.id
        if len(rows) < PAGE:
            return None
        key = rows[-1].key
    return None
