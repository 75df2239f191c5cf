"""The few rows a write on a case checks itself against (services.call_preparation).

Four small indexed reads in one read transaction, so that they see one state of the database.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from relance_tui.storage.casework import INVOICE_LIMIT

Row = sqlite3.Row


@dataclass(frozen=True, slots=True)
class PreparationRows:
    head: Row  # the case and its debtor
    invoices: list[Row]  # open, with money due, oldest due first (as the case file lists them)
    contacts: list[Row]
    phones: list[Row]  # of those contacts, by id


def preparation_rows(conn: sqlite3.Connection, case_id: int) -> PreparationRows | None:
    """The case's rows, or None for an unknown case."""
    snapshot = not conn.in_transaction
    if snapshot:
        conn.execute("BEGIN")
    try:
        head = conn.execute(
            "SELECT c.id, c.debtor_id, c.segment, c.stage, c.overdue_cents, c.disputed_cents,"
            " d.legal_name, d.postal_code FROM cases c JOIN debtors d ON d.id = c.debtor_id"
            " WHERE c.id = ?",
            (case_id,),
        ).fetchone()
        if head is None:
            return None
        debtor_id = int(head["debtor_id"])
        invoices = conn.execute(
            "SELECT id, number, due_date, outstanding_cents, in_dispute FROM invoices"
            " WHERE debtor_id = ? AND outstanding_cents > 0"
            " AND status IN ('open', 'partially_paid')"
            " ORDER BY due_date, id LIMIT ?",
            (debtor_id, INVOICE_LIMIT),
        ).fetchall()
        contacts = conn.execute(
            "SELECT id, name, role, email, opposed_to_contact FROM contacts"
            " WHERE debtor_id = ? ORDER BY id",
            (debtor_id,),
        ).fetchall()
        phones = conn.execute(
            "SELECT p.id, p.contact_id, p.kind, p.region, p.time_zone, p.valid,"
            " p.marked_invalid_at FROM contacts k JOIN phones p ON p.contact_id = k.id"
            " WHERE k.debtor_id = ? ORDER BY p.id",
            (debtor_id,),
        ).fetchall()
        return PreparationRows(head, invoices, contacts, phones)
    finally:
        if snapshot:
            conn.execute("COMMIT")
