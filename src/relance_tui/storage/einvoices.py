"""SQL for the e-invoice import (services/importing/einvoices.py): finding buyers' debtors by
their legal identifiers, and the credit notes with what each one was applied to."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from relance_tui.storage.imports import _lookup


def debtors_by_identifier(
    conn: sqlite3.Connection, column: str, values: Iterable[str]
) -> dict[str, list[tuple[int, str]]]:
    """SIRET or SIREN → the debtors that have it: (id, reference), by id."""
    assert column in ("siret", "siren")
    found: dict[str, list[tuple[int, str]]] = {}
    rows = _lookup(
        conn,
        f"SELECT {column}, id, reference FROM debtors WHERE {column} IN ({{marks}})"
        " AND anonymised_at IS NULL ORDER BY id",
        values,
    )
    for row in rows:
        found.setdefault(row[0], []).append((row[1], row[2]))
    return found


def existing_credit_notes(conn: sqlite3.Connection, numbers: Iterable[str]) -> set[str]:
    rows = _lookup(conn, "SELECT number FROM credit_notes WHERE number IN ({marks})", numbers)
    return {row[0] for row in rows}


def insert_credit_note(
    conn: sqlite3.Connection,
    *,
    number: str,
    debtor_id: int,
    issue_date: str,
    amount_cents: int,
    credited_invoice: str,
    file_name: str,
    at: str,
    by: str,
    allocations: Sequence[tuple[int, int]],  # (invoice id, cents)
) -> int:
    applied = sum(cents for _, cents in allocations)
    cursor = conn.execute(
        "INSERT INTO credit_notes (number, debtor_id, issue_date, amount_cents, applied_cents,"
        " credited_invoice, file_name, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (number, debtor_id, issue_date, amount_cents, applied, credited_invoice, file_name, at,
         by),
    )  # fmt: skip
    assert cursor.lastrowid is not None
    conn.executemany(
        "INSERT INTO credit_note_allocations (credit_note_id, invoice_id, cents) VALUES (?, ?, ?)",
        ((cursor.lastrowid, invoice_id, cents) for invoice_id, cents in allocations),
    )
    return cursor.lastrowid


def tie_credit_notes(conn: sqlite3.Connection, import_id: int, numbers: Iterable[str]) -> None:
    """The import that brought these credit notes (known once it is recorded)."""
    conn.executemany(
        "UPDATE credit_notes SET import_id = ? WHERE number = ?",
        ((import_id, number) for number in numbers),
    )


def save_payment_terms(conn: sqlite3.Connection, terms: Iterable[tuple[str, str]]) -> None:
    """(invoice number, payment terms as the e-invoice states them)."""
    conn.executemany(
        "UPDATE invoices SET payment_terms = ? WHERE number = ?",
        ((text, number) for number, text in terms if text),
    )


def move_due_dates(conn: sqlite3.Connection, due_dates: dict[int, str]) -> None:
    """Invoice id → the due date its e-invoice states (never before its issue date)."""
    conn.executemany(
        "UPDATE invoices SET due_date = ?1 WHERE id = ?2 AND issue_date <= ?1",
        ((due, invoice_id) for invoice_id, due in due_dates.items()),
    )
