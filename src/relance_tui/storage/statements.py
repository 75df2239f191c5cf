"""SQL for bank statements and the matching of their credits (services/statements).

Every function runs inside the caller's transaction, except the reads for screens.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from relance_tui.domain.matching import plain
from relance_tui.storage.imports import _lookup

MOVEMENT_FIELDS = (
    "id, booked_on, amount_cents, bank_reference, label, remittance, payer_name, payer_iban,"
    " status, rule, reason, line"
)


def known_movement_keys(conn: sqlite3.Connection, keys: Iterable[str]) -> set[str]:
    rows = _lookup(
        conn, "SELECT movement_key FROM bank_movements WHERE movement_key IN ({marks})", keys
    )
    return {row[0] for row in rows}


def insert_statement(conn: sqlite3.Connection, values: dict[str, Any]) -> int:
    cursor = conn.execute(
        "INSERT INTO statements (format, account, currency, opening_on, opening_cents,"
        " closing_on, closing_cents, file_name, created_at) VALUES (:format, :account,"
        " :currency, :opening_on, :opening_cents, :closing_on, :closing_cents, :file_name, :at)",
        values,
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def link_statements(conn: sqlite3.Connection, statement_ids: Sequence[int], import_id: int) -> None:
    conn.executemany(
        "UPDATE statements SET import_id = ? WHERE id = ?", ((import_id, i) for i in statement_ids)
    )


def insert_movements(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[int]:
    """Rows are (key, statement_id, line, booked_on, value_on, amount_cents, bank_reference,
    label, remittance, payer_name, payer_iban, status, rule, reason, matched_at, matched_by);
    returns their ids, in order."""
    before = int(conn.execute("SELECT coalesce(max(id), 0) FROM bank_movements").fetchone()[0])
    conn.executemany(
        "INSERT INTO bank_movements (movement_key, statement_id, line, booked_on, value_on,"
        " amount_cents, bank_reference, label, remittance, payer_name, payer_iban, status, rule,"
        " reason, matched_at, matched_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    # ids are given in order above the previous maximum: the transaction writes alone
    return list(range(before + 1, before + 1 + len(rows)))


@dataclass
class Book:
    """What matching reads: the open invoices, the debtors' references, the payers known."""

    invoices: list[tuple[int, str, int, str, int]]  # id, number, debtor_id, due_date, cents
    debtors: list[tuple[int, str, str]]  # id, reference, legal name
    payers: list[tuple[str, str, int]]  # kind, value, debtor_id


def read_book(conn: sqlite3.Connection) -> Book:
    cursor = conn.cursor()
    cursor.row_factory = None
    invoices = cursor.execute(
        "SELECT id, number, debtor_id, due_date, outstanding_cents FROM invoices"
        " WHERE outstanding_cents > 0 AND status IN ('open', 'partially_paid') AND in_dispute = 0"
    ).fetchall()
    debtors = cursor.execute("SELECT id, reference, legal_name FROM debtors").fetchall()
    payers = cursor.execute("SELECT kind, value, debtor_id FROM payer_links").fetchall()
    return Book(invoices, debtors, payers)


def insert_statement_payments(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[int]:
    """Rows are (debtor_id, invoice_id, received_on, amount_cents, bank_label, allocated_cents,
    movement_id, created_at, created_by); returns the payment ids, in order."""
    before = int(conn.execute("SELECT coalesce(max(id), 0) FROM payments").fetchone()[0])
    conn.executemany(
        "INSERT INTO payments (debtor_id, invoice_id, received_on, amount_cents, method,"
        " bank_label, matched, allocated_cents, movement_id, created_at, created_by)"
        " VALUES (?1, ?2, ?3, ?4, 'transfer', ?5, ?4 = ?6, ?6, ?7, ?8, ?9)",
        rows,
    )
    return list(range(before + 1, before + 1 + len(rows)))


def insert_allocations(conn: sqlite3.Connection, rows: Iterable[tuple[int, int, int]]) -> None:
    """(payment_id, invoice_id, cents)."""
    conn.executemany(
        "INSERT INTO payment_allocations (payment_id, invoice_id, cents) VALUES (?, ?, ?)", rows
    )


def apply_to_invoices(conn: sqlite3.Connection, rows: Iterable[tuple[int, int, str]]) -> None:
    """(invoice_id, cents paid, day): lower the balance, set the status (and the day paid)."""
    conn.executemany(
        "UPDATE invoices SET outstanding_cents = outstanding_cents - ?2,"
        " status = CASE WHEN outstanding_cents - ?2 = 0 THEN 'paid' ELSE 'partially_paid' END,"
        " paid_on = CASE WHEN outstanding_cents - ?2 = 0 THEN ?3 ELSE paid_on END WHERE id = ?1",
        rows,
    )


def set_movements_matched(
    conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str, str, int]]
) -> None:
    """(rule, reason, at, by, movement_id)."""
    conn.executemany(
        "UPDATE bank_movements SET status = 'matched', rule = ?, reason = ?, matched_at = ?,"
        " matched_by = ? WHERE id = ?",
        rows,
    )


def remember_payers(
    conn: sqlite3.Connection, rows: Iterable[tuple[str, str, int, str, str]]
) -> None:
    """(kind, value, debtor_id, source, at): a supervisor's decision replaces a learnt link."""
    conn.executemany(
        "INSERT INTO payer_links (kind, value, debtor_id, source, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, value) DO UPDATE SET"
        " debtor_id = excluded.debtor_id, source = excluded.source,"
        " created_at = excluded.created_at WHERE excluded.source = 'supervisor'",
        rows,
    )


# --- the unmatched list, one movement, undoing a match ------------------------------------------


def unmatched_movements(
    conn: sqlite3.Connection, *, limit: int = 200, offset: int = 0
) -> list[sqlite3.Row]:
    return conn.execute(
        f"SELECT {MOVEMENT_FIELDS} FROM bank_movements WHERE status = 'unmatched'"
        " ORDER BY booked_on, id LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()


def matched_movements(conn: sqlite3.Connection, *, limit: int = 200) -> list[sqlite3.Row]:
    """The credits matched last, with the rule and the reason of each."""
    return conn.execute(
        f"SELECT {MOVEMENT_FIELDS} FROM bank_movements WHERE status = 'matched'"
        " ORDER BY matched_at DESC, id DESC LIMIT ?",
        (limit,),
    ).fetchall()


def count_unmatched(conn: sqlite3.Connection) -> int:
    return int(
        conn.execute("SELECT count(*) FROM bank_movements WHERE status = 'unmatched'").fetchone()[0]
    )


def movement(conn: sqlite3.Connection, movement_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        f"SELECT {MOVEMENT_FIELDS} FROM bank_movements WHERE id = ?", (movement_id,)
    ).fetchone()
    return row


def movement_payments(conn: sqlite3.Connection, movement_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, debtor_id, amount_cents, allocated_cents FROM payments WHERE movement_id = ?",
        (movement_id,),
    ).fetchall()


def payment_allocations(conn: sqlite3.Connection, payment_ids: Sequence[int]) -> list[sqlite3.Row]:
    return _lookup(
        conn,
        "SELECT a.payment_id, a.invoice_id, a.cents, i.number FROM payment_allocations a"
        " JOIN invoices i ON i.id = a.invoice_id WHERE a.payment_id IN ({marks})",
        payment_ids,
    )


def undo_payments(conn: sqlite3.Connection, movement_id: int) -> None:
    """Give the invoices back what the movement's payments paid, then delete those payments."""
    conn.execute(
        "UPDATE invoices SET outstanding_cents = outstanding_cents + a.cents,"
        " status = CASE WHEN invoices.status IN ('cancelled', 'written_off') THEN invoices.status"
        " WHEN outstanding_cents + a.cents = amount_cents THEN 'open' ELSE 'partially_paid' END,"
        " paid_on = NULL"
        " FROM (SELECT invoice_id, sum(cents) AS cents FROM payment_allocations"
        "       WHERE payment_id IN (SELECT id FROM payments WHERE movement_id = ?)"
        "       GROUP BY invoice_id) AS a WHERE invoices.id = a.invoice_id",
        (movement_id,),
    )
    conn.execute(
        "DELETE FROM payment_allocations WHERE payment_id IN"
        " (SELECT id FROM payments WHERE movement_id = ?)",
        (movement_id,),
    )
    conn.execute("DELETE FROM payments WHERE movement_id = ?", (movement_id,))
    conn.execute(
        "UPDATE bank_movements SET status = 'unmatched', rule = NULL, reason = '',"
        " matched_at = NULL, matched_by = NULL WHERE id = ?",
        (movement_id,),
    )


def debtor_credit(conn: sqlite3.Connection, debtor_id: int) -> int:
    """What the debtor paid that no invoice took: a credit in its favour."""
    return int(
        conn.execute(
            "SELECT coalesce(sum(amount_cents - allocated_cents), 0) FROM payments"
            " WHERE debtor_id = ?",
            (debtor_id,),
        ).fetchone()[0]
    )


def debtor_open_invoices(conn: sqlite3.Connection, debtor_id: int) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, number, due_date, outstanding_cents FROM invoices WHERE debtor_id = ?"
        " AND outstanding_cents > 0 AND status IN ('open', 'partially_paid')"
        " ORDER BY due_date, id",
        (debtor_id,),
    ).fetchall()


def case_of_debtors(conn: sqlite3.Connection, debtor_ids: Sequence[int]) -> list[int]:
    rows = _lookup(conn, "SELECT id FROM cases WHERE debtor_id IN ({marks})", debtor_ids)
    return sorted(row[0] for row in rows)


def invoice_balances(
    conn: sqlite3.Connection, invoice_ids: Sequence[int]
) -> list[tuple[int, int, int, str]]:
    """(id, debtor_id, outstanding_cents, number) of these invoices when they are open."""
    rows = _lookup(
        conn,
        "SELECT id, debtor_id, outstanding_cents, number FROM invoices WHERE id IN ({marks})"
        " AND status IN ('open', 'partially_paid')",
        invoice_ids,
    )
    return [(int(r[0]), int(r[1]), int(r[2]), str(r[3])) for r in rows]


def forget_payers(
    conn: sqlite3.Connection, name: str, iban: str, debtor_ids: Sequence[int]
) -> None:
    """What a match taught (by a rule or a supervisor) about this payer and these debtors."""
    values = [("iban", iban.replace(" ", "").upper()), ("name", plain(name))]
    conn.executemany(
        "DELETE FROM payer_links WHERE kind = ? AND value = ? AND debtor_id = ?",
        ((kind, value, debtor) for kind, value in values for debtor in debtor_ids),
    )


def find_debtors(conn: sqlite3.Connection, text: str, limit: int = 20) -> list[sqlite3.Row]:
    """Debtors whose name or reference holds `text` (case-insensitive), with what they owe."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return conn.execute(
        "SELECT d.id, d.reference, d.legal_name, coalesce(c.overdue_cents, 0) AS overdue_cents"
        " FROM debtors d LEFT JOIN cases c ON c.debtor_id = d.id"
        " WHERE d.legal_name LIKE ?1 ESCAPE '\\' OR d.reference LIKE ?1 ESCAPE '\\'"
        " ORDER BY d.legal_name LIMIT ?2",
        (pattern, limit),
    ).fetchall()
