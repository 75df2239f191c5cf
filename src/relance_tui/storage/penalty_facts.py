"""What the penalties and the prescription of one debtor are computed from (read only)."""

from __future__ import annotations

import sqlite3
from datetime import date

Row = sqlite3.Row


def penalty_invoices(conn: sqlite3.Connection, debtor_id: int, today: date) -> list[Row]:
    """Invoices that may carry late penalties: overdue and undisputed, or paid after their due
    date with their penalties neither paid nor waived (interest stays claimable)."""
    return conn.execute(
        "SELECT i.id, i.number, i.due_date, i.amount_cents, i.outstanding_cents, i.status,"
        " i.paid_on, k.late_rate,"
        " (SELECT COALESCE(SUM(p.amount_cents), 0) FROM payments p WHERE p.invoice_id = i.id)"
        "   AS paid_cents"
        " FROM invoices i LEFT JOIN contracts k ON k.id = i.contract_id"
        " WHERE i.debtor_id = ? AND i.in_dispute = 0 AND i.due_date < ?"
        "   AND i.penalties_closed_on IS NULL"
        "   AND ((i.outstanding_cents > 0 AND i.status IN ('open', 'partially_paid'))"
        "        OR (i.status = 'paid' AND i.paid_on > i.due_date))"
        " ORDER BY i.due_date, i.id",
        (debtor_id, today.isoformat()),
    ).fetchall()


def prescription_invoices(conn: sqlite3.Connection, debtor_id: int) -> list[Row]:
    """(id, due_date) of the invoices with money still due."""
    return conn.execute(
        "SELECT id, due_date FROM invoices WHERE debtor_id = ? AND outstanding_cents > 0"
        " AND status IN ('open', 'partially_paid')",
        (debtor_id,),
    ).fetchall()


def acknowledgments(conn: sqlite3.Connection, case_id: int, debtor_id: int) -> list[Row]:
    """(day, kind, invoice_id) of what restarts the prescription: partial payments (per invoice
    when the payment names one), signed payment plans, promises received in writing (not those
    made on the phone), letters and e-mails we sent (they count for public bodies only), formal
    notices."""
    return conn.execute(
        "SELECT received_on AS day, 'partial_payment' AS kind, invoice_id FROM payments"
        " WHERE debtor_id = :debtor"
        " UNION ALL SELECT substr(created_at, 1, 10), 'signed_plan', NULL FROM payment_plans"
        " WHERE case_id = :case AND status <> 'cancelled'"
        " UNION ALL SELECT written_on, 'written_promise', NULL FROM promises"
        " WHERE case_id = :case AND written_on IS NOT NULL"
        " UNION ALL SELECT substr(occurred_at, 1, 10),"
        " CASE WHEN letter_kind = 'formal_notice' THEN 'formal_notice' ELSE 'written_claim' END,"
        " NULL FROM interactions WHERE case_id = :case"
        " AND channel IN ('email', 'letter', 'registered_letter')",
        {"debtor": debtor_id, "case": case_id},
    ).fetchall()


def formal_notice_on(conn: sqlite3.Connection, case_id: int) -> date | None:
    """The day of the case's first formal notice (mise en demeure): its acknowledgment of
    receipt when recorded, else the day it was sent."""
    row = conn.execute(
        "SELECT MIN(COALESCE(acknowledged_on, substr(done_at, 1, 10))) FROM dunning_steps"
        " WHERE case_id = ? AND step = 'formal_notice' AND status = 'done'",
        (case_id,),
    ).fetchone()
    if row and row[0]:
        return date.fromisoformat(row[0])
    row = conn.execute(
        "SELECT MIN(substr(occurred_at, 1, 10)) FROM interactions"
        " WHERE case_id = ? AND letter_kind = 'formal_notice'",
        (case_id,),
    ).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def invoice_ids(conn: sqlite3.Connection, debtor_id: int) -> dict[str, int]:
    """The debtor's invoices by number."""
    return {
        str(number): int(invoice_id)
        for invoice_id, number in conn.execute(
            "SELECT id, number FROM invoices WHERE debtor_id = ?", (debtor_id,)
        )
    }


def insert_waiver(
    conn: sqlite3.Connection,
    *,
    invoice_id: int,
    case_id: int,
    on: date,
    reason: str,
    interest_cents: int,
    indemnity_cents: int,
    by: str,
    at: str,
) -> int:
    """Record the waiver and close the invoice's penalties from `on` (never claimed again)."""
    cursor = conn.execute(
        "INSERT INTO penalty_waivers (invoice_id, case_id, waived_on, reason, interest_cents,"
        " indemnity_cents, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (invoice_id, case_id, on.isoformat(), reason, interest_cents, indemnity_cents, by, at),
    )
    conn.execute(
        "UPDATE invoices SET penalties_closed_on = ? WHERE id = ? AND penalties_closed_on IS NULL",
        (on.isoformat(), invoice_id),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def case_waivers(conn: sqlite3.Connection, case_id: int) -> list[Row]:
    return conn.execute(
        "SELECT w.waived_on, w.reason, w.interest_cents, w.indemnity_cents, w.created_by,"
        " i.number FROM penalty_waivers w JOIN invoices i ON i.id = w.invoice_id"
        " WHERE w.case_id = ? ORDER BY w.id",
        (case_id,),
    ).fetchall()
