"""Portfolio overview figures: aggregates over the `cases` table (one row per debtor with money
overdue, kept up to date by `storage.cases.sync_cases`), so they stay fast at 1M invoices.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

# Age of the oldest undisputed overdue invoice of a case, in days past due.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0_30", 0, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("90_plus", 91, None),
)


@dataclass(frozen=True, slots=True)
class Bucket:
    key: str
    cases: int
    overdue_cents: int
    disputed_cents: int
    invoices: int


@dataclass(frozen=True, slots=True)
class PortfolioCounts:
    debtors: int
    open_cases: int
    overdue_invoices: int
    overdue_cents: int
    disputed_cents: int
    agents: int
    unassigned_cases: int
    callbacks_due: int  # cases whose urgency is "callback due now"
    promises_today: int  # cases with a promise falling due today
    promises_broken: int  # cases with a broken promise


_SCOPES = {
    "all": "c.status = 'open'",
    "agent": "c.status = 'open' AND c.assigned_agent_id = :agent_id",
}


def _where(agent_id: int | None) -> str:
    return _SCOPES["all" if agent_id is None else "agent"]


def _buckets(conn: sqlite3.Connection, column: str, agent_id: int | None) -> list[Bucket]:
    if column not in ("segment", "stage"):
        raise ValueError(column)
    rows = conn.execute(
        f"SELECT c.{column}, COUNT(*), SUM(c.overdue_cents), SUM(c.disputed_cents),"
        f" SUM(c.open_invoices) FROM cases c WHERE {_where(agent_id)}"
        f" GROUP BY c.{column}",
        {"agent_id": agent_id},
    )
    return [Bucket(r[0], r[1], r[2] or 0, r[3] or 0, r[4] or 0) for r in rows]


def by_segment(conn: sqlite3.Connection, agent_id: int | None = None) -> list[Bucket]:
    return _buckets(conn, "segment", agent_id)


def by_stage(conn: sqlite3.Connection, agent_id: int | None = None) -> list[Bucket]:
    return _buckets(conn, "stage", agent_id)


def by_age(conn: sqlite3.Connection, today: date, agent_id: int | None = None) -> list[Bucket]:
    """Cases by age band of their oldest overdue invoice; 'disputed' when all of it is disputed."""
    band = "CASE WHEN c.oldest_due_date IS NULL THEN 'disputed'"
    for key, low, high in AGE_BANDS:
        upper = "" if high is None else f" AND days <= {high}"
        band += f" WHEN days >= {low}{upper} THEN '{key}'"
    band += " END"
    rows = conn.execute(
        f"SELECT band, COUNT(*), SUM(overdue_cents), SUM(disputed_cents), SUM(open_invoices)"
        f" FROM (SELECT {band} AS band, c.overdue_cents, c.disputed_cents, c.open_invoices"
        f"       FROM (SELECT c.*, CAST(julianday(:today) - julianday(c.oldest_due_date)"
        f"             AS INTEGER) AS days FROM cases c WHERE {_where(agent_id)}) AS c)"
        f" GROUP BY band",
        {"today": today.isoformat(), "agent_id": agent_id},
    )
    return [Bucket(r[0], r[1], r[2] or 0, r[3] or 0, r[4] or 0) for r in rows]


def counts(conn: sqlite3.Connection, agent_id: int | None = None) -> PortfolioCounts:
    params = {"agent_id": agent_id}
    where = _where(agent_id)
    cases = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(c.open_invoices), 0), COALESCE(SUM(c.overdue_cents), 0),"
        " COALESCE(SUM(c.disputed_cents), 0), COALESCE(SUM(c.assigned_agent_id IS NULL), 0),"
        " COALESCE(SUM(c.urgency = 3), 0), COALESCE(SUM(c.urgency = 2), 0),"
        f" COALESCE(SUM(c.urgency = 1), 0) FROM cases c WHERE {where}",
        params,
    ).fetchone()
    if agent_id is None:
        debtors = conn.execute("SELECT COUNT(*) FROM debtors").fetchone()[0]
        agents = conn.execute(
            "SELECT COUNT(*) FROM agents WHERE active = 1 AND role = 'agent'"
        ).fetchone()[0]
    else:
        debtors = conn.execute(
            "SELECT COUNT(*) FROM cases WHERE assigned_agent_id = ?", (agent_id,)
        ).fetchone()[0]
        agents = 1
    return PortfolioCounts(
        debtors=int(debtors),
        open_cases=int(cases[0]),
        overdue_invoices=int(cases[1]),
        overdue_cents=int(cases[2]),
        disputed_cents=int(cases[3]),
        agents=int(agents),
        unassigned_cases=int(cases[4]),
        callbacks_due=int(cases[5]),
        promises_today=int(cases[6]),
        promises_broken=int(cases[7]),
    )
