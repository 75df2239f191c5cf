"""Who is at the keyboard: the OS user, looked up in the agents table.

`--agent` lets supervisors and admins act as someone else (tests, impersonation); it is audited.
The first user of a database with no agents becomes its admin, so nobody is ever locked out.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from relance_tui.domain.models import AgentRole
from relance_tui.i18n import t
from relance_tui.storage.agents import AgentRow, count_agents, get_agent, upsert_agent
from relance_tui.storage.assignment import case_agent_id
from relance_tui.storage.db import append_audit, transaction


class IdentityError(Exception):
    """The user may not use this database (unknown, disabled, or not allowed to impersonate)."""


@dataclass(frozen=True, slots=True)
class Identity:
    agent: AgentRow
    os_user: str
    impersonating: bool = False


def resolve_identity(
    conn: sqlite3.Connection, os_user: str, requested: str | None = None
) -> Identity:
    """Return the agent this process acts as, or raise IdentityError with what to do about it."""
    with transaction(conn):
        if count_agents(conn) == 0:
            upsert_agent(
                conn, login=os_user, display_name=os_user, role=AgentRole.ADMIN, by=os_user
            )
        me = get_agent(conn, os_user)
        if me is None:
            raise IdentityError(t("identity.unknown", login=os_user))
        if not me.active:
            raise IdentityError(t("identity.disabled", login=os_user))
        if requested is None or requested == os_user:
            return Identity(agent=me, os_user=os_user)
        if not me.sees_everyone:
            raise IdentityError(t("identity.impersonation_refused", login=os_user))
        other = get_agent(conn, requested)
        if other is None or not other.active:
            raise IdentityError(t("identity.unknown", login=requested))
        append_audit(
            conn,
            agent=os_user,
            action="agent.impersonate",
            entity="agent",
            entity_id=other.id,
            detail=f"{os_user} acts as {requested}",
        )
        return Identity(agent=other, os_user=os_user, impersonating=True)


def may_open_case(conn: sqlite3.Connection, agent: AgentRow, case_id: int) -> bool:
    """Agents work their own portfolio; supervisors and admins every case."""
    exists, assigned_to = case_agent_id(conn, case_id)
    return exists and (agent.sees_everyone or assigned_to == agent.id)


def ensure_agent(conn: sqlite3.Connection, login: str, role: AgentRole, *, by: str) -> AgentRow:
    """Make `login` an agent with at least `role` (used by `relance demo` for the OS user)."""
    rank = {AgentRole.AGENT: 0, AgentRole.SUPERVISOR: 1, AgentRole.ADMIN: 2}
    with transaction(conn):
        existing = get_agent(conn, login)
        if existing and existing.active and rank[existing.role] >= rank[role]:
            return existing
        return upsert_agent(conn, login=login, display_name=login, role=role, by=by)
