"""Reading the audit trail. Writes go through `storage.db.append_audit` in their transaction."""

from __future__ import annotations

import json
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


# The events about a set of cases (`mine`: one agent's portfolio; `one`: a single case): each
# kind of entity traced back to its case. `:me` is the agent's id.
_CASES_EVENT = """(
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
)"""
_PORTFOLIO_EVENT = f"({_CASES_EVENT} OR (entity = 'agent' AND entity_id = CAST(:me AS TEXT)))"
_CASE_EVENT = _CASES_EVENT.replace("FROM mine", "FROM one")


def audit_events(
    conn: sqlite3.Connection,
    *,
    agent: str | None = None,
    case_id: int | None = None,
    since: str | None = None,
    limit: int | None = None,
    portfolio_of: tuple[int, str] | None = None,
    until: str | None = None,
    action: str | None = None,
    newest_first: bool = False,
) -> Iterator[AuditRow]:
    """Events oldest first (or `newest_first`), filtered. `since` / `until` are ISO dates or
    timestamps (UTC; `until` a day includes that day); `action` an action (`promise.create`) or
    its family (`promise`). `case_id`: every event that touched the case (its promises, plans,
    callbacks, disputes, invoices, contacts and phones included).

    `portfolio_of` (agent id, login): only that agent's own actions and the events about the
    cases assigned to them (their promises, invoices, contacts, …) and about themselves.
    """
    clauses: list[str] = []
    params: dict[str, object] = {}
    ctes: list[str] = []
    if portfolio_of is not None:
        ctes.append("mine AS (SELECT id, debtor_id FROM cases WHERE assigned_agent_id = :me)")
        clauses.append(f"(agent = :login OR {_PORTFOLIO_EVENT})")
        params["me"], params["login"] = portfolio_of
    if agent:
        clauses.append("agent = :agent")
        params["agent"] = agent
    if case_id is not None:
        ctes.append("one AS (SELECT id, debtor_id FROM cases WHERE id = :case)")
        clauses.append(_CASE_EVENT)
        params["case"] = case_id
    if since:
        clauses.append("at >= :since")
        params["since"] = since
    if until:
        clauses.append("at < :until")
        # A day (YYYY-MM-DD) runs to its end: every timestamp of that day sorts below `~`.
        params["until"] = until + "~" if len(until) == 10 else until
    if action:
        clauses.append("(action = :action OR action LIKE :family ESCAPE '\\')")
        params["action"] = action
        params["family"] = action.replace("_", "\\_").replace("%", "\\%") + ".%"
    prefix = ("WITH " + ", ".join(ctes) + " ") if ctes else ""
    sql = prefix + (
        "SELECT id, at, agent, action, entity, entity_id, before, after, detail FROM audit_events"
    )
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY at DESC, id DESC" if newest_first else " ORDER BY at, id"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    for row in conn.execute(sql, params):
        yield AuditRow(*row)


# The case (and debtor) each kind of entity belongs to, for showing references and names.
_CASE_OF = """CASE e.entity
    WHEN 'case' THEN CAST(e.entity_id AS INTEGER)
    WHEN 'promise' THEN (SELECT case_id FROM promises WHERE id = CAST(e.entity_id AS INTEGER))
    WHEN 'payment_plan' THEN (SELECT case_id FROM payment_plans
        WHERE id = CAST(e.entity_id AS INTEGER))
    WHEN 'callback' THEN (SELECT case_id FROM callbacks WHERE id = CAST(e.entity_id AS INTEGER))
    WHEN 'dispute' THEN (SELECT case_id FROM disputes WHERE id = CAST(e.entity_id AS INTEGER))
    WHEN 'invoice' THEN (SELECT c.id FROM invoices i JOIN cases c ON c.debtor_id = i.debtor_id
        WHERE i.id = CAST(e.entity_id AS INTEGER))
    WHEN 'contact' THEN (SELECT c.id FROM contacts t JOIN cases c ON c.debtor_id = t.debtor_id
        WHERE t.id = CAST(e.entity_id AS INTEGER))
    WHEN 'phone' THEN (SELECT c.id FROM phones p JOIN contacts t ON t.id = p.contact_id
        JOIN cases c ON c.debtor_id = t.debtor_id WHERE p.id = CAST(e.entity_id AS INTEGER))
END"""


def cases_of_events(
    conn: sqlite3.Connection, event_ids: list[int]
) -> dict[int, tuple[int, str, str]]:
    """For each event about a case (or something of a case): (case id, debtor reference, name)."""
    if not event_ids:
        return {}
    rows = conn.execute(
        f"SELECT x.id, x.case_id, d.reference, d.legal_name FROM (SELECT e.id, {_CASE_OF}"
        " AS case_id FROM audit_events e WHERE e.id IN (SELECT value FROM json_each(?))) x"
        " JOIN cases c ON c.id = x.case_id JOIN debtors d ON d.id = c.debtor_id",
        (json.dumps(event_ids),),
    )
    return {int(r[0]): (int(r[1]), str(r[2]), str(r[3])) for r in rows}


def case_by_reference(conn: sqlite3.Connection, text: str) -> int | None:
    """The case of the debtor with this reference (C000166), or the case with this id."""
    row = conn.execute(
        "SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE d.reference = ?",
        (text,),
    ).fetchone()
    if row is None and text.isdigit():
        row = conn.execute("SELECT id FROM cases WHERE id = ?", (int(text),)).fetchone()
    return None if row is None else int(row[0])


def case_payments(conn: sqlite3.Connection, case_id: int) -> list[sqlite3.Row]:
    """The payments received from the case's debtor (they touch the case; no audit event
    names them one by one: an import records the file)."""
    return conn.execute(
        "SELECT p.id, p.received_on, p.amount_cents, p.reference, p.created_at, p.created_by,"
        " d.reference AS reference_debtor, d.legal_name FROM payments p"
        " JOIN cases c ON c.debtor_id = p.debtor_id JOIN debtors d ON d.id = c.debtor_id"
        " WHERE c.id = ?"
        " ORDER BY p.received_on, p.id",
        (case_id,),
    ).fetchall()


def interaction_notes(conn: sqlite3.Connection, interaction_ids: list[int]) -> dict[int, str]:
    """The text of these interactions (a note, an e-mail, a letter as recorded)."""
    if not interaction_ids:
        return {}
    rows = conn.execute(
        "SELECT id, notes FROM interactions WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(interaction_ids),),
    )
    return {int(r[0]): str(r[1]) for r in rows}


def call_recap(conn: sqlite3.Connection, case_id: int, interaction_id: int) -> str:
    """The recap read to the debtor at the end of a recorded call ('' when there was none)."""
    row = conn.execute(
        "SELECT detail FROM audit_events WHERE entity = 'case' AND entity_id = ?"
        " AND action = 'call.record' AND json_extract(after, '$.interaction') = ?"
        " ORDER BY id DESC LIMIT 1",
        (str(case_id), interaction_id),
    ).fetchone()
    return str(row[0]) if row is not None else ""
