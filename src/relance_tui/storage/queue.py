"""The queue's SQL: score inputs and updates, keyset pages, counts, search.

Pages are keyset pages over the `cases_queue` / `cases_agent_queue` indexes:
`WHERE (urgency, priority, id) < (?, ?, ?) ORDER BY urgency DESC, priority DESC, id DESC LIMIT n`,
and the same reversed (`>` … `ASC`) to read backwards from any row or from the end, so reaching
the last row never needs an OFFSET. Filters and search only add fixed SQL fragments whose values
are bound as parameters.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

# --- Scoring inputs -------------------------------------------------------------------------

# Column order of the rows `read_score_inputs` returns (plain tuples: 100 000 of them are read).
SCORE_INPUT_COLUMNS: tuple[str, ...] = (
    "id",
    "status",
    "overdue_cents",
    "oldest_due_date",
    "prescription_on",
    "stage",
    "last_visit_at",
    "urgency",
    "priority",
    "score_parts",
    "scored_on",
    "segment",
    "payer_type",
    "avg_days_late",
    "promises_broken",
    "promises_kept",
    "strategic",
    "risk_score",
    "callback_due",
    "promise_due_today",
    "promise_broken_on",
    "installment_due_today",
    "installment_missed_on",
    "worked_today",
    "recent_days_late",
)

_SCORE_INPUTS = """
SELECT c.id, c.status, c.overdue_cents, c.oldest_due_date, c.prescription_on, c.stage,
       c.last_visit_at, c.urgency, c.priority, c.score_parts, c.scored_on, c.segment,
       d.payer_type, d.avg_days_late, d.promises_broken + 0.5 * d.promises_partly_kept,
       d.promises_kept + 0.5 * d.promises_partly_kept, d.strategic,
       d.risk_score,
       cb.case_id IS NOT NULL, COALESCE(pr.due_today, 0), pr.broken_on,
       COALESCE(pi.due_today, 0), pi.missed_on,
       COALESCE(c.last_contact_at >= :day_start, 0), d.recent_days_late
FROM cases c
JOIN debtors d ON d.id = c.debtor_id
LEFT JOIN (
    SELECT case_id FROM callbacks {callbacks_index}
    WHERE status = 'pending' AND due_at <= :now {case_filter}
    GROUP BY case_id
) cb ON cb.case_id = c.id
LEFT JOIN (
    SELECT case_id,
           MAX(status = 'pending' AND due_date = :today) AS due_today,
           MAX(CASE WHEN status <> 'pending'
                    THEN COALESCE(settled_on, date(due_date, '+1 day'))
                    WHEN due_date < :today THEN date(due_date, '+1 day') END) AS broken_on
    FROM promises {promises_index}
    WHERE ((status = 'pending' AND due_date <= :today) OR status = 'broken'
           OR (status = 'partly_kept' AND rest_paid_on IS NULL)) {case_filter}
    GROUP BY case_id
) pr ON pr.case_id = c.id
LEFT JOIN (
    SELECT pp.case_id AS case_id,
           MAX(i.status = 'pending' AND i.due_date = :today) AS due_today,
           MAX(CASE WHEN i.status = 'missed' OR i.due_date < :today
                    THEN date(i.due_date, '+1 day') END) AS missed_on
    FROM plan_installments i
    JOIN payment_plans pp {plans_index} ON pp.id = i.plan_id
    WHERE pp.status IN ('active', 'broken')
      AND ((i.status = 'pending' AND i.due_date <= :today) OR i.status = 'missed')
      {plan_filter}
    GROUP BY pp.case_id
) pi ON pi.case_id = c.id
WHERE {where}
"""

# The same row for one case, with scalar subqueries: the grouped subqueries above make SQLite
# build three automatic indexes each time (~1 ms, inside the write lock of every call recorded).
# CROSS JOIN keeps the case's plans as the outer loop (else all due installments are scanned).
_ONE_CASE_SCORE_INPUTS = """
SELECT c.id, c.status, c.overdue_cents, c.oldest_due_date, c.prescription_on, c.stage,
       c.last_visit_at, c.urgency, c.priority, c.score_parts, c.scored_on, c.segment,
       d.payer_type, d.avg_days_late, d.promises_broken + 0.5 * d.promises_partly_kept,
       d.promises_kept + 0.5 * d.promises_partly_kept, d.strategic,
       d.risk_score,
       EXISTS (SELECT 1 FROM callbacks INDEXED BY callbacks_case
               WHERE case_id = :id AND status = 'pending' AND due_at <= :now),
       COALESCE((SELECT MAX(status = 'pending' AND due_date = :today)
                 FROM promises INDEXED BY promises_case WHERE case_id = :id
                 AND ((status = 'pending' AND due_date <= :today) OR status = 'broken'
                      OR (status = 'partly_kept' AND rest_paid_on IS NULL))), 0),
       (SELECT MAX(CASE WHEN status <> 'pending'
                        THEN COALESCE(settled_on, date(due_date, '+1 day'))
                        WHEN due_date < :today THEN date(due_date, '+1 day') END)
        FROM promises INDEXED BY promises_case WHERE case_id = :id
        AND ((status = 'pending' AND due_date <= :today) OR status = 'broken'
             OR (status = 'partly_kept' AND rest_paid_on IS NULL))),
       COALESCE((SELECT MAX(i.status = 'pending' AND i.due_date = :today)
                 FROM payment_plans pp INDEXED BY payment_plans_case
                 CROSS JOIN plan_installments i ON i.plan_id = pp.id
                 WHERE pp.case_id = :id AND pp.status IN ('active', 'broken')
                 AND ((i.status = 'pending' AND i.due_date <= :today) OR i.status = 'missed')), 0),
       (SELECT MAX(CASE WHEN i.status = 'missed' OR i.due_date < :today
                        THEN date(i.due_date, '+1 day') END)
        FROM payment_plans pp INDEXED BY payment_plans_case
        CROSS JOIN plan_installments i ON i.plan_id = pp.id
        WHERE pp.case_id = :id AND pp.status IN ('active', 'broken')
        AND ((i.status = 'pending' AND i.due_date <= :today) OR i.status = 'missed')),
       COALESCE(c.last_contact_at >= :day_start, 0), d.recent_days_late
FROM cases c
JOIN debtors d ON d.id = c.debtor_id
WHERE c.id = :id
"""


def read_score_inputs(
    conn: sqlite3.Connection,
    *,
    now_iso: str,
    today_iso: str,
    day_start_iso: str,
    case_ids: Sequence[int] | None = None,
) -> list[tuple[object, ...]]:
    """One joined read of everything the score needs (rows in SCORE_INPUT_COLUMNS order).

    `day_start_iso`: the business day's first moment (UTC): a case contacted since was worked
    today.

    All open cases when `case_ids` is None; otherwise those cases, open or closed.
    """
    params: dict[str, object] = {"now": now_iso, "today": today_iso, "day_start": day_start_iso}
    if case_ids is not None and len(set(case_ids)) == 1:  # after each write on a case
        cursor = conn.cursor()
        cursor.row_factory = None
        return cursor.execute(_ONE_CASE_SCORE_INPUTS, {**params, "id": case_ids[0]}).fetchall()
    if case_ids is None:
        sql = _SCORE_INPUTS.format(
            case_filter="",
            plan_filter="",
            where="c.status = 'open'",
            callbacks_index="",
            promises_index="",
            plans_index="",
        )
    else:
        params["ids"] = json.dumps(sorted(set(case_ids)))
        ids = "(SELECT value FROM json_each(:ids))"
        sql = _SCORE_INPUTS.format(
            case_filter=f"AND case_id IN {ids}",
            plan_filter=f"AND pp.case_id IN {ids}",
            where=f"c.id IN {ids}",
            # Left to itself SQLite reads every due callback, promise and installment through
            # the (status, due) indexes and then keeps this case's: ~7 ms for one case.
            callbacks_index="INDEXED BY callbacks_case",
            promises_index="INDEXED BY promises_case",
            plans_index="INDEXED BY payment_plans_case",
        )
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params).fetchall()


def write_scores(
    conn: sqlite3.Connection, rows: Iterable[tuple[int, float, str, str, int]]
) -> None:
    """(urgency, priority, score_parts JSON, scored_on, case id) for cases whose rank moved."""
    conn.executemany(
        "UPDATE cases SET urgency = ?, priority = ?, score_parts = ?, scored_on = ? WHERE id = ?",
        rows,
    )


def write_scored_on(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, int]]) -> None:
    """(score_parts JSON, scored_on, case id) for cases whose rank did not move.

    Leaves urgency and priority alone so the queue indexes are not rewritten.
    """
    conn.executemany("UPDATE cases SET score_parts = ?, scored_on = ? WHERE id = ?", rows)


def stale_case_ids(conn: sqlite3.Connection, *, now_iso: str) -> list[int]:
    """Open cases needing a new score: changed since scored, or with a callback now due."""
    rows = conn.execute(
        "SELECT id FROM cases WHERE status = 'open' AND scored_on IS NULL"
        " UNION "
        "SELECT c.id FROM callbacks cb JOIN cases c ON c.id = cb.case_id"
        " WHERE cb.status = 'pending' AND cb.due_at <= ? AND c.status = 'open' AND c.urgency < 3",
        (now_iso,),
    ).fetchall()
    return [int(row[0]) for row in rows]


# --- Reading the queue ----------------------------------------------------------------------

Key = tuple[int, float, int]  # (urgency, priority, case id): the queue's sort key


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """Which cases a queue view shows. Built by services.queue from what the user typed."""

    agent_id: int | None = None  # None: every agent's cases
    stage: str | None = None
    segment: str | None = None
    min_overdue_cents: int | None = None
    debtor_ids: tuple[int, ...] | None = None  # search matches (None: no search)
    name_pattern: str | None = None  # broad name search, a LIKE pattern (with `\` escapes)

    @property
    def searching(self) -> bool:
        return self.debtor_ids is not None or self.name_pattern is not None


class QueueRow(NamedTuple):
    """A queue row as read (a tuple: a page of them is made straight from the SQL rows)."""

    id: int
    debtor_id: int
    debtor_name: str
    debtor_reference: str
    segment: str
    stage: str
    overdue_cents: int
    disputed_cents: int
    oldest_due_date: str | None
    open_invoices: int
    next_action: str
    next_action_on: str | None
    urgency: int
    priority: float
    score_parts: str  # JSON {part: share}
    agent_login: str | None
    payer_type: str
    strategic: int  # 1: a strategic debtor (as stored)
    risk_score: int
    claimed_by: str | None = None  # who holds the case (a call in progress), if anyone
    claimed_at: str | None = None
    claim_expires_at: str | None = None

    def held_by_other(self, me: str, now_iso: str) -> bool:
        """Someone else is working the case right now (expired claims do not count)."""
        return (
            self.claimed_by is not None
            and self.claimed_by != me
            and (self.claim_expires_at or "") >= now_iso
        )

    @property
    def key(self) -> Key:
        return (self.urgency, self.priority, self.id)

    def parts(self) -> dict[str, float]:
        try:
            data = json.loads(self.score_parts or "{}")
        except ValueError:
            return {}
        return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


# In QueueRow's field order; the schema's NOT NULL columns give each field its type.
_ROW_COLUMNS = """c.id, c.debtor_id, d.legal_name, d.reference, c.segment, c.stage,
       c.overdue_cents, c.disputed_cents, c.oldest_due_date, c.open_invoices, c.next_action,
       c.next_action_on, c.urgency, c.priority, c.score_parts, a.login, d.payer_type,
       d.strategic, d.risk_score, h.login, c.claimed_at, c.claim_expires_at"""
_HOLDER_JOIN = " LEFT JOIN agents h ON h.id = c.claimed_by"


_NAME_MATCHES = (
    "SELECT id FROM debtors WHERE legal_name LIKE :pattern ESCAPE '\\'"
    " UNION SELECT value FROM json_each(:ids)"
)


def source_and_filters(
    query: QueueQuery, *, unordered: bool = False
) -> tuple[str, list[str], dict[str, object]]:
    """FROM clause, WHERE conditions and parameters for a query (fixed SQL, bound values).

    `unordered`: for a count, which needs no queue order. A broad name search then starts from
    the matching debtors and finds their cases by debtor id, instead of walking every open case
    in queue order and testing it (~25 ms instead of ~75 ms for "sarl" at 100 000 debtors).
    """
    params: dict[str, object] = {}
    where = ["c.status = 'open'"]
    source = "cases c"
    if query.name_pattern is not None:
        params["pattern"] = query.name_pattern
        params["ids"] = json.dumps(list(query.debtor_ids or ()))
        if unordered:
            source = f"({_NAME_MATCHES}) AS m CROSS JOIN cases c ON c.debtor_id = m.id"
        else:
            where.append(f"c.debtor_id IN ({_NAME_MATCHES})")
    elif query.debtor_ids is not None:
        # Few matches: start from them (unique index on debtor_id) and sort what is found.
        params["ids"] = json.dumps(list(query.debtor_ids))
        source = "json_each(:ids) AS m CROSS JOIN cases c ON c.debtor_id = m.value"
    if query.agent_id is not None:
        params["agent"] = query.agent_id
        where.append("c.assigned_agent_id = :agent")
    if query.stage is not None:
        params["stage"] = query.stage
        where.append("c.stage = :stage")
    if query.segment is not None:
        params["segment"] = query.segment
        where.append("c.segment = :segment")
    if query.min_overdue_cents is not None:
        params["min_overdue"] = query.min_overdue_cents
        where.append("c.overdue_cents >= :min_overdue")
    return source, where, params


def _page_sql(query: QueueQuery, *, forward: bool, keyed: bool) -> tuple[str, dict[str, object]]:
    source, where, params = source_and_filters(query)
    if keyed:
        where.append(
            "(c.urgency, c.priority, c.id) < (:k_urgency, :k_priority, :k_id)"
            if forward
            else "(c.urgency, c.priority, c.id) > (:k_urgency, :k_priority, :k_id)"
        )
    order = (
        "c.urgency DESC, c.priority DESC, c.id DESC"
        if forward
        else "c.urgency ASC, c.priority ASC, c.id ASC"
    )
    sql = (
        f"SELECT {_ROW_COLUMNS} FROM {source}"
        " JOIN debtors d ON d.id = c.debtor_id"
        " LEFT JOIN agents a ON a.id = c.assigned_agent_id"
        + _HOLDER_JOIN
        + f" WHERE {' AND '.join(where)} ORDER BY {order} LIMIT :limit OFFSET :offset"
    )
    return sql, params


def fetch_after(
    conn: sqlite3.Connection,
    query: QueueQuery,
    after: Key | None = None,
    limit: int = 100,
    *,
    skip: int = 0,
) -> list[QueueRow]:
    """The rows that follow `after` in queue order (from the top when None), best first.

    `skip` > 0 is only for jumps far from any known row (a scrollbar drag); paging never needs it.
    """
    sql, params = _page_sql(query, forward=True, keyed=after is not None)
    _bind_key(params, after)
    params["limit"] = limit
    params["offset"] = skip
    return [QueueRow._make(raw) for raw in _plain(conn).execute(sql, params)]


def fetch_before(
    conn: sqlite3.Connection,
    query: QueueQuery,
    before: Key | None = None,
    limit: int = 100,
    *,
    skip: int = 0,
) -> list[QueueRow]:
    """The `limit` rows just above `before` (the end of the queue when None), in queue order."""
    sql, params = _page_sql(query, forward=False, keyed=before is not None)
    _bind_key(params, before)
    params["limit"] = limit
    params["offset"] = skip
    rows = [QueueRow._make(raw) for raw in _plain(conn).execute(sql, params)]
    rows.reverse()
    return rows


def page_plan(conn: sqlite3.Connection, query: QueueQuery, *, forward: bool = True) -> str:
    """EXPLAIN QUERY PLAN of a keyed page (tests check that it walks the queue index)."""
    sql, params = _page_sql(query, forward=forward, keyed=True)
    _bind_key(params, (0, 0.0, 0))
    params["limit"] = 1
    params["offset"] = 0
    return "\n".join(str(row[-1]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def _bind_key(params: dict[str, object], key: Key | None) -> None:
    if key is not None:
        params["k_urgency"], params["k_priority"], params["k_id"] = key


def _plain(conn: sqlite3.Connection) -> sqlite3.Cursor:
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor


def count(conn: sqlite3.Connection, query: QueueQuery) -> tuple[int, int]:
    """(cases, urgent cases) the query shows."""
    source, where, params = source_and_filters(query, unordered=True)
    row = (
        _plain(conn)
        .execute(
            f"SELECT COUNT(*), COALESCE(SUM(c.urgency > 0), 0) FROM {source}"
            f" WHERE {' AND '.join(where)}",
            params,
        )
        .fetchone()
    )
    return int(row[0]), int(row[1])


def get_row(conn: sqlite3.Connection, case_id: int) -> QueueRow | None:
    raw = (
        _plain(conn)
        .execute(
            f"SELECT {_ROW_COLUMNS} FROM cases c JOIN debtors d ON d.id = c.debtor_id"
            " LEFT JOIN agents a ON a.id = c.assigned_agent_id" + _HOLDER_JOIN + " WHERE c.id = ?",
            (case_id,),
        )
        .fetchone()
    )
    return None if raw is None else QueueRow._make(raw)


def rows_for_debtors(
    conn: sqlite3.Connection, debtor_ids: Sequence[int], limit: int = 20
) -> list[QueueRow]:
    """Open cases of these debtors, best first (the command palette's hits)."""
    sql, params = _page_sql(QueueQuery(debtor_ids=tuple(debtor_ids)), forward=True, keyed=False)
    params["limit"] = limit
    params["offset"] = 0
    return [QueueRow._make(raw) for raw in _plain(conn).execute(sql, params)]


# --- Search ---------------------------------------------------------------------------------

_PREFIX_END = "\U0010ffff"


def debtors_by_key(
    conn: sqlite3.Connection,
    *,
    exact: Sequence[str],
    prefix: str | None = None,
    siren: str | None = None,
    e164: str | None = None,
    limit: int = 1000,
) -> list[int]:
    """Debtors whose reference or invoice number is one of `exact` (or starts with `prefix`),
    whose SIREN is `siren`, or who have a contact reachable at `e164`. Indexed lookups only."""
    parts: list[str] = []
    params: dict[str, object] = {"limit": limit}
    for number, value in enumerate(dict.fromkeys(exact)):
        params[f"x{number}"] = value
        parts.append(f"SELECT id FROM debtors WHERE reference = :x{number}")
        parts.append(f"SELECT debtor_id FROM invoices WHERE number = :x{number}")
    if prefix:
        params["p_lo"], params["p_hi"] = prefix, prefix + _PREFIX_END
        parts.append("SELECT id FROM debtors WHERE reference >= :p_lo AND reference < :p_hi")
        parts.append("SELECT debtor_id FROM invoices WHERE number >= :p_lo AND number < :p_hi")
    if siren:
        params["siren"] = siren
        parts.append("SELECT id FROM debtors WHERE siren = :siren")
    if e164:
        params["e164"] = e164
        parts.append(
            "SELECT ct.debtor_id FROM phones p JOIN contacts ct ON ct.id = p.contact_id"
            " WHERE p.e164 = :e164"
        )
    if not parts:
        return []
    sql = " UNION ".join(parts) + " LIMIT :limit"
    return [int(row[0]) for row in _plain(conn).execute(sql, params)]


def debtors_by_name(conn: sqlite3.Connection, pattern: str, limit: int) -> list[tuple[int, str]]:
    """(id, legal name) of debtors whose name is LIKE `pattern` (`\\` escapes), at most `limit`.

    Scans the narrow `debtors_name` index rather than the table: ~10 ms at 100 000 debtors.
    """
    return [
        (int(row[0]), str(row[1]))
        for row in _plain(conn).execute(
            "SELECT id, legal_name FROM debtors WHERE legal_name LIKE ? ESCAPE '\\' LIMIT ?",
            (pattern, limit),
        )
    ]
