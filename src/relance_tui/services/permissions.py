"""Role checks for every use case: what a role may do is domain.permissions' table, read here.

The TUI and the CLI both go through these (or through services that call them), so the two can
never disagree on who may do what.
"""

from __future__ import annotations

import sqlite3

from relance_tui.domain.permissions import Permission, role_may
from relance_tui.i18n import t
from relance_tui.storage.agents import AgentRow, get_agent


class NotAllowedError(Exception):
    """The acting agent's role does not allow this; the message says so in the user's language."""


def may(agent: AgentRow, permission: Permission) -> bool:
    return agent.active and role_may(agent.role, permission)


def require(agent: AgentRow, permission: Permission) -> None:
    if not may(agent, permission):
        raise NotAllowedError(denied_message(permission))


def require_now(conn: sqlite3.Connection, agent: AgentRow, permission: Permission) -> AgentRow:
    """Check the agent as the database holds them now (call inside the write's transaction,
    so that a role taken away a moment ago counts)."""
    return require_login(conn, agent.login, permission)


def require_login(conn: sqlite3.Connection, login: str, permission: Permission) -> AgentRow:
    """The agent `login` as the database holds them now, if they may do this."""
    current = get_agent(conn, login)
    if current is None:
        raise NotAllowedError(t("identity.unknown", login=login))
    require(current, permission)
    return current


def portfolio_scope(
    conn: sqlite3.Connection, me: AgentRow, login: str | None = None
) -> AgentRow | None:
    """Whose cases `me` looks at: `login`'s, else their own, or everyone's (None) for those who
    see every portfolio. Raises NotAllowedError for another agent's portfolio without the right."""
    if login is None:
        return None if may(me, Permission.SEE_EVERY_PORTFOLIO) else me
    target = get_agent(conn, login)
    if target is None or not target.active:
        raise NotAllowedError(t("queue.unknown_agent", login=login))
    if target.id != me.id:
        require(me, Permission.SEE_EVERY_PORTFOLIO)
    return target


def denied_message(permission: Permission) -> str:
    match permission:
        case Permission.WORK_OWN_PORTFOLIO:
            return t("permission.denied.work_own_portfolio")
        case Permission.SEE_EVERY_PORTFOLIO:
            return t("permission.denied.see_every_portfolio")
        case Permission.REASSIGN:
            return t("permission.denied.reassign")
        case Permission.AUDIT_EVERYONE:
            return t("permission.denied.audit_everyone")
        case Permission.LIST_AGENTS:
            return t("permission.denied.list_agents")
        case Permission.MANAGE_AGENTS:
            return t("permission.denied.manage_agents")
        case Permission.IMPORT:
            return t("permission.denied.import")
        case Permission.SEED:
            return t("permission.denied.seed")
        case Permission.MATCH_PAYMENTS:
            return t("permission.denied.match_payments")
        case Permission.DUNNING:
            return t("permission.denied.dunning")
        case Permission.WAIVE_PENALTIES:
            return t("permission.denied.waive_penalties")
