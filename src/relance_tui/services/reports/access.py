"""Who may read the supervisor's figures, and keeping the daily aggregates current first."""

from __future__ import annotations

import sqlite3

from relance_tui.domain.permissions import Permission
from relance_tui.i18n import t
from relance_tui.services.permissions import NotAllowedError, may
from relance_tui.storage.agents import AgentRow, get_agent
from relance_tui.storage.db import transaction
from relance_tui.storage.reports import behind, refresh_agent_days


def require_supervisor(conn: sqlite3.Connection, viewer: AgentRow) -> None:
    """Supervisors and admins (as the database holds them now); agents are refused."""
    current = get_agent(conn, viewer.login)
    if current is None or not may(current, Permission.AUDIT_EVERYONE):
        raise NotAllowedError(t("report.denied"))


def bring_up_to_date(conn: sqlite3.Connection) -> int:
    """Count the rows written since the last refresh into the daily aggregates (a write only
    when there are some); returns how many were read."""
    if not behind(conn):
        return 0
    with transaction(conn):
        return refresh_agent_days(conn)


def supervisor_named(conn: sqlite3.Connection, login: str) -> AgentRow:
    """The supervisor or admin `login`, as the database holds them now; NotAllowedError for
    anyone else (an agent asking for the supervisor screen is told so)."""
    current = get_agent(conn, login)
    if current is None or not may(current, Permission.AUDIT_EVERYONE):
        raise NotAllowedError(t("report.denied"))
    return current
