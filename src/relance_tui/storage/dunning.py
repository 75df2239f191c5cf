"""The dunning ladder's records: steps reserved and performed, manual holds, and what the daily
batch reads to decide (one row per open case, set-based). Decisions are domain.ladder's."""

from __future__ import annotations

import sqlite3

Row = sqlite3.Row


def case_id_for(conn: sqlite3.Connection, reference: str) -> int | None:
    """The case of the debtor with this reference, else the case with this id."""
    row = conn.execute(
        "SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE d.reference = ?",
        (reference,),
    ).fetchone()
    if row is not None:
        return int(row[0])
    text = reference.removeprefix("#")
    if text.isdigit():
        row = conn.execute("SELECT id FROM cases WHERE id = ?", (int(text),)).fetchone()
        if row is not None:
            return int(row[0])
    return None
