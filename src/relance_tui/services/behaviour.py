"""Keeping each debtor's payment behaviour up to date (domain.behaviour): only the debtors a
payment import, a statement or a match touched are learned again, in the caller's transaction.
The queue's score reads it (its history part, through debtors.avg_days_late)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from relance_tui.domain.behaviour import learn_behaviour
from relance_tui.storage import behaviour as store


def relearn(conn: sqlite3.Connection, debtor_ids: Iterable[int]) -> int:
    """Learn these debtors' behaviour again from their ledger; returns how many changed.

    A debtor without a paid invoice keeps what it had (nothing to learn from yet)."""
    assert conn.in_transaction
    debtors = sorted(set(debtor_ids))
    if not debtors:
        return 0
    paid = store.recent_paid(conn, debtors)
    learned = [(d, learn_behaviour(paid[d])) for d in debtors if paid[d]]
    return store.save_behaviour(conn, learned)
