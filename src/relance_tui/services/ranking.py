"""Scores are precomputed (docs/architecture.md, "The queue is precomputed"): this module computes
and stores each case's urgency, priority and score parts.

`refresh_scores` re-scores given cases (after a call, a promise, an import) or all open cases;
every service that changes a case calls it in its own transaction. Reading the queue and deciding
when to refresh is services.queue.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, time

from relance_tui.config import ScoringSettings, Settings
from relance_tui.domain.clock import PARIS, business_day, utc_iso
from relance_tui.domain.scoring import PARTS, Scorer, ScoringParams, Urgency, parts_json, urgency_of
from relance_tui.storage import queue as store
from relance_tui.storage.db import get_meta, set_meta, transaction

META_SCORED_DAY = "queue.scored_day"
META_SCORING = "queue.scoring_fingerprint"


def scoring_params(settings: ScoringSettings) -> ScoringParams:
    weights = settings.weights
    return ScoringParams(
        weights={name: float(getattr(weights, name)) for name in PARTS},
        amount_reference_cents=round(settings.amount_reference_euros * 100),
        age_reference_days=settings.age_reference_days,
        strategic_bonus=settings.strategic_bonus,
        prescription_window_days=settings.prescription_window_days,
    )


def _visit_day(last_visit_at: object) -> date | None:
    if not last_visit_at:
        return None
    try:
        moment = datetime.fromisoformat(str(last_visit_at))
    except ValueError:
        return None
    return business_day(moment)


def _compute(
    rows: Sequence[Sequence[object]], params: ScoringParams, today: date
) -> tuple[list[tuple[int, float, str, str, int]], list[tuple[str, str, int]]]:
    """Scores for the rows of `read_score_inputs`: (rank moved, rank unchanged) update rows."""
    scored_on = today.isoformat()
    moved: list[tuple[int, float, str, str, int]] = []
    unchanged: list[tuple[str, str, int]] = []
    scorer = Scorer(params, today)
    values = scorer.values
    contributions = scorer.contributions
    zero_parts = parts_json((0.0,) * len(PARTS))
    for row in rows:
        (case_id, status, overdue, oldest, prescription, stage, last_visit, old_urgency,
         old_priority, _old_parts, _scored_on, segment, payer_type, avg_days_late, broken,
         kept, strategic, risk, callback_due, promise_today, promise_broken_on,
         installment_today, installment_missed_on, worked_today,
         recent_days_late) = row  # fmt: skip
        if status != "open":
            urgency, priority, parts = 0, 0.0, zero_parts
        else:
            raw_priority, shares = contributions(
                values(overdue, oldest, payer_type, avg_days_late, broken, kept, segment,  # type: ignore[arg-type]
                       strategic, risk, prescription, stage, recent_days_late)  # type: ignore[arg-type]
            )  # fmt: skip
            priority = round(raw_priority, 4)
            parts = parts_json(shares)
            # urgency_of's rules, written out: most rows need none of its inputs parsed.
            if callback_due:
                urgency = Urgency.CALLBACK_DUE
            elif worked_today:
                urgency = Urgency.WORKED_TODAY
            elif promise_today or installment_today:
                urgency = Urgency.PROMISE_DUE
            elif promise_broken_on or installment_missed_on:
                broken_days = [str(d) for d in (promise_broken_on, installment_missed_on) if d]
                urgency = urgency_of(
                    callback_due=False,
                    promise_due_today=False,
                    last_broken_on=date.fromisoformat(max(broken_days)),
                    last_visit_on=_visit_day(last_visit),
                )
            else:
                urgency = Urgency.NONE
        if urgency == old_urgency and priority == old_priority:
            unchanged.append((parts, scored_on, case_id))  # type: ignore[arg-type]
        else:
            moved.append((int(urgency), priority, parts, scored_on, case_id))  # type: ignore[arg-type]
    return moved, unchanged


def _refresh(
    conn: sqlite3.Connection, params: ScoringParams, now: datetime, case_ids: Sequence[int] | None
) -> int:
    today = business_day(now)
    day_start = datetime.combine(today, time(), tzinfo=PARIS)
    rows = store.read_score_inputs(
        conn,
        now_iso=utc_iso(now),
        today_iso=today.isoformat(),
        day_start_iso=utc_iso(day_start),
        case_ids=case_ids,
    )
    moved, unchanged = _compute(rows, params, today)
    store.write_scores(conn, moved)
    store.write_scored_on(conn, unchanged)
    if case_ids is None:
        set_meta(conn, META_SCORED_DAY, today.isoformat())
        set_meta(conn, META_SCORING, params.fingerprint())
    return len(rows)


def refresh_scores(
    conn: sqlite3.Connection,
    settings: Settings,
    now: datetime,
    case_ids: Sequence[int] | None = None,
) -> int:
    """Recompute urgency, priority, score parts and `scored_on` of these cases (all open cases
    when None). Returns how many cases were scored.

    Runs in the caller's transaction when there is one, else in its own `BEGIN IMMEDIATE`.
    A full refresh also records the day and the scoring fingerprint in `meta`.
    """
    if case_ids is not None and not case_ids:
        return 0
    params = scoring_params(settings.scoring)
    if conn.in_transaction:
        return _refresh(conn, params, now, case_ids)
    with transaction(conn):
        return _refresh(conn, params, now, case_ids)


def needs_full_refresh(conn: sqlite3.Connection, settings: Settings, now: datetime) -> bool:
    fingerprint = scoring_params(settings.scoring).fingerprint()
    return (
        get_meta(conn, META_SCORED_DAY) != business_day(now).isoformat()
        or get_meta(conn, META_SCORING) != fingerprint
    )


def rerank_everything(conn: sqlite3.Connection, settings: Settings, now: datetime) -> int:
    """Score every case, in the caller's transaction; records the day and the fingerprint."""
    return _refresh(conn, scoring_params(settings.scoring), now, None)
