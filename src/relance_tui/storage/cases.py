"""Case aggregates: which debtors have money overdue, how much, since when.

Set-based SQL, so it stays fast at 1 000 000 invoices. Scores are computed elsewhere
(services.queue); this marks the cases it changes as needing a new score (`scored_on = NULL`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date

from relance_tui.storage.db import utc_now_iso

_OVERDUE = (
    "i.outstanding_cents > 0 AND i.status IN ('open', 'partially_paid') AND i.due_date < :today"
)

_UPSERT_CASES = f"""
INSERT INTO cases (debtor_id, segment, overdue_cents, disputed_cents, oldest_due_date,
                   open_invoices, prescription_on, created_at, updated_at)
SELECT agg.debtor_id, d.segment, agg.overdue, agg.disputed, agg.oldest, agg.invoices,
       CASE WHEN d.segment = 'consumer' THEN date(agg.oldest_any, '+2 years')
            ELSE date(agg.oldest_any, '+5 years') END,
       :now, :now
FROM (
    SELECT i.debtor_id,
           SUM(CASE WHEN i.in_dispute = 0 THEN i.outstanding_cents ELSE 0 END) AS overdue,
           SUM(CASE WHEN i.in_dispute = 1 THEN i.outstanding_cents ELSE 0 END) AS disputed,
           MIN(CASE WHEN i.in_dispute = 0 THEN i.due_date END) AS oldest,
           MIN(i.due_date) AS oldest_any,
           COUNT(*) AS invoices
    FROM invoices i
    WHERE {_OVERDUE} {{debtor_filter}}
    GROUP BY i.debtor_id
) AS agg
JOIN debtors d ON d.id = agg.debtor_id
WHERE true
ON CONFLICT (debtor_id) DO UPDATE SET
    segment = excluded.segment,
    overdue_cents = excluded.overdue_cents,
    disputed_cents = excluded.disputed_cents,
    oldest_due_date = excluded.oldest_due_date,
    open_invoices = excluded.open_invoices,
    prescription_on = COALESCE(cases.prescription_on, excluded.prescription_on),
    status = 'open',
    stage = CASE WHEN cases.stage = 'closed' THEN 'friendly_reminder' ELSE cases.stage END,
    dunning_cycle = cases.dunning_cycle + (cases.status = 'closed'),
    scored_on = NULL,
    updated_at = excluded.updated_at
WHERE cases.overdue_cents IS NOT excluded.overdue_cents
   OR cases.disputed_cents IS NOT excluded.disputed_cents
   OR cases.oldest_due_date IS NOT excluded.oldest_due_date
   OR cases.open_invoices IS NOT excluded.open_invoices
   OR cases.segment IS NOT excluded.segment
   OR cases.status <> 'open'
"""

_CLOSE_PAID_CASES = f"""
UPDATE cases SET status = 'closed', stage = 'closed', overdue_cents = 0, disputed_cents = 0,
                 oldest_due_date = NULL, open_invoices = 0, urgency = 0, priority = 0,
                 scored_on = NULL, updated_at = :now
WHERE status = 'open' {{case_filter}}
  AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.debtor_id = cases.debtor_id AND {_OVERDUE})
"""


def sync_cases(
    conn: sqlite3.Connection, today: date, debtor_ids: Sequence[int] | None = None
) -> None:
    """Open, update or close cases from the invoices. Call it inside the write's transaction."""
    params: dict[str, object] = {"today": today.isoformat(), "now": utc_now_iso()}
    debtor_filter = case_filter = ""
    if debtor_ids is not None:
        if not debtor_ids:
            return
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS sync_debtors (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM sync_debtors")
        conn.executemany(
            "INSERT OR IGNORE INTO sync_debtors (id) VALUES (?)", ((i,) for i in debtor_ids)
        )
        debtor_filter = "AND i.debtor_id IN (SELECT id FROM sync_debtors)"
        case_filter = "AND debtor_id IN (SELECT id FROM sync_debtors)"
    conn.execute(_UPSERT_CASES.format(debtor_filter=debtor_filter), params)
    conn.execute(_CLOSE_PAID_CASES.format(case_filter=case_filter), params)
