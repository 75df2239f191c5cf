"""Managing who may use the database: agents, their roles, the portfolio rules.

Reading the list is for everyone; every change is for the roles with MANAGE_AGENTS (admins),
checked inside the change's own transaction.
"""

from __future__ import annotations

import sqlite3

from relance_tui.domain.models import AgentRole
from relance_tui.domain.permissions import Permission
from relance_tui.i18n import t
from relance_tui.services.permissions import require, require_now
from relance_tui.storage import agents, assignment
from relance_tui.storage.agents import AgentRow
from relance_tui.storage.assignment import PortfolioRule
from relance_tui.storage.db import transaction


class AgentsError(Exception):
    """The change cannot be made (unknown agent or rule, bad value); the message says why."""


def list_agents(conn: sqlite3.Connection, actor: AgentRow) -> list[AgentRow]:
    require(actor, Permission.LIST_AGENTS)
    return agents.list_agents(conn, include_inactive=True)


def list_rules(conn: sqlite3.Connection, actor: AgentRow) -> list[PortfolioRule]:
    require(actor, Permission.LIST_AGENTS)
    return assignment.list_rules(conn)


def save_agent(
    conn: sqlite3.Connection, actor: AgentRow, login: str, *, name: str, role: AgentRole
) -> AgentRow:
    """Add the agent, or update their name and role (and enable them)."""
    with transaction(conn):
        by = require_now(conn, actor, Permission.MANAGE_AGENTS).login
        return agents.upsert_agent(conn, login=login, display_name=name, role=role, by=by)


def set_role(conn: sqlite3.Connection, actor: AgentRow, login: str, role: AgentRole) -> AgentRow:
    with transaction(conn):
        by = require_now(conn, actor, Permission.MANAGE_AGENTS).login
        existing = agents.get_agent(conn, login)
        if existing is None:
            raise AgentsError(t("agents.not_found", login=login))
        return agents.upsert_agent(
            conn, login=login, display_name=existing.display_name, role=role, by=by
        )


def disable_agent(conn: sqlite3.Connection, actor: AgentRow, login: str) -> None:
    with transaction(conn):
        by = require_now(conn, actor, Permission.MANAGE_AGENTS).login
        if not agents.set_active(conn, login, False, by=by):
            raise AgentsError(t("agents.not_found", login=login))


def add_rule(
    conn: sqlite3.Connection,
    actor: AgentRow,
    login: str,
    *,
    segment: str | None = None,
    postal_prefix: str | None = None,
    min_overdue_cents: int | None = None,
    max_overdue_cents: int | None = None,
) -> tuple[int, AgentRow, int]:
    """Add a portfolio rule for `login` and apply the rules to the unassigned cases:
    (rule id, the agent, cases assigned now)."""
    if postal_prefix is not None and not postal_prefix.isdigit():
        raise AgentsError(t("rules.bad_prefix", prefix=postal_prefix))
    with transaction(conn):
        by = require_now(conn, actor, Permission.MANAGE_AGENTS).login
        agent = agents.get_agent(conn, login)
        if agent is None:
            raise AgentsError(t("agents.not_found", login=login))
        rule_id = assignment.add_rule(
            conn,
            agent_id=agent.id,
            segment=segment,
            postal_prefix=postal_prefix,
            min_overdue_cents=min_overdue_cents,
            max_overdue_cents=max_overdue_cents,
            by=by,
        )
        return rule_id, agent, assignment.assign_by_rules(conn)


def delete_rule(conn: sqlite3.Connection, actor: AgentRow, rule_id: int) -> None:
    with transaction(conn):
        by = require_now(conn, actor, Permission.MANAGE_AGENTS).login
        if not assignment.delete_rule(conn, rule_id, by=by):
            raise AgentsError(t("rules.not_found", id=rule_id))
