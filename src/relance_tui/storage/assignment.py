"""Portfolios: which agent works which case. Explicit (cases.assigned_agent_id) or by rules."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from relance_tui.storage.db import append_audit, utc_now_iso
from relance_tui.storage.queue import QueueQuery, source_and_filters


@dataclass(frozen=True, slots=True)
class PortfolioRule:
    id: int
    agent_login: str
    segment: str | None
    postal_prefix: str | None
    min_overdue_cents: int | None
    max_overdue_cents: int | None


_RULE_MATCHES = """
    (r.segment IS NULL OR r.segment = cases.segment)
    AND (r.postal_prefix IS NULL OR substr(
            (SELECT d.postal_code FROM debtors d WHERE d.id = cases.debtor_id),
            1, length(r.postal_prefix)) = r.postal_prefix)
    AND (r.min_overdue_cents IS NULL OR cases.overdue_cents >= r.min_overdue_cents)
    AND (r.max_overdue_cents IS NULL OR cases.overdue_cents < r.max_overdue_cents)
"""


def add_rule(
    conn: sqlite3.Connection,
    *,
    agent_id: int,
    segment: str | None,
    postal_prefix: str | None,
    min_overdue_cents: int | None,
    max_overdue_cents: int | None,
    by: str,
) -> int:
    cursor = conn.execute(
        "INSERT INTO portfolio_rules (agent_id, segment, postal_prefix, min_overdue_cents,"
        " max_overdue_cents) VALUES (?, ?, ?, ?, ?)",
        (agent_id, segment, postal_prefix, min_overdue_cents, max_overdue_cents),
    )
    rule_id = int(cursor.lastrowid or 0)
    append_audit(
        conn,
        agent=by,
        action="portfolio.rule_add",
        entity="portfolio_rule",
        entity_id=rule_id,
        after={
            "agent_id": agent_id,
            "segment": segment,
            "postal_prefix": postal_prefix,
            "min_overdue_cents": min_overdue_cents,
            "max_overdue_cents": max_overdue_cents,
        },
    )
    return rule_id


def delete_rule(conn: sqlite3.Connection, rule_id: int, *, by: str) -> bool:
    cursor = conn.execute("DELETE FROM portfolio_rules WHERE id = ?", (rule_id,))
    if cursor.rowcount:
        append_audit(
            conn, agent=by, action="portfolio.rule_delete", entity="portfolio_rule",
            entity_id=rule_id,
        )  # fmt: skip
    return cursor.rowcount == 1


def list_rules(conn: sqlite3.Connection) -> list[PortfolioRule]:
    rows = conn.execute(
        "SELECT r.id, a.login, r.segment, r.postal_prefix, r.min_overdue_cents,"
        " r.max_overdue_cents FROM portfolio_rules r JOIN agents a ON a.id = r.agent_id"
        " ORDER BY r.id"
    )
    return [PortfolioRule(*row) for row in rows]


def case_agent_id(conn: sqlite3.Connection, case_id: int) -> tuple[bool, int | None]:
    """(the case exists, the agent it is assigned to)."""
    row = conn.execute("SELECT assigned_agent_id FROM cases WHERE id = ?", (case_id,)).fetchone()
    return (False, None) if row is None else (True, row[0])


def assign_by_rules(conn: sqlite3.Connection) -> int:
    """Give every open, unassigned case to the agent of the first rule it matches."""
    cursor = conn.execute(
        f"""
        UPDATE cases SET assigned_agent_id = (
            SELECT r.agent_id FROM portfolio_rules r
            JOIN agents a ON a.id = r.agent_id AND a.active = 1
            WHERE {_RULE_MATCHES} ORDER BY r.id LIMIT 1),
            updated_at = :now
        WHERE assigned_agent_id IS NULL AND status = 'open'
          AND EXISTS (SELECT 1 FROM portfolio_rules r
                      JOIN agents a ON a.id = r.agent_id AND a.active = 1
                      WHERE {_RULE_MATCHES})
        """,
        {"now": utc_now_iso()},
    )
    return cursor.rowcount


def select_cases(
    conn: sqlite3.Connection,
    *,
    case_ids: Sequence[int] = (),
    from_agent_id: int | None = None,
    segment: str | None = None,
) -> list[tuple[int, int | None]]:
    """(case id, current agent id) of the open cases a reassignment targets."""
    clauses = ["status = 'open'"]
    params: list[object] = []
    if case_ids:
        clauses.append(f"id IN ({', '.join('?' for _ in case_ids)})")
        params.extend(case_ids)
    if from_agent_id is not None:
        clauses.append("assigned_agent_id = ?")
        params.append(from_agent_id)
    if segment is not None:
        clauses.append("segment = ?")
        params.append(segment)
    sql = "SELECT id, assigned_agent_id FROM cases WHERE " + " AND ".join(clauses)
    return [(row[0], row[1]) for row in conn.execute(sql, params)]


def reassign(
    conn: sqlite3.Connection, cases: Sequence[tuple[int, int | None]], to_agent_id: int, *, by: str
) -> int:
    """Move cases to another agent; one audit event per case (before and after)."""
    now = utc_now_iso()
    conn.executemany(
        "UPDATE cases SET assigned_agent_id = ?, updated_at = ?, version = version + 1"
        " WHERE id = ?",
        [(to_agent_id, now, case_id) for case_id, _ in cases],
    )
    for case_id, previous in cases:
        append_audit(
            conn,
            agent=by,
            action="case.reassign",
            entity="case",
            entity_id=case_id,
            before={"assigned_agent_id": previous},
            after={"assigned_agent_id": to_agent_id},
            at=now,
        )
    return len(cases)


def case_ids_of(conn: sqlite3.Connection, query: QueueQuery, limit: int) -> list[int]:
    """Ids of the open cases a queue view shows (same filters and search), best first,
    at most `limit` of them: the cases a bulk reassignment "of the current view" moves."""
    source, where, params = source_and_filters(query)  # the queue's own FROM and WHERE
    params["limit"] = limit
    sql = (
        f"SELECT c.id FROM {source} WHERE {' AND '.join(where)}"
        " ORDER BY c.urgency DESC, c.priority DESC, c.id DESC LIMIT :limit"
    )
    cursor = conn.cursor()
    cursor.row_factory = None
    return [int(row[0]) for row in cursor.execute(sql, params)]


# --- The workload tab: an agent's cases, and balancing a portfolio -----------------------------

_STAYS = """(
    (c.claimed_by IS NOT NULL AND c.claim_expires_at > :now)
    OR EXISTS (SELECT 1 FROM callbacks b WHERE b.case_id = c.id AND b.status = 'pending'
               AND b.due_at >= :day_start AND b.due_at < :day_end))"""


def agent_open_cases(conn: sqlite3.Connection, agent_id: int, limit: int) -> list[sqlite3.Row]:
    """The agent's open cases, most urgent first, with who holds each and its next callback."""
    return conn.execute(
        "SELECT c.id, d.reference, d.legal_name, c.segment, c.overdue_cents, c.urgency,"
        " c.oldest_due_date, h.login AS holder, c.claim_expires_at,"
        " (SELECT MIN(b.due_at) FROM callbacks b WHERE b.case_id = c.id"
        "   AND b.status = 'pending') AS next_callback"
        " FROM cases c INDEXED BY cases_agent_queue JOIN debtors d ON d.id = c.debtor_id"
        " LEFT JOIN agents h ON h.id = c.claimed_by"
        " WHERE c.assigned_agent_id = ? AND c.status = 'open'"
        " ORDER BY c.urgency DESC, c.priority DESC, c.id DESC LIMIT ?",
        (agent_id, limit),
    ).fetchall()


def portfolio_members(conn: sqlite3.Connection, segment: str | None) -> list[int]:
    """Active agents (role agent) of a portfolio: of one segment, those holding open cases of
    it or with a portfolio rule that covers it; of the whole book, every one."""
    if segment is None:
        sql = "SELECT id FROM agents WHERE active AND role = 'agent' ORDER BY id"
        return [int(row[0]) for row in conn.execute(sql)]
    rows = conn.execute(
        "SELECT id FROM agents a WHERE a.active AND a.role = 'agent' AND ("
        " EXISTS (SELECT 1 FROM cases c WHERE c.assigned_agent_id = a.id AND c.status = 'open'"
        "   AND c.segment = :segment)"
        " OR EXISTS (SELECT 1 FROM portfolio_rules r WHERE r.agent_id = a.id"
        "   AND (r.segment IS NULL OR r.segment = :segment))) ORDER BY id",
        {"segment": segment},
    )
    return [int(row[0]) for row in rows]


def balance_loads(
    conn: sqlite3.Connection,
    agent_ids: Sequence[int],
    segment: str | None,
    *,
    now: str,
    day_start: str,
    day_end: str,
) -> dict[int, tuple[int, int]]:
    """Per agent given: (open cases of the portfolio, how many of them must stay: held now,
    or with a callback due in [day_start, day_end))."""
    loads = dict.fromkeys(agent_ids, (0, 0))
    rows = conn.execute(
        f"SELECT c.assigned_agent_id, COUNT(*), SUM({_STAYS}) FROM cases c"
        " WHERE c.status = 'open' AND c.assigned_agent_id IS NOT NULL"
        " AND (:segment IS NULL OR c.segment = :segment) GROUP BY c.assigned_agent_id",
        {"segment": segment, "now": now, "day_start": day_start, "day_end": day_end},
    )
    for agent_id, count, stays in rows:
        if agent_id in loads:
            loads[agent_id] = (int(count), int(stays or 0))
    return loads


def unassigned_movable(
    conn: sqlite3.Connection, segment: str | None, *, now: str, day_start: str, day_end: str
) -> int:
    """Open cases of the portfolio with no agent yet (imported before any rule) that a balance
    may hand out: not held now, no callback today."""
    row = conn.execute(
        "SELECT COUNT(*) FROM cases c WHERE c.assigned_agent_id IS NULL AND c.status = 'open'"
        f" AND (:segment IS NULL OR c.segment = :segment) AND NOT {_STAYS}",
        {"segment": segment, "now": now, "day_start": day_start, "day_end": day_end},
    ).fetchone()
    return int(row[0])


def movable_cases(
    conn: sqlite3.Connection,
    agent_id: int | None,
    count: int,
    segment: str | None,
    *,
    now: str,
    day_start: str,
    day_end: str,
) -> list[tuple[int, int | None]]:
    """The agent's `count` open cases of the portfolio that matter least now (lowest urgency
    and priority), leaving those held and those with a callback today: they move first.
    `agent_id` None: the cases with no agent."""
    rows = conn.execute(
        "SELECT c.id, c.assigned_agent_id FROM cases c WHERE c.assigned_agent_id IS :agent"
        " AND c.status = 'open' AND (:segment IS NULL OR c.segment = :segment)"
        f" AND NOT {_STAYS} ORDER BY c.urgency, c.priority, c.id LIMIT :count",
        {"agent": agent_id, "count": count, "segment": segment, "now": now,
         "day_start": day_start, "day_end": day_end},
    )  # fmt: skip
    return [(int(case_id), agent) for case_id, agent in rows]


def segments_with_open_cases(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT DISTINCT segment FROM cases WHERE status = 'open' AND assigned_agent_id IS NOT NULL"
    )
    return [str(row[0]) for row in rows]
