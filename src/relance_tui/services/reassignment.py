"""Reassigning cases (supervisors and admins): one case, a list of cases, or a queue view.

Checks who asks and who receives, then moves the open cases in one `BEGIN IMMEDIATE`
transaction with one `case.reassign` audit event per case (storage.assignment). Cases already
with the target agent are left alone (no event that changes nothing).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

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


def balance_load(conn: sqlite3.Connection, *, by_login: str) -> int:
    """Even out the open cases between the active agents (role agent): the least urgent cases
    of the most loaded go to the least loaded, in one transaction. Returns how many moved."""
    with transaction(conn):
        actor = check_actor(conn, by_login)
        agents = [a for a in list_agents(conn) if a.role == "agent" and a.active]
        loads = assignment.open_case_counts(conn, [a.id for a in agents])
        moved = 0
        for giver, taker, count in balance_moves(loads):
            cases = assignment.least_urgent_cases(conn, giver, count)
            moved += assignment.reassign(conn, cases, taker, by=actor.login) if cases else 0
        return moved
