"""The queries behind the supervisor's figures (services.reports assembles them).

Per-agent counts come from `agent_days`, one row per Paris business day and agent, kept up to
date by `refresh_agent_days`: it adds the rows written since its watermarks (`meta`
`reports.last.<table>`), whatever wrote them (a call, a dialog, an import, the seeder). Rows of
these tables are never updated in the columns it reads, and ids only grow, so the counts stay
exact without ever being recomputed. Day windows over stored timestamps are passed in as UTC
bounds (`domain.clock.day_start_utc`); dates (due, received, issued) compare as ISO days.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, timedelta

from relance_tui.domain.clock import paris_day_of
from relance_tui.storage.db import get_meta, set_meta

Row = sqlite3.Row

OUTCOMES = ("right_party", "wrong_person", "wrong_number", "voicemail", "no_answer", "refused")
COUNTED = (
    "calls", *OUTCOMES, "emails", "letters", "timed_calls", "talk_seconds", "handling_seconds",
    "promises", "promised_cents", "plans", "plan_cents", "disputes", "callbacks_set",
)  # fmt: skip

# (table, the SELECT of its new rows' day, agent and counts, the agent_days columns they add to)
_SOURCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "interactions",
        "SELECT paris_day(occurred_at) AS day, agent_id,"
        " SUM(channel = 'call'),"
        + "".join(f" SUM(channel = 'call' AND outcome = '{o}')," for o in OUTCOMES)
        + " SUM(channel = 'email'), SUM(channel IN ('letter', 'registered_letter')),"
        " SUM(handling_seconds IS NOT NULL), COALESCE(SUM(talk_seconds), 0),"
        " COALESCE(SUM(handling_seconds), 0), MIN(occurred_at), MAX(occurred_at)"
        " FROM interactions WHERE id > :low AND id <= :high AND agent_id IS NOT NULL"
        " GROUP BY 1, 2",
        (*COUNTED[:12], "first_at", "last_at"),
    ),
    (
        "promises",
        "SELECT paris_day(created_at), created_by, COUNT(*), SUM(amount_cents) FROM promises"
        " WHERE id > :low AND id <= :high AND created_by IS NOT NULL AND kind = 'promise'"
        " GROUP BY 1, 2",
        ("promises", "promised_cents"),
    ),
    (
        "payment_plans",
        "SELECT paris_day(created_at), created_by, COUNT(*), SUM(total_cents) FROM payment_plans"
        " WHERE id > :low AND id <= :high AND created_by IS NOT NULL GROUP BY 1, 2",
        ("plans", "plan_cents"),
    ),
    (
        "disputes",
        "SELECT opened_on, opened_by, COUNT(*) FROM disputes"
        " WHERE id > :low AND id <= :high AND opened_by IS NOT NULL GROUP BY 1, 2",
        ("disputes",),
    ),
    (
        "callbacks",
        "SELECT paris_day(created_at), created_by, COUNT(*) FROM callbacks"
        " WHERE id > :low AND id <= :high AND created_by IS NOT NULL GROUP BY 1, 2",
        ("callbacks_set",),
    ),
)


def _upsert_sql(columns: Sequence[str]) -> str:
    names = ", ".join(columns)
    marks = ", ".join("?" for _ in range(len(columns) + 2))
    updates = []
    for column in columns:
        if column == "first_at":
            updates.append(
                "first_at = CASE WHEN first_at IS NULL OR excluded.first_at < first_at"
                " THEN excluded.first_at ELSE first_at END"
            )
        elif column == "last_at":
            updates.append(
                "last_at = CASE WHEN last_at IS NULL OR excluded.last_at > last_at"
                " THEN excluded.last_at ELSE last_at END"
            )
        else:
            updates.append(f"{column} = {column} + excluded.{column}")
    return (
        f"INSERT INTO agent_days (day, agent_id, {names}) VALUES ({marks})"
        f" ON CONFLICT(day, agent_id) DO UPDATE SET {', '.join(updates)}"
    )


def behind(conn: sqlite3.Connection) -> bool:
    """Have rows been written since the last refresh? (A read: no lock taken.)"""
    for table, _select, _columns in _SOURCES:
        low = int(get_meta(conn, f"reports.last.{table}") or 0)
        if conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0] > low:
            return True
    return False


def refresh_agent_days(conn: sqlite3.Connection) -> int:
    """Add the rows written since the last refresh to `agent_days`; returns how many rows were
    read. Call inside a write transaction (two refreshes at once would count rows twice)."""
    conn.create_function("paris_day", 1, paris_day_of, deterministic=True)
    read = 0
    for table, select, columns in _SOURCES:
        watermark = f"reports.last.{table}"
        low = int(get_meta(conn, watermark) or 0)
        high = conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
        if high <= low:
            continue
        upsert = _upsert_sql(columns)
        rows = conn.execute(select, {"low": low, "high": high}).fetchall()
        conn.executemany(upsert, [tuple(row) for row in rows])
        set_meta(conn, watermark, str(high))
        read += high - low
    return read


def agent_totals(conn: sqlite3.Connection, first_day: str, last_day: str) -> list[Row]:
    """Per agent, the sums of `agent_days` over the days (first and last activity: min/max)."""
    sums = ", ".join(f"SUM({c}) AS {c}" for c in COUNTED)
    return conn.execute(
        f"SELECT agent_id, {sums}, MIN(first_at) AS first_at, MAX(last_at) AS last_at"
        " FROM agent_days WHERE day BETWEEN ? AND ? GROUP BY agent_id",
        (first_day, last_day),
    ).fetchall()


def cases_touched(conn: sqlite3.Connection, start: str, end: str) -> dict[int, int]:
    """Per agent, the distinct cases they wrote an interaction on in [start, end)."""
    rows = conn.execute(
        "SELECT agent_id, COUNT(DISTINCT case_id) FROM interactions INDEXED BY"
        " interactions_agent_case WHERE agent_id IN (SELECT id FROM agents)"
        " AND occurred_at >= ? AND occurred_at < ? GROUP BY agent_id",
        (start, end),
    )
    return {int(a): int(n) for a, n in rows}


def collected_by_agent(conn: sqlite3.Connection, first_day: str, last_day: str) -> dict[int, int]:
    """Per agent, the money received on the days on the debtors of the cases assigned to them."""
    rows = conn.execute(
        "SELECT c.assigned_agent_id, SUM(p.amount_cents) FROM payments p"
        " JOIN cases c ON c.debtor_id = p.debtor_id"
        " WHERE p.received_on BETWEEN ? AND ? AND c.assigned_agent_id IS NOT NULL"
        " GROUP BY c.assigned_agent_id",
        (first_day, last_day),
    )
    return {int(a): int(n) for a, n in rows}


def callbacks_due(conn: sqlite3.Connection, start: str, end: str, now: str) -> list[Row]:
    """Per agent who scheduled them, callbacks due in [start, end): done, and missed (still
    pending once their time has passed)."""
    return conn.execute(
        "SELECT created_by AS agent_id, SUM(status = 'done') AS done,"
        " SUM(status = 'pending' AND due_at < :now) AS missed FROM callbacks"
        " WHERE status IN ('done', 'pending') AND due_at >= :start AND due_at < :end"
        " AND created_by IS NOT NULL GROUP BY created_by",
        {"start": start, "end": end, "now": now},
    ).fetchall()


def agent_actions(conn: sqlite3.Connection, agent_id: int, start: str, end: str) -> list[Row]:
    """One agent's interactions in [start, end), oldest first, with the case, the debtor and
    what the call agreed (promise, plan)."""
    return conn.execute(
        "SELECT i.id, i.occurred_at, i.case_id, i.channel, i.outcome, i.notes, i.talk_seconds,"
        " i.handling_seconds, d.reference AS debtor_reference, d.legal_name,"
        " (SELECT SUM(amount_cents) FROM promises p WHERE p.interaction_id = i.id) AS promised,"
        " (SELECT SUM(total_cents) FROM payment_plans l WHERE l.interaction_id = i.id) AS planned,"
        " (SELECT COUNT(*) FROM disputes s WHERE s.case_id = i.case_id AND s.opened_by = i.agent_id"
        "   AND s.opened_on = substr(i.occurred_at, 1, 10)) AS disputes"
        " FROM interactions i JOIN cases c ON c.id = i.case_id JOIN debtors d ON d.id = c.debtor_id"
        " WHERE i.agent_id = ? AND i.occurred_at >= ? AND i.occurred_at < ?"
        " ORDER BY i.occurred_at, i.id",
        (agent_id, start, end),
    ).fetchall()


def active_agents(conn: sqlite3.Connection) -> list[Row]:
    return conn.execute(
        "SELECT id, login, display_name, role FROM agents WHERE active ORDER BY login"
    ).fetchall()


# --- The portfolio ----------------------------------------------------------------------------

_OPEN = "outstanding_cents > 0 AND status IN ('open', 'partially_paid')"


def aged_balance(conn: sqlite3.Connection, today: date) -> Row:
    """Money owed by days past due on `today` (see domain.kpi.bucket_of)."""
    edges = {f"d{n}": (today - timedelta(days=n)).isoformat() for n in (0, 30, 60, 90)}
    row: Row = conn.execute(
        "SELECT"
        " COALESCE(SUM(CASE WHEN due_date >= :d0 THEN outstanding_cents END), 0) AS not_due,"
        " COALESCE(SUM(CASE WHEN due_date < :d0 AND due_date >= :d30"
        "   THEN outstanding_cents END), 0) AS late_0_30,"
        " COALESCE(SUM(CASE WHEN due_date < :d30 AND due_date >= :d60"
        "   THEN outstanding_cents END), 0) AS late_31_60,"
        " COALESCE(SUM(CASE WHEN due_date < :d60 AND due_date >= :d90"
        "   THEN outstanding_cents END), 0) AS late_61_90,"
        " COALESCE(SUM(CASE WHEN due_date < :d90 THEN outstanding_cents END), 0) AS late_90"
        f" FROM invoices INDEXED BY invoices_open_due WHERE {_OPEN}",
        edges,
    ).fetchone()
    return row


def sales_between(conn: sqlite3.Connection, first_day: str, last_day: str) -> int:
    """Invoiced (not cancelled) between the days, from the covering index on the issue date."""
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM invoices INDEXED BY invoices_issued"
        " WHERE issue_date BETWEEN ? AND ? AND status <> 'cancelled'",
        (first_day, last_day),
    ).fetchone()
    return int(row[0])


def payments_between(conn: sqlite3.Connection, first_day: str, last_day: str) -> tuple[int, int]:
    """(received, applied to invoices) cents, payments received between the days."""
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0), COALESCE(SUM(allocated_cents), 0) FROM payments"
        " WHERE received_on BETWEEN ? AND ?",
        (first_day, last_day),
    ).fetchone()
    return int(row[0]), int(row[1])


def collected_per_day(conn: sqlite3.Connection, first_day: str, last_day: str) -> dict[str, int]:
    rows = conn.execute(
        "SELECT received_on, SUM(amount_cents) FROM payments WHERE received_on BETWEEN ? AND ?"
        " GROUP BY received_on",
        (first_day, last_day),
    )
    return {str(d): int(c) for d, c in rows}


def activity_per_day(conn: sqlite3.Connection, first_day: str, last_day: str) -> list[Row]:
    return conn.execute(
        "SELECT day, SUM(calls) AS calls, SUM(right_party) AS right_party,"
        " SUM(promised_cents) AS promised_cents FROM agent_days WHERE day BETWEEN ? AND ?"
        " GROUP BY day",
        (first_day, last_day),
    ).fetchall()


def promise_results(conn: sqlite3.Connection, first_day: str, last_day: str) -> list[Row]:
    """Promises (not payments claimed, not cancelled) due between the days, in groups: by the
    agent who made them, status, settled after their date or not, money in or not. Each group:
    how many, the amount promised, the money collected (received on the case from the day the
    promise was made until it was settled, or its date; at most the amount promised)."""
    return conn.execute(
        "SELECT created_by, status, late, paid > 0 AS paid_any, COUNT(*) AS promises,"
        " SUM(amount_cents) AS promised, SUM(MIN(paid, amount_cents)) AS collected FROM ("
        " SELECT p.created_by, p.status, p.amount_cents,"
        "  COALESCE(p.settled_on > p.due_date, 0) AS late,"
        "  (SELECT COALESCE(SUM(y.amount_cents), 0) FROM payments y"
        "   WHERE y.debtor_id = c.debtor_id AND y.received_on >= substr(p.created_at, 1, 10)"
        "   AND y.received_on <= COALESCE(p.settled_on, p.due_date)) AS paid"
        " FROM promises p JOIN cases c ON c.id = p.case_id"
        " WHERE p.kind = 'promise' AND p.status <> 'cancelled' AND p.due_date BETWEEN ? AND ?"
        ") GROUP BY 1, 2, 3, 4",
        (first_day, last_day),
    ).fetchall()


def open_disputes(conn: sqlite3.Connection) -> list[Row]:
    """Open disputes: the day opened and the money still owed on their invoices."""
    return conn.execute(
        "SELECT s.id, s.opened_on, COALESCE(SUM(i.outstanding_cents), 0) AS cents"
        " FROM disputes s LEFT JOIN dispute_invoices di ON di.dispute_id = s.id"
        " LEFT JOIN invoices i ON i.id = di.invoice_id WHERE s.status = 'open' GROUP BY s.id"
    ).fetchall()


def top_debtors(conn: sqlite3.Connection, limit: int) -> list[Row]:
    return conn.execute(
        "SELECT c.id AS case_id, d.reference, d.legal_name, c.overdue_cents, c.oldest_due_date,"
        " a.login AS agent FROM cases c INDEXED BY cases_overdue"
        " JOIN debtors d ON d.id = c.debtor_id LEFT JOIN agents a ON a.id = c.assigned_agent_id"
        " WHERE c.status = 'open' AND c.overdue_cents > 0 ORDER BY c.overdue_cents DESC, c.id"
        " LIMIT ?",
        (limit,),
    ).fetchall()


def save_portfolio_day(conn: sqlite3.Connection, day: str, buckets: Row, disputed: int) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO portfolio_days VALUES (?, ?, ?, ?, ?, ?, ?)",
        (day, *(int(buckets[i]) for i in range(5)), disputed),
    )


def portfolio_days(conn: sqlite3.Connection, first_day: str, last_day: str) -> list[Row]:
    return conn.execute(
        "SELECT * FROM portfolio_days WHERE day BETWEEN ? AND ? ORDER BY day",
        (first_day, last_day),
    ).fetchall()


# --- Now: workload and who is on what ------------------------------------------------------


def workload(conn: sqlite3.Connection) -> list[Row]:
    """Per agent with cases: open cases, urgent ones, money overdue."""
    return conn.execute(
        "SELECT assigned_agent_id AS agent_id, COUNT(*) AS open_cases,"
        " SUM(urgency > 0) AS urgent, COALESCE(SUM(overdue_cents), 0) AS overdue_cents"
        " FROM cases WHERE status = 'open' AND assigned_agent_id IS NOT NULL"
        " GROUP BY assigned_agent_id"
    ).fetchall()


def late_callbacks(conn: sqlite3.Connection, now: str) -> dict[int, int]:
    """Per agent, the pending callbacks of their cases whose time has passed."""
    rows = conn.execute(
        "SELECT k.assigned_agent_id, COUNT(*) FROM callbacks b JOIN cases k ON k.id = b.case_id"
        " WHERE b.status = 'pending' AND b.due_at < ? AND k.assigned_agent_id IS NOT NULL"
        " GROUP BY k.assigned_agent_id",
        (now,),
    )
    return {int(a): int(n) for a, n in rows}


def claims(conn: sqlite3.Connection, now: str) -> list[Row]:
    """Cases held now: by whom, since when, on which debtor."""
    return conn.execute(
        "SELECT c.claimed_by AS agent_id, c.id AS case_id, c.claimed_at, d.reference,"
        " d.legal_name FROM cases c INDEXED BY cases_claimed JOIN debtors d ON d.id = c.debtor_id"
        " WHERE c.claimed_by IS NOT NULL AND c.claim_expires_at > ?",
        (now,),
    ).fetchall()


def calls_in_progress(conn: sqlite3.Connection, since: str) -> dict[int, str]:
    """Per agent, the start of their unfinished call (the newest draft written since `since`:
    older ones were left by a dropped session)."""
    rows = conn.execute(
        "SELECT agent_id, MAX(json_extract(data, '$.started_at')) FROM call_drafts"
        " WHERE updated_at >= ? GROUP BY agent_id",
        (since,),
    )
    return {int(a): str(s) for a, s in rows if s}
