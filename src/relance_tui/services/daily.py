"""Once per business day: whether today's commitments check (services.followup) has run.

Its own small module so that the queue can ask cheaply at every refresh without importing the
follow-up service (and the call domain behind it), and the follow-up service can record the day
without importing the queue.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from relance_tui.storage.db import get_meta, set_meta

META_FOLLOWUP_DAY = "followup.last_day"  # the last day commitments were checked


def followup_due_on(conn: sqlite3.Connection, today: date) -> bool:
    """Has today's commitments check still to run?"""
    last = get_meta(conn, META_FOLLOWUP_DAY)
    return last is None or last < today.isoformat()


def mark_followup_done(conn: sqlite3.Connection, today: date) -> None:
    set_meta(conn, META_FOLLOWUP_DAY, today.isoformat())
