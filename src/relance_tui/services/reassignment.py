"""Reassigning cases (supervisors and admins): one case, a list of cases, a queue view, or
balancing a portfolio's load between its agents (a plan shown first, then applied).

Checks who asks and who receives, then moves the open cases in one `BEGIN IMMEDIATE`
transaction with one `case.reassign` audit event per case (storage.assignment). Cases already
with the target agent are left alone (no event that changes nothing). The queues read
`cases.assigned_agent_id`, so each agent's queue shows the change on its next refresh.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from relance_tui.domain.clock import business_day, day_start_utc, utc_iso
from relance_tui.domain.kpi import balance_moves
from relance_tui.domain.permissions import Permission
from relance_tui.i18n import t
from relance_tui.services.permissions import may
from relance_tui.storage import assignment
from relance_tui.storage.agents import AgentRow, get_agent, list_agents
from relance_tui.storage.db import transaction
from relance_tui.storage.queue import QueueQuery

BULK_CAP = 5000  # at most this many cases move in one bulk reassignment (the dialog says so)


class ReassignmentError(Exception):
    """The reassignment cannot be done; the message says why (in the user's language)."""


class NotAllowedError(ReassignmentError):
    """The actor is not a supervisor or an admin (or is unknown or disabled)."""


class UnknownTargetError(ReassignmentError):
    """The receiving agent does not exist or is disabled."""


def assignable_agents(conn: sqlite3.Connection) -> list[AgentRow]:
    """The agents cases can be given to: every active agent, by login."""
    return list_agents(conn)


def check_actor(conn: sqlite3.Connection, by_login: str) -> AgentRow:
    actor = get_agent(conn, by_login)
    if actor is None or not may(actor, Permission.REASSIGN):
        raise NotAllowedError(t("reassign.error.not_allowed", login=by_login))
    return actor


def check_target(conn: sqlite3.Connection, to_login: str) -> AgentRow:
    target = get_agent(conn, to_login)
    if target is None:
        raise UnknownTargetError(t("reassign.error.unknown_target", login=to_login))
    if not target.active:
        raise UnknownTargetError(t("reassign.error.inactive_target", login=to_login))
    return target


def reassign_cases(
    conn: sqlite3.Connection,
    *,
    case_ids: Sequence[int],
    to_login: str,
    by_login: str,
    refuse_missing: bool = False,
) -> int:
    """Give these open cases to `to_login`; returns how many changed hands.

    Raises NotAllowedError / UnknownTargetError. Closed or unknown ids are skipped, or with
    `refuse_missing` raise ReassignmentError naming them (and nothing moves).
    """
    ids = list(dict.fromkeys(case_ids))

    def open_ids() -> list[int]:
        if refuse_missing:
            found = {case_id for case_id, _ in assignment.select_cases(conn, case_ids=ids)}
            missing = sorted(set(ids) - found)
            if missing:
                raise ReassignmentError(t("assign.unknown_cases", ids=", ".join(map(str, missing))))
        return ids

    return _reassign(conn, open_ids, to_login=to_login, by_login=by_login)


def reassign_portfolio(
    conn: sqlite3.Connection,
    *,
    from_login: str,
    to_login: str,
    by_login: str,
    segment: str | None = None,
) -> int:
    """Give all of `from_login`'s open cases (of one segment, if given) to `to_login`."""

    def their_cases() -> list[int]:
        source = get_agent(conn, from_login)
        if source is None:
            raise UnknownTargetError(t("agents.not_found", login=from_login))
        chosen = assignment.select_cases(conn, from_agent_id=source.id, segment=segment)
        return [case_id for case_id, _ in chosen]

    return _reassign(conn, their_cases, to_login=to_login, by_login=by_login)


def reassign_view(
    conn: sqlite3.Connection,
    *,
    query: QueueQuery,
    to_login: str,
    by_login: str,
    limit: int = BULK_CAP,
) -> int:
    """Give the cases of a queue view (its filters and search) to `to_login`, at most `limit`
    of them, best first. The view is read inside the same transaction as the write."""
    return _reassign(
        conn,
        lambda: assignment.case_ids_of(conn, query, limit),
        to_login=to_login,
        by_login=by_login,
    )


def _reassign(
    conn: sqlite3.Connection,
    case_ids: Callable[[], Sequence[int]],
    *,
    to_login: str,
    by_login: str,
) -> int:
    with transaction(conn):
        actor = check_actor(conn, by_login)
        target = check_target(conn, to_login)
        ids = case_ids()
        if not ids:
            return 0  # select_cases with no ids would mean "every open case"
        cases = [
            (case_id, previous)
            for case_id, previous in assignment.select_cases(conn, case_ids=ids)
            if previous != target.id
        ]
        if not cases:
            return 0
        return assignment.reassign(conn, cases, target.id, by=actor.login)


@dataclass(frozen=True, slots=True)
class OpenCase:
    """One of an agent's open cases, in the workload tab's list."""

    case_id: int
    reference: str
    debtor_name: str
    segment: str
    overdue_cents: int
    urgency: int
    oldest_due: str | None
    holder: str | None  # who holds it now
    next_callback: str | None


def agent_cases(
    conn: sqlite3.Connection, *, agent_id: int, by_login: str, now: datetime
) -> list[OpenCase]:
    """The agent's open cases, most urgent first (at most BULK_CAP of them)."""
    check_actor(conn, by_login)
    stamp = utc_iso(now)
    return [
        OpenCase(
            case_id=int(r["id"]),
            reference=str(r["reference"]),
            debtor_name=str(r["legal_name"]),
            segment=str(r["segment"]),
            overdue_cents=int(r["overdue_cents"]),
            urgency=int(r["urgency"]),
            oldest_due=r["oldest_due_date"],
            holder=r["holder"] if (r["claim_expires_at"] or "") > stamp else None,
            next_callback=r["next_callback"],
        )
        for r in assignment.agent_open_cases(conn, agent_id, BULK_CAP)
    ]


@dataclass(frozen=True, slots=True)
class Move:
    from_id: int | None  # None: cases with no agent yet
    from_login: str  # "" for those
    to_id: int
    to_login: str
    count: int


@dataclass(frozen=True, slots=True)
class BalancePlan:
    """What balancing a portfolio would do: the moves, and what it leaves alone."""

    segment: str | None  # None: the whole book
    agents: int
    cases: int
    staying: int  # held now or with a callback today: they stay with their agent
    moves: tuple[Move, ...]
    unassigned: int = 0  # of `cases`: with no agent yet, all shared out

    @property
    def moving(self) -> int:
        return sum(move.count for move in self.moves)


def _today(now: datetime) -> dict[str, str]:
    today = business_day(now)
    return {
        "now": utc_iso(now),
        "day_start": day_start_utc(today),
        "day_end": day_start_utc(today + timedelta(days=1)),
    }


def plan_balance(
    conn: sqlite3.Connection, *, by_login: str, segment: str | None, now: datetime
) -> BalancePlan:
    """Even out a portfolio's open cases (one segment, or the whole book) between its active
    agents: how many go from whom to whom. Held cases and those with a callback today stay;
    the least urgent move first. Nothing is written (see apply_balance)."""
    check_actor(conn, by_login)
    members = assignment.portfolio_members(conn, segment)
    window = _today(now)
    loads = assignment.balance_loads(conn, members, segment, **window)
    unassigned = assignment.unassigned_movable(conn, segment, **window) if members else 0
    logins = {agent.id: agent.login for agent in list_agents(conn, include_inactive=True)}
    moves = balance_moves(
        {agent: count for agent, (count, _) in loads.items()},
        {agent: stays for agent, (_, stays) in loads.items()},
        unassigned,
    )
    return BalancePlan(
        segment=segment,
        agents=len(members),
        cases=sum(count for count, _ in loads.values()) + unassigned,
        staying=sum(stays for _, stays in loads.values()),
        unassigned=unassigned,
        moves=tuple(
            Move(giver, logins[giver] if giver is not None else "", taker, logins[taker], count)
            for giver, taker, count in moves
        ),
    )


def apply_balance(
    conn: sqlite3.Connection, plan: BalancePlan, *, by_login: str, now: datetime
) -> int:
    """Make the moves of a plan shown and confirmed, in one transaction (one audit event per
    case). Cases that became held or got a callback today since the preview stay, so at most
    the plan's counts move. Returns how many moved."""
    window = _today(now)
    with transaction(conn):
        actor = check_actor(conn, by_login)
        moved = 0
        for move in plan.moves:
            target = check_target(conn, move.to_login)
            cases = assignment.movable_cases(conn, move.from_id, move.count, plan.segment, **window)
            moved += assignment.reassign(conn, cases, target.id, by=actor.login) if cases else 0
        return moved
