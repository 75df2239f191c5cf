"""The portfolio overview: how much is overdue, where, how old, and who works it.

Supervisors and admins see the whole book; an agent sees the cases assigned to them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from relance_tui.storage import overview as store
from relance_tui.storage.agents import get_agent
from relance_tui.storage.schema import SEGMENTS, STAGES

Bucket = store.Bucket
AGE_BAND_KEYS = (*(key for key, _low, _high in store.AGE_BANDS), "disputed")


@dataclass(frozen=True, slots=True)
class PortfolioOverview:
    today: date
    scope_login: str | None  # None: the whole portfolio
    counts: store.PortfolioCounts
    by_segment: tuple[Bucket, ...]
    by_stage: tuple[Bucket, ...]
    by_age: tuple[Bucket, ...]


def _ordered(buckets: list[Bucket], keys: tuple[str, ...]) -> tuple[Bucket, ...]:
    """Buckets in the natural order of their keys, with empty ones left out."""
    found = {bucket.key: bucket for bucket in buckets}
    return tuple(found[key] for key in keys if key in found)


def portfolio_overview(
    conn: sqlite3.Connection, *, today: date, agent_login: str | None = None
) -> PortfolioOverview:
    """Figures for `agent_login`'s view: everything for supervisors/admins (or None)."""
    agent = get_agent(conn, agent_login) if agent_login else None
    scoped = agent is not None and not agent.sees_everyone
    agent_id = agent.id if scoped and agent is not None else None
    conn.execute("BEGIN")  # one snapshot for every figure
    try:
        return PortfolioOverview(
            today=today,
            scope_login=agent.login if scoped and agent is not None else None,
            counts=store.counts(conn, agent_id),
            by_segment=_ordered(store.by_segment(conn, agent_id), SEGMENTS),
            by_stage=_ordered(store.by_stage(conn, agent_id), STAGES),
            by_age=_ordered(store.by_age(conn, today, agent_id), AGE_BAND_KEYS),
        )
    finally:
        conn.execute("COMMIT")
