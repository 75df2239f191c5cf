"""Agents: who works the queue, with which role."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from relance_tui.domain.enums import AgentRole
from relance_tui.domain.permissions import Permission, role_may
from relance_tui.storage.db import append_audit, utc_now_iso


@dataclass(frozen=True, slots=True)
class AgentRow:
    id: int
    login: str
    display_name: str
    role: AgentRole
    active: bool

    @property
    def sees_everyone(self) -> bool:
        return role_may(self.role, Permission.SEE_EVERY_PORTFOLIO)


def _row(row: sqlite3.Row) -> AgentRow:
    return AgentRow(
        row["id"], row["login"], row["display_name"], AgentRole(row["role"]), bool(row["active"])
    )


def get_agent(conn: sqlite3.Connection, login: str) -> AgentRow | None:
    row = conn.execute(
        "SELECT id, login, display_name, role, active FROM agents WHERE login = ?", (login,)
    ).fetchone()
    return None if row is None else _row(row)


def get_agent_by_id(conn: sqlite3.Connection, agent_id: int) -> AgentRow | None:
    row = conn.execute(
        "SELECT id, login, display_name, role, active FROM agents WHERE id = ?", (agent_id,)
    ).fetchone()
    return None if row is None else _row(row)


def count_agents(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM agents").fetchone()[0])


def set_active(conn: sqlite3.Connection, login: str, active: bool, *, by: str) -> bool:
    """Enable or disable an agent (never deleted: history points at them). Audited."""
    before = get_agent(conn, login)
    if before is None:
        return False
    conn.execute("UPDATE agents SET active = ? WHERE id = ?", (int(active), before.id))
    append_audit(
        conn,
        agent=by,
        action="agent.enable" if active else "agent.disable",
        entity="agent",
        entity_id=before.id,
        before={"active": before.active},
        after={"active": active},
    )
    return True


def list_agents(conn: sqlite3.Connection, *, include_inactive: bool = False) -> list[AgentRow]:
    sql = "SELECT id, login, display_name, role, active FROM agents"
    if not include_inactive:
        sql += " WHERE active = 1"
    return [_row(row) for row in conn.execute(sql + " ORDER BY login")]


def upsert_agent(
    conn: sqlite3.Connection,
    *,
    login: str,
    display_name: str,
    role: AgentRole,
    by: str,
    now: str | None = None,
) -> AgentRow:
    """Add the agent, or update its name and role. Call inside a transaction (it audits)."""
    before = get_agent(conn, login)
    stamp = now or utc_now_iso()
    conn.execute(
        "INSERT INTO agents (login, display_name, role, active, created_at) VALUES (?, ?, ?, 1, ?)"
        " ON CONFLICT(login) DO UPDATE SET display_name = excluded.display_name,"
        " role = excluded.role, active = 1",
        (login, display_name, role.value, stamp),
    )
    after = get_agent(conn, login)
    assert after is not None
    append_audit(
        conn,
        agent=by,
        action="agent.add" if before is None else "agent.update",
        entity="agent",
        entity_id=after.id,
        before=None if before is None else {"role": before.role, "name": before.display_name},
        after={"role": after.role, "name": after.display_name},
        at=stamp,
    )
    return after
