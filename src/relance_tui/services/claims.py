"""Claiming a case for a call, so two agents never work the same debtor at once."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from relance_tui.config import Settings
from relance_tui.storage import claims
from relance_tui.storage.claims import ClaimHolder
from relance_tui.storage.db import transaction


@dataclass(frozen=True, slots=True)
class ClaimResult:
    won: bool
    holder: ClaimHolder | None  # who holds it when we did not win


def claim_case(
    conn: sqlite3.Connection, settings: Settings, case_id: int, agent_id: int, now: datetime
) -> ClaimResult:
    ttl = timedelta(minutes=settings.claims.expiry_minutes)
    with transaction(conn):
        if claims.try_claim(conn, case_id, agent_id, now, ttl):
            return ClaimResult(won=True, holder=None)
        return ClaimResult(won=False, holder=claims.holder(conn, case_id, now))


def release_case(conn: sqlite3.Connection, case_id: int, agent_id: int) -> None:
    with transaction(conn):
        claims.release(conn, case_id, agent_id)


def release_everything(conn: sqlite3.Connection, agent_id: int) -> None:
    """On a clean exit: free every case this agent still holds."""
    with transaction(conn):
        claims.release_all(conn, agent_id)
