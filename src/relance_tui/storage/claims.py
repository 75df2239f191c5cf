"""Case claims: one conditional UPDATE decides who holds a case (docs/architecture.md, "Claims").

Timestamps are UTC ISO-8601 strings of one fixed shape, so string order is time order.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from relance_tui.domain.clock import utc_iso


@dataclass(frozen=True, slots=True)
class ClaimHolder:
    agent_id: int
    login: str
    claimed_at: str
    expires_at: str


def try_claim(
    conn: sqlite3.Connection, case_id: int, agent_id: int, now: datetime, ttl: timedelta
) -> bool:
    """Claim (or extend our claim on) a case. True when we hold it afterwards."""
    cursor = conn.execute(
        "UPDATE cases SET claimed_by = :agent,"
        " claimed_at = CASE WHEN claimed_by = :agent THEN claimed_at ELSE :now END,"
        " claim_expires_at = :expires"
        " WHERE id = :case AND (claimed_by IS NULL OR claimed_by = :agent"
        "                       OR claim_expires_at < :now)",
        {"agent": agent_id, "now": utc_iso(now), "expires": utc_iso(now + ttl), "case": case_id},
    )
    return cursor.rowcount == 1


def release(conn: sqlite3.Connection, case_id: int, agent_id: int) -> None:
    conn.execute(
        "UPDATE cases SET claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL"
        " WHERE id = ? AND claimed_by = ?",
        (case_id, agent_id),
    )


def release_all(conn: sqlite3.Connection, agent_id: int) -> None:
    conn.execute(
        "UPDATE cases SET claimed_by = NULL, claimed_at = NULL, claim_expires_at = NULL"
        " WHERE claimed_by = ?",
        (agent_id,),
    )


def holder(conn: sqlite3.Connection, case_id: int, now: datetime) -> ClaimHolder | None:
    """Who holds the case now (expired claims count as free)."""
    row = conn.execute(
        "SELECT a.id, a.login, c.claimed_at, c.claim_expires_at FROM cases c"
        " JOIN agents a ON a.id = c.claimed_by"
        " WHERE c.id = ? AND c.claim_expires_at >= ?",
        (case_id, utc_iso(now)),
    ).fetchone()
    return None if row is None else ClaimHolder(row[0], row[1], row[2], row[3])
