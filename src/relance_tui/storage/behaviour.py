"""SQL for the payment behaviour learned from each debtor's ledger (domain.behaviour)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date

from relance_tui.domain.behaviour import HISTORY_INVOICES, PaymentBehaviour

_RECENT_PAID = f"""
SELECT debtor_id, due_date, paid_on FROM (
    SELECT i.debtor_id, i.due_date, i.paid_on, row_number() OVER (
        PARTITION BY i.debtor_id ORDER BY i.paid_on DESC, i.id DESC) AS rank
    FROM invoices i
    WHERE i.debtor_id IN (SELECT id FROM behaviour_debtors)
      AND i.status = 'paid' AND i.paid_on IS NOT NULL
) WHERE rank <= {HISTORY_INVOICES}
ORDER BY debtor_id, rank
"""


def recent_paid(
    conn: sqlite3.Connection, debtor_ids: Sequence[int]
) -> dict[int, list[tuple[date, date]]]:
    """Each debtor's last paid invoices, most recently paid first: (due date, paid on)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS behaviour_debtors (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM behaviour_debtors")
    conn.executemany("INSERT OR IGNORE INTO behaviour_debtors (id) VALUES (?)",
                     ((i,) for i in debtor_ids))  # fmt: skip
    found: dict[int, list[tuple[date, date]]] = {debtor: [] for debtor in debtor_ids}
    cursor = conn.cursor()
    cursor.row_factory = None
    for debtor, due, paid_on in cursor.execute(_RECENT_PAID):
        found[debtor].append((date.fromisoformat(due), date.fromisoformat(paid_on[:10])))
    conn.execute("DELETE FROM behaviour_debtors")
    return found


def save_behaviour(
    conn: sqlite3.Connection, behaviours: Iterable[tuple[int, PaymentBehaviour]]
) -> int:
    """Write what changed; returns how many debtors changed."""
    cursor = conn.executemany(
        "UPDATE debtors SET avg_days_late = ?, share_paid_late = ?, history_invoices = ?,"
        " recent_days_late = ?"
        " WHERE id = ? AND (avg_days_late IS NOT ? OR share_paid_late IS NOT ?"
        " OR history_invoices IS NOT ? OR recent_days_late IS NOT ?)",
        (
            (b.avg_days_late, b.share_late, b.invoices, b.recent_days_late, debtor,
             b.avg_days_late, b.share_late, b.invoices, b.recent_days_late)
            for debtor, b in behaviours
        ),
    )  # fmt: skip
    return cursor.rowcount
