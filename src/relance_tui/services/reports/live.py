"""Now: who holds which case and since when, who is idle, calls in progress, and the workload.

An agent is idle when they hold no case, have no call in progress and did nothing in the last
`IDLE_MINUTES` (or nothing yet today).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from relance_tui.domain.clock import business_day, utc_iso
from relance_tui.services.reports.access import bring_up_to_date, require_supervisor
from relance_tui.storage import reports as store
from relance_tui.storage.agents import AgentRow

IDLE_MINUTES = 15
DRAFT_FRESH_MINUTES = 30  # an older draft was left by a dropped session


@dataclass(frozen=True, slots=True)
class AgentNow:
    agent_id: int
    login: str
    name: str
    case_id: int | None  # the case they hold
    case_reference: str
    debtor_name: str
    held_minutes: int | None
    call_minutes: int | None  # a call in progress, for so long
    last_activity: str | None
    idle: bool
    open_cases: int
    urgent: int
    late_callbacks: int
    overdue_cents: int


def agents_now(conn: sqlite3.Connection, viewer: AgentRow, *, now: datetime) -> list[AgentNow]:
    """One line per active agent (role agent), by login."""
    require_supervisor(conn, viewer)
    bring_up_to_date(conn)
    stamp = utc_iso(now)
    today = business_day(now).isoformat()
    held = {int(r["agent_id"]): r for r in store.claims(conn, stamp)}
    calls = store.calls_in_progress(conn, utc_iso(now - timedelta(minutes=DRAFT_FRESH_MINUTES)))
    work = {int(r["agent_id"]): r for r in store.workload(conn)}
    late = store.late_callbacks(conn, stamp)
    last = {int(r["agent_id"]): r["last_at"] for r in store.agent_totals(conn, today, today)}
    idle_since = utc_iso(now - timedelta(minutes=IDLE_MINUTES))

    def minutes(since: str | None) -> int | None:
        if not since:
            return None
        return max(0, int((now - datetime.fromisoformat(since)).total_seconds() // 60))

    lines: list[AgentNow] = []
    for person in store.active_agents(conn):
        if person["role"] != "agent":
            continue
        agent_id = int(person["id"])
        claim = held.get(agent_id)
        load = work.get(agent_id)
        last_at = last.get(agent_id)
        idle = claim is None and agent_id not in calls and (not last_at or last_at < idle_since)
        lines.append(
            AgentNow(
                agent_id=agent_id,
                login=str(person["login"]),
                name=str(person["display_name"]),
                case_id=int(claim["case_id"]) if claim is not None else None,
                case_reference=str(claim["reference"]) if claim is not None else "",
                debtor_name=str(claim["legal_name"]) if claim is not None else "",
                held_minutes=minutes(claim["claimed_at"]) if claim is not None else None,
                call_minutes=minutes(calls.get(agent_id)),
                last_activity=last_at,
                idle=idle,
                open_cases=int(load["open_cases"]) if load is not None else 0,
                urgent=int(load["urgent"] or 0) if load is not None else 0,
                late_callbacks=late.get(agent_id, 0),
                overdue_cents=int(load["overdue_cents"] or 0) if load is not None else 0,
            )
        )
    return lines
