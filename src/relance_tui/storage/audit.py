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


# The events about one agent's portfolio: each kind of entity traced back to its case, and the
# case to the agent it is assigned to now. `:me` is the agent's id.
_PORTFOLIO_EVENT = """(
    (entity = 'case' AND entity_id IN (SELECT CAST(id AS TEXT) FROM mine))
    OR (entity = 'promise' AND entity_id IN (SELECT CAST(p.id AS TEXT) FROM promises p
        WHERE p.case_id IN (SELECT id FROM mine)))
    OR (entity = 'payment_plan' AND entity_id IN (SELECT CAST(p.id AS TEXT) FROM payment_plans p
        WHERE p.case_id IN (SELECT id FROM mine)))
    OR (entity = 'callback' AND entity_id IN (SELECT CAST(b.id AS TEXT) FROM callbacks b
        WHERE b.case_id IN (SELECT id FROM mine)))
    OR (entity = 'dispute' AND entity_id IN (SELECT CAST(d.id AS TEXT) FROM disputes d
        WHERE d.case_id IN (SELECT id FROM mine)))
    OR (entity = 'invoice' AND entity_id IN (SELECT CAST(i.id AS TEXT) FROM invoices i
        WHERE i.debtor_id IN (SELECT debtor_id FROM mine)))
    OR (entity = 'contact' AND entity_id IN (SELECT CAST(c.id AS TEXT) FROM contacts c
        WHERE c.debtor_id IN (SELECT debtor_id FROM mine)))
    OR (entity = 'phone' AND entity_id IN (SELECT CAST(ph.id AS TEXT) FROM phones ph
        JOIN contacts c ON c.id = ph.contact_id WHERE c.debtor_id IN (SELECT debtor_id FROM mine)))
    OR (entity = 'agent' AND entity_id = CAST(:me AS TEXT))
)"""


def audit_events(
    conn: sqlite3.Connection,
    *,
    agent: str | None = None,
    case_id: int | None = None,
    since: str | None = None,
    limit: int | None = None,
    portfolio_of: tuple[int, str] | None = None,
) -> Iterator[AuditRow]:
    """Events oldest first, filtered. `since` is an ISO date or timestamp (UTC).

    `portfolio_of` (agent id, login): only that agent's own actions and the events about the
    cases assigned to them (their promises, invoices, contacts, …) and about themselves.
    """
    clauses: list[str] = []
    params: dict[str, object] = {}
    prefix = ""
    if portfolio_of is not None:
        prefix = "WITH mine AS (SELECT id, debtor_id FROM cases WHERE assigned_agent_id = :me) "
        clauses.append(f"(agent = :login OR {_PORTFOLIO_EVENT})")
        params["me"], params["login"] = portfolio_of
    if agent:
        clauses.append("agent = :agent")
        params["agent"] = agent
    if case_id is not None:
        clauses.append("entity = 'case' AND entity_id = :case")
        params["case"] = str(case_id)
    if since:
        clauses.append("at >= :since")
        params["since"] = since
    sql = prefix + (
        "SELECT id, at, agent, action, entity, entity_id, before, after, detail FROM audit_events"
    )
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY id"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    for row in conn.execute(sql, params):
        yield AuditRow(*row)
