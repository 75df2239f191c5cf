"""Per agent, a day or a period: what they did and what it brought in; and one agent's actions.

Counted by the agent who did it, on the Paris business day it happened: calls and their
outcomes, e-mails and letters (history's interactions), promises and payment plans made (count,
amount), disputes opened, callbacks scheduled; callbacks they scheduled that fell due in the
period, done or missed (still pending once due); cases touched (distinct cases with an
interaction of theirs); money received in the period on the debtors of the cases assigned to
them now; first and last activity; talk and handling time of the calls that have them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from relance_tui.domain.clock import day_start_utc, utc_iso
from relance_tui.services.reports.access import bring_up_to_date, require_supervisor
from relance_tui.storage import reports as store
from relance_tui.storage.agents import AgentRow


@dataclass(frozen=True, slots=True)
class AgentFigures:
    agent_id: int
    login: str
    name: str
    calls: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    emails: int = 0
    letters: int = 0
    promises: int = 0
    promised_cents: int = 0
    plans: int = 0
    plan_cents: int = 0
    disputes: int = 0
    callbacks_set: int = 0
    callbacks_done: int = 0
    callbacks_missed: int = 0
    cases_touched: int = 0
    collected_cents: int = 0
    first_at: str | None = None
    last_at: str | None = None
    timed_calls: int = 0
    talk_seconds: int = 0
    handling_seconds: int = 0

    @property
    def right_party(self) -> int:
        return self.outcomes.get("right_party", 0)


@dataclass(frozen=True, slots=True)
class Action:
    """One interaction in the drill-down."""

    interaction_id: int
    at: str
    case_id: int
    debtor_reference: str
    debtor_name: str
    channel: str
    outcome: str | None
    notes: str
    promised_cents: int | None
    planned_cents: int | None
    disputes: int
    talk_seconds: int | None


def bounds(first: date, last: date) -> tuple[str, str]:
    """The stored-timestamp window [start, end) of the Paris days first..last."""
    return day_start_utc(first), day_start_utc(last + timedelta(days=1))


def agent_figures(
    conn: sqlite3.Connection,
    viewer: AgentRow,
    *,
    first: date,
    last: date,
    now: datetime,
    agent: str | None = None,
) -> list[AgentFigures]:
    """One line per agent (active agents, and anyone who did something in the period), by
    login. `agent`: only that login."""
    require_supervisor(conn, viewer)
    bring_up_to_date(conn)
    days = (first.isoformat(), last.isoformat())
    start, end = bounds(first, last)
    totals = {int(r["agent_id"]): r for r in store.agent_totals(conn, *days)}
    touched = store.cases_touched(conn, start, end)
    collected = store.collected_by_agent(conn, *days)
    callbacks = {int(r["agent_id"]): r for r in store.callbacks_due(conn, start, end, utc_iso(now))}
    people = store.active_agents(conn)
    seen = {int(p["id"]) for p in people}
    extra = (set(totals) | set(touched) | set(callbacks)) - seen
    if extra:
        people += [
            r
            for r in conn.execute("SELECT id, login, display_name, role FROM agents")
            if int(r["id"]) in extra
        ]
    lines: list[AgentFigures] = []
    for person in sorted(people, key=lambda p: str(p["login"])):
        if agent is not None and person["login"] != agent:
            continue
        if person["role"] != "agent" and int(person["id"]) not in totals.keys() | touched.keys():
            continue  # supervisors and admins who did no casework
        agent_id = int(person["id"])
        row = totals.get(agent_id)
        counts = {c: int(row[c] or 0) for c in store.COUNTED} if row is not None else {}
        back = callbacks.get(agent_id)
        lines.append(
            AgentFigures(
                agent_id=agent_id,
                login=str(person["login"]),
                name=str(person["display_name"]),
                calls=counts.get("calls", 0),
                outcomes={o: counts.get(o, 0) for o in store.OUTCOMES},
                emails=counts.get("emails", 0),
                letters=counts.get("letters", 0),
                promises=counts.get("promises", 0),
                promised_cents=counts.get("promised_cents", 0),
                plans=counts.get("plans", 0),
                plan_cents=counts.get("plan_cents", 0),
                disputes=counts.get("disputes", 0),
                callbacks_set=counts.get("callbacks_set", 0),
                callbacks_done=int(back["done"] or 0) if back is not None else 0,
                callbacks_missed=int(back["missed"] or 0) if back is not None else 0,
                cases_touched=touched.get(agent_id, 0),
                collected_cents=collected.get(agent_id, 0),
                first_at=row["first_at"] if row is not None else None,
                last_at=row["last_at"] if row is not None else None,
                timed_calls=counts.get("timed_calls", 0),
                talk_seconds=counts.get("talk_seconds", 0),
                handling_seconds=counts.get("handling_seconds", 0),
            )
        )
    return lines


def total(lines: list[AgentFigures]) -> AgentFigures:
    """The team's line: sums (cases touched: the sum of each agent's)."""
    sums: dict[str, int] = {}
    for name in (
        "calls", "emails", "letters", "promises", "promised_cents", "plans", "plan_cents",
        "disputes", "callbacks_set", "callbacks_done", "callbacks_missed", "cases_touched",
        "collected_cents", "timed_calls", "talk_seconds", "handling_seconds",
    ):  # fmt: skip
        sums[name] = sum(getattr(line, name) for line in lines)
    outcomes = {o: sum(line.outcomes.get(o, 0) for line in lines) for o in store.OUTCOMES}
    firsts = [line.first_at for line in lines if line.first_at]
    lasts = [line.last_at for line in lines if line.last_at]
    return AgentFigures(
        agent_id=0,
        login="",
        name="",
        outcomes=outcomes,
        first_at=min(firsts) if firsts else None,
        last_at=max(lasts) if lasts else None,
        **sums,
    )


def agent_actions(
    conn: sqlite3.Connection, viewer: AgentRow, agent_id: int, *, first: date, last: date
) -> list[Action]:
    """What one agent did in the period, oldest first."""
    require_supervisor(conn, viewer)
    start, end = bounds(first, last)
    return [
        Action(
            interaction_id=int(r["id"]),
            at=str(r["occurred_at"]),
            case_id=int(r["case_id"]),
            debtor_reference=str(r["debtor_reference"]),
            debtor_name=str(r["legal_name"]),
            channel=str(r["channel"]),
            outcome=r["outcome"],
            notes=str(r["notes"]),
            promised_cents=r["promised"],
            planned_cents=r["planned"],
            disputes=int(r["disputes"] or 0),
            talk_seconds=r["talk_seconds"],
        )
        for r in store.agent_actions(conn, agent_id, start, end)
    ]
