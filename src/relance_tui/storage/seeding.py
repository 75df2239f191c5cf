"""Bulk SQL for synthetic portfolios (`relance seed`, `relance demo`).

Rows arrive as tuples in the column order below. Table and column names are constants of this
module, never data.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from relance_tui.storage.db import get_meta, set_meta

COLUMNS: dict[str, tuple[str, ...]] = {
    "debtors": (
        "id", "reference", "legal_name", "siren", "siret", "segment", "payer_type", "strategic",
        "risk_score", "country", "address", "postal_code", "city", "avg_days_late",
        "promises_broken", "promises_kept", "created_at", "updated_at",
    ),
    "contacts": (
        "id", "debtor_id", "name", "role", "email", "preferred_channel", "opposed_to_contact",
        "created_at", "updated_at",
    ),
    "phones": ("id", "contact_id", "raw", "e164", "kind", "region", "time_zone", "valid"),
    "contracts": (
        "id", "reference", "debtor_id", "title", "start_date", "end_date", "payment_terms_days",
        "end_of_month",
    ),
    "invoices": (
        "id", "number", "debtor_id", "contract_id", "po_reference", "issue_date", "due_date",
        "amount_cents", "outstanding_cents", "currency", "status", "in_dispute", "paid_on",
    ),
    "payments": (
        "id", "debtor_id", "invoice_id", "reference", "received_on", "amount_cents", "method",
        "bank_label", "matched", "allocated_cents", "created_at", "created_by",
    ),
    "interactions": (
        "id", "case_id", "agent_id", "channel", "occurred_at", "contact_id", "phone_id",
        "outcome", "cause", "notes", "letter_kind", "reference",
    ),
    "disputes": (
        "id", "case_id", "reason", "owner", "opened_on", "opened_by", "status", "resolution",
        "resolved_on", "notes",
    ),
    "dispute_invoices": ("dispute_id", "invoice_id"),
    "promises": (
        "id", "case_id", "amount_cents", "due_date", "proof_requested", "status",
        "interaction_id", "created_at", "created_by", "settled_on", "kind", "claimed_paid_on",
    ),
    "payment_plans": (
        "id", "case_id", "frequency", "total_cents", "status", "interaction_id", "created_at",
        "created_by",
    ),
    "plan_installments": (
        "id", "plan_id", "sequence", "due_date", "amount_cents", "paid_cents", "status",
    ),
    "callbacks": (
        "id", "case_id", "due_at", "contact_id", "phone_id", "reason", "status", "created_at",
        "created_by", "done_at",
    ),
    "portfolio_rules": (
        "agent_id", "segment", "postal_prefix", "min_overdue_cents", "max_overdue_cents",
    ),
}  # fmt: skip

_INSERT = {
    table: f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    for table, cols in COLUMNS.items()
}

# Tables the seed fills, in an order that satisfies the foreign keys.
SEEDED_TABLES = (
    "agents", "portfolio_rules", "debtors", "contacts", "phones", "contracts", "invoices",
    "payments", "cases", "interactions", "disputes", "dispute_invoices", "promises",
    "payment_plans", "plan_installments", "callbacks",
)  # fmt: skip


def insert_rows(conn: sqlite3.Connection, table: str, rows: Iterable[Sequence[object]]) -> None:
    """executemany of tuples in `COLUMNS[table]` order (`table` is one of our constants)."""
    conn.executemany(_INSERT[table], rows)


def next_ids(conn: sqlite3.Connection) -> dict[str, int]:
    """The first free id of each table with an integer key we assign ourselves."""
    ids: dict[str, int] = {}
    for table in COLUMNS:
        if "id" in COLUMNS[table]:
            ids[table] = int(
                conn.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0]
            )
    return ids


def count_rows(conn: sqlite3.Connection, table: str) -> int:
    if table not in SEEDED_TABLES and table not in ("audit_events", "meta", "imports"):
        raise ValueError(table)
    return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


SEEDED_UP_TO = "seeded_up_to_event"  # meta: the last audit event the seeding wrote


@dataclass(frozen=True, slots=True)
class Activity:
    """Audit events recorded after a database was seeded: work someone did in it."""

    events: int
    last_at: str | None = None
    last_agent: str | None = None


def mark_seeded(conn: sqlite3.Connection) -> None:
    """Note the last audit event of the seeding (inside its transaction)."""
    last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit_events").fetchone()[0]
    set_meta(conn, SEEDED_UP_TO, str(last))


def activity_since_seed(conn: sqlite3.Connection) -> Activity:
    """Every audit event after the seeding; every one at all in a database never seeded."""
    after = int(get_meta(conn, SEEDED_UP_TO) or 0)
    count, last_id = conn.execute(
        "SELECT COUNT(*), MAX(id) FROM audit_events WHERE id > ?", (after,)
    ).fetchone()
    if not count:
        return Activity(0)
    at, agent = conn.execute(
        "SELECT at, agent FROM audit_events WHERE id = ?", (last_id,)
    ).fetchone()
    return Activity(int(count), at, agent)


@contextlib.contextmanager
def bulk_load(conn: sqlite3.Connection) -> Iterator[None]:
    """Relax durability while a seed runs (a crash leaves a file to delete, not data to save)."""
    synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
    conn.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA synchronous = {int(synchronous)}")
        conn.execute(f"PRAGMA cache_size = {int(cache_size)}")


def checkpoint(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- what the history generator reads -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseInput:
    case_id: int
    debtor_id: int
    segment: str
    payer_type: str
    strategic: bool
    postal_code: str
    oldest_due_date: str | None
    overdue_cents: int
    disputed_cents: int
    open_invoices: int


@dataclass(frozen=True, slots=True)
class ContactInput:
    contact_id: int
    role: str
    opposed: bool
    phone_id: int | None
    phone_valid: bool


@dataclass(frozen=True, slots=True)
class InvoiceInput:
    invoice_id: int
    due_date: str
    outstanding_cents: int


@dataclass(frozen=True, slots=True)
class LatePayment:
    received_on: str
    amount_cents: int
    due_date: str


def open_cases(conn: sqlite3.Connection) -> list[CaseInput]:
    rows = conn.execute(
        "SELECT c.id, c.debtor_id, d.segment, d.payer_type, d.strategic, d.postal_code,"
        " c.oldest_due_date, c.overdue_cents, c.disputed_cents, c.open_invoices"
        " FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE c.status = 'open'"
        " ORDER BY c.id"
    )
    return [
        CaseInput(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8], r[9]) for r in rows
    ]


def contacts_by_debtor(conn: sqlite3.Connection) -> dict[int, list[ContactInput]]:
    """Contacts of debtors with an open case, each with its first valid phone (else any)."""
    result: dict[int, list[ContactInput]] = {}
    rows = conn.execute(
        "SELECT ct.debtor_id, ct.id, ct.role, ct.opposed_to_contact,"
        " (SELECT p.id FROM phones p WHERE p.contact_id = ct.id ORDER BY p.valid DESC, p.id"
        "  LIMIT 1) AS phone_id,"
        " (SELECT MAX(p.valid) FROM phones p WHERE p.contact_id = ct.id) AS phone_valid"
        " FROM contacts ct JOIN cases c ON c.debtor_id = ct.debtor_id AND c.status = 'open'"
        " ORDER BY ct.debtor_id, ct.id"
    )
    for debtor_id, contact_id, role, opposed, phone_id, valid in rows:
        result.setdefault(debtor_id, []).append(
            ContactInput(contact_id, role, bool(opposed), phone_id, bool(valid))
        )
    return result


def overdue_invoices_by_debtor(
    conn: sqlite3.Connection, today: date
) -> dict[int, list[InvoiceInput]]:
    result: dict[int, list[InvoiceInput]] = {}
    rows = conn.execute(
        "SELECT debtor_id, id, due_date, outstanding_cents FROM invoices"
        " WHERE outstanding_cents > 0 AND status IN ('open', 'partially_paid')"
        " AND due_date < ? AND in_dispute = 0 ORDER BY debtor_id, due_date, id",
        (today.isoformat(),),
    )
    for debtor_id, invoice_id, due, outstanding in rows:
        result.setdefault(debtor_id, []).append(InvoiceInput(invoice_id, due, outstanding))
    return result


def late_payments_by_debtor(conn: sqlite3.Connection) -> dict[int, LatePayment]:
    """Per debtor with an open case: its latest payment received 10+ days after the due date."""
    result: dict[int, LatePayment] = {}
    rows = conn.execute(
        "SELECT p.debtor_id, MAX(p.received_on), p.amount_cents, i.due_date"
        " FROM payments p JOIN invoices i ON i.id = p.invoice_id"
        " JOIN cases c ON c.debtor_id = p.debtor_id AND c.status = 'open'"
        " WHERE p.received_on >= date(i.due_date, '+10 days')"
        " GROUP BY p.debtor_id ORDER BY p.debtor_id"
    )
    for debtor_id, received_on, amount, due in rows:
        result[debtor_id] = LatePayment(received_on, amount, due)
    return result


def agent_ids(conn: sqlite3.Connection) -> dict[str, int]:
    return {login: agent_id for agent_id, login in conn.execute("SELECT id, login FROM agents")}


# --- what the history generator writes ----------------------------------------------------------


def mark_disputed(conn: sqlite3.Connection, invoice_ids: Iterable[int]) -> None:
    conn.executemany(
        "UPDATE invoices SET in_dispute = 1 WHERE id = ?",
        ((invoice_id,) for invoice_id in invoice_ids),
    )


@dataclass(frozen=True, slots=True)
class CaseUpdate:
    case_id: int
    stage: str
    assigned_agent_id: int | None
    next_action: str
    next_action_on: str | None
    urgency: int
    last_contact_at: str | None


def update_cases(conn: sqlite3.Connection, updates: Iterable[CaseUpdate]) -> None:
    conn.executemany(
        "UPDATE cases SET stage = ?, assigned_agent_id = ?, next_action = ?, next_action_on = ?,"
        " urgency = ?, last_contact_at = ? WHERE id = ?",
        (
            (
                u.stage, u.assigned_agent_id, u.next_action, u.next_action_on, u.urgency,
                u.last_contact_at, u.case_id,
            )
            for u in updates
        ),
    )  # fmt: skip


def stamp_cases(conn: sqlite3.Connection, now: str) -> None:
    """Give every case the seed's clock (sync_cases stamps them with the wall clock)."""
    conn.execute("UPDATE cases SET created_at = ?, updated_at = ?", (now, now))


def refresh_payer_history(conn: sqlite3.Connection, today: date) -> None:
    """debtors.avg_days_late from paid and overdue invoices; promises kept/broken from promises."""
    conn.execute(
        "UPDATE debtors SET avg_days_late = agg.late FROM ("
        "  SELECT debtor_id, ROUND(AVG(MAX(0, julianday(COALESCE(paid_on, :today))"
        "    - julianday(due_date))), 1) AS late"
        "  FROM invoices"
        "  WHERE status = 'paid' AND paid_on IS NOT NULL"
        "     OR (status IN ('open', 'partially_paid') AND due_date < :today)"
        "  GROUP BY debtor_id) AS agg"
        " WHERE debtors.id = agg.debtor_id",
        {"today": today.isoformat()},
    )
    conn.execute(
        "UPDATE debtors SET promises_kept = agg.kept, promises_broken = agg.broken FROM ("
        "  SELECT c.debtor_id, SUM(p.status = 'kept') AS kept, SUM(p.status = 'broken') AS broken"
        "  FROM promises p JOIN cases c ON c.id = p.case_id GROUP BY c.debtor_id) AS agg"
        " WHERE debtors.id = agg.debtor_id"
    )


_ACTIVITY_INSERT = (
    "INSERT INTO interactions (id, case_id, agent_id, channel, occurred_at, outcome, notes,"
    " started_at, talk_seconds, handling_seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def open_cases_by_agent(conn: sqlite3.Connection, agents: Sequence[int]) -> dict[int, list[int]]:
    """The open cases assigned to each of these agents."""
    found: dict[int, list[int]] = {agent: [] for agent in agents}
    for case_id, agent in conn.execute(
        "SELECT id, assigned_agent_id FROM cases WHERE status = 'open'"
        " AND assigned_agent_id IS NOT NULL ORDER BY id"
    ):
        if agent in found:
            found[agent].append(int(case_id))
    return found


def insert_activity(
    conn: sqlite3.Connection,
    interactions: Sequence[Sequence[object]],
    promises: Sequence[Sequence[object]],
    callbacks: Sequence[Sequence[object]],
) -> None:
    """A day of the seeded team's work: interactions (with talk and handling time), promises
    and callbacks, in `COLUMNS` order for the last two."""
    conn.executemany(_ACTIVITY_INSERT, interactions)
    insert_rows(conn, "promises", promises)
    insert_rows(conn, "callbacks", callbacks)
