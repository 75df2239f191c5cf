"""What an import sets moving once it has landed: new cases go to their portfolios, and payments
settle promises and installments (kept as soon as the money is in, not at the next day's check).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from relance_tui.config import Settings
from relance_tui.domain.clock import business_day
from relance_tui.services.followup import FollowupReport, check_commitments
from relance_tui.storage.assignment import assign_by_rules
from relance_tui.storage.db import transaction


@dataclass(frozen=True, slots=True)
class AfterImport:
    assigned: int
    followup: FollowupReport


def settle_after_import(conn: sqlite3.Connection, settings: Settings, now: datetime) -> AfterImport:
    with transaction(conn):
        assigned = assign_by_rules(conn)
    followup = check_commitments(conn, settings, business_day(now), now)
    return AfterImport(assigned=assigned, followup=followup)
