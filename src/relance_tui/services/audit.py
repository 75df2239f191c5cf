"""Reading the audit trail: all of it for the roles with AUDIT_EVERYONE, else one's portfolio.

An agent sees their own actions and the events about the cases assigned to them (and the
promises, invoices, contacts, … of those cases); other portfolios' call recaps stay hidden.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from relance_tui.domain.permissions import Permission
from relance_tui.services.permissions import may
from relance_tui.storage.agents import AgentRow
from relance_tui.storage.audit import AuditRow, audit_events


def read_audit(
    conn: sqlite3.Connection,
    viewer: AgentRow,
    *,
    agent: str | None = None,
    case_id: int | None = None,
    since: str | None = None,
    limit: int | None = None,
    until: str | None = None,
    action: str | None = None,
    newest_first: bool = False,
) -> Iterator[AuditRow]:
    """The events `viewer` may see, filtered like storage.audit.audit_events."""
    scope = None if may(viewer, Permission.AUDIT_EVERYONE) else (viewer.id, viewer.login)
    return audit_events(
        conn, agent=agent, case_id=case_id, since=since, limit=limit, portfolio_of=scope,
        until=until, action=action, newest_first=newest_first,
    )  # fmt: skip
