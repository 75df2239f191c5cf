"""Reading the audit trail. Writes go through `storage.db.append_audit` in their transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: str
    agent: str
    action: str
    entity: str
    entity_id: str
    before: str | None
    after: str | None
    detail: str


def audit_events(
    conn: sqlite3.Connection,
    *,
    agent: str | None = None,
    case_id: int | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> Iterator[AuditRow]:
    """Events oldest first, filtered. `since` is an ISO date or timestamp (UTC)."""
    clauses: list[str] = []
    params: list[object] = []
    if agent:
        clauses.append("agent = ?")
        params.append(agent)
    if case_id is not None:
        clauses.append("entity = 'case' AND entity_id = ?")
        params.append(str(case_id))
    if since:
        clauses.append("at >= ?")
        params.append(since)
    sql = "SELECT id, at, agent, action, entity, entity_id, before, after, detail FROM audit_events"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    for row in conn.execute(sql, params):
        yield AuditRow(*row)
