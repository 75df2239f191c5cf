"""The dunning ladder's use cases: where a case stands, which steps are due today (the batch's
list), and manual holds. The decision is domain.ladder's; the records storage.dunning's."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from relance_tui.config import DunningSettings, LadderStep, Settings
from relance_tui.domain.enums import Stage
from relance_tui.domain.ladder import (
    Decision,
    LadderState,
    decide,
    pre_reminder_due,
    pre_reminder_step,
    sequence_for,
)
from relance_tui.domain.permissions import Permission
from relance_tui.i18n import t
from relance_tui.services.permissions import require_login
from relance_tui.storage import dunning as store
from relance_tui.storage.db import append_audit, transaction, utc_now_iso

_STAGES = {stage.value: stage for stage in Stage}


def _day(value: object) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def state_from_row(row: sqlite3.Row) -> LadderState:
    # (Most of these columns are NULL for most cases: tested before a call, 100 000 times.)
    done: dict[Stage, date] = {}
    if row["done"] and row["done"] != "[]":
        for step, day in json.loads(row["done"]):
            when = _day(day)
            if when is not None and step in _STAGES:
                done[_STAGES[step]] = when
    hold = json.loads(row["manual_hold"]) if row["manual_hold"] else None
    hold_until = _day(hold[1]) if hold else None
    plan = row["plan_until"]
    promise = row["promise_until"]
    insolvency = row["insolvency_since"]
    notice = row["notice_deadline"]
    return LadderState(
        case_id=row["id"],
        segment=row["segment"],
        strategic=bool(row["strategic"]),
        stage=_STAGES[row["stage"]],
        oldest_due=_day(row["oldest_due_date"]),
        overdue_cents=row["overdue_cents"],
        disputed_cents=row["disputed_cents"],
        insolvency_since=_day(insolvency) if insolvency else None,
        manual_hold=(str(hold[0]), hold_until) if hold and hold_until else None,
        promise_until=_day(promise) if promise else None,
        plan_until=(date.max if plan == "9999-12-31" else _day(plan)) if plan else None,
        done=done,
        supervisor_hold=row["supervisor_hold"],
        prescription_on=_day(row["prescription_on"]),
        notice_deadline=_day(notice) if notice else None,
    )


@dataclass(slots=True)  # not frozen: 5× cheaper to make, and the batch makes 100 000
class DueStep:
    """A step to perform today, for one debtor."""

    key: str
    debtor_id: int
    case_id: int | None
    cycle: int
    reference: str
    name: str
    segment: str
    step: LadderStep
    due_on: date
    amount_cents: int  # overdue (a pre-reminder: falling due)
    invoices: tuple[int, ...] = ()  # a pre-reminder's invoices; the ladder's are read when sent
    prescription_close: bool = False


def step_key(case_id: int, cycle: int, step: str) -> str:
    return f"case:{case_id}:{cycle}:{step}"


def case_decision(
    conn: sqlite3.Connection, case_id: int, today: date, settings: Settings
) -> Decision | None:
    """Where one open case stands on its ladder (None for a closed case)."""
    dunning = settings.dunning
    for row in store.ladder_states(
        conn, today, notice_deadline_days=dunning.notice_deadline_days, case_id=case_id
    ):
        state = state_from_row(row)
        steps = sequence_for(dunning, state.segment, strategic=state.strategic)
        return decide(
            state,
            steps,
            today,
            min_gap_days=dunning.min_gap_days,
            prescription_days=settings.contact.prescription_warning_days,
        )
    return None


def due_steps(
    conn: sqlite3.Connection, today: date, settings: Settings, *, segment: str | None = None
) -> Iterator[DueStep]:
    """Every step due today: one per case on its ladder, then the pre-reminders."""
    dunning = settings.dunning
    sequences: dict[tuple[str, bool], tuple[LadderStep, ...]] = {}
    for row in store.ladder_states(
        conn, today, notice_deadline_days=dunning.notice_deadline_days, segment=segment
    ):
        state = state_from_row(row)
        steps = sequences.get((state.segment, state.strategic))
        if steps is None:
            steps = sequence_for(dunning, state.segment, strategic=state.strategic)
            sequences[(state.segment, state.strategic)] = steps
        decision = decide(
            state,
            steps,
            today,
            min_gap_days=dunning.min_gap_days,
            prescription_days=settings.contact.prescription_warning_days,
        )
        if not decision.due(today):
            continue
        assert decision.next is not None and decision.due_on is not None
        cycle = int(row["dunning_cycle"])
        yield DueStep(
            key=step_key(state.case_id, cycle, decision.next.step),
            debtor_id=int(row["debtor_id"]),
            case_id=state.case_id,
            cycle=cycle,
            reference=str(row["reference"]),
            name=str(row["legal_name"]),
            segment=state.segment,
            step=decision.next,
            due_on=decision.due_on,
            amount_cents=state.overdue_cents,
            prescription_close=decision.prescription_close,
        )
    yield from _pre_reminders(conn, today, dunning, segment)


def _pre_reminders(
    conn: sqlite3.Connection, today: date, dunning: DunningSettings, segment: str | None
) -> Iterator[DueStep]:
    by_segment: dict[str, LadderStep] = {}
    for name in ("large_account", "multi_site", "sme", "public_body", "consumer"):
        step = pre_reminder_step(sequence_for(dunning, name))
        if step is not None and segment in (None, name):
            by_segment[name] = step
    if not by_segment:
        return
    horizon = today + timedelta(days=max(-s.days for s in by_segment.values()))
    held = store.held_keys(conn, "pre:")
    for row in store.pre_reminder_candidates(conn, today, horizon, list(by_segment)):
        step = by_segment[str(row["segment"])]
        next_due = date.fromisoformat(row["next_due"])
        key = f"pre:{int(row['debtor_id'])}:{next_due.isoformat()}"
        if key in held or not pre_reminder_due(step, next_due, today):
            continue
        yield DueStep(
            key=key,
            debtor_id=int(row["debtor_id"]),
            case_id=None,
            cycle=0,
            reference=str(row["reference"]),
            name=str(row["legal_name"]),
            segment=str(row["segment"]),
            step=step,
            due_on=next_due + timedelta(days=step.days),
            amount_cents=int(row["amount"]),
            invoices=tuple(int(i) for i in json.loads(row["invoices"])),
        )


# --- Manual holds -------------------------------------------------------------------------


class HoldError(ValueError):
    """A hold needs a reason and an end date after today; the message says which."""


def place_hold(
    conn: sqlite3.Connection, case_id: int, *, reason: str, until: date, login: str, today: date
) -> int:
    """Hold the case's ladder until `until` (inclusive), with a reason. Audited."""
    reason = reason.strip()
    if not reason:
        raise HoldError(t("hold.no_reason"))
    if until < today:
        raise HoldError(t("hold.past", day=until.strftime("%d/%m/%Y")))
    with transaction(conn):
        require_login(conn, login, Permission.WORK_OWN_PORTFOLIO)
        at = utc_now_iso()
        hold_id = store.insert_hold(conn, case_id, reason=reason, until=until, by=login, at=at)
        append_audit(
            conn,
            agent=login,
            action="dunning.hold",
            entity="case",
            entity_id=case_id,
            after={"reason": reason, "until": until.isoformat()},
        )
    return hold_id


def release_hold(conn: sqlite3.Connection, case_id: int, *, login: str) -> int:
    with transaction(conn):
        require_login(conn, login, Permission.WORK_OWN_PORTFOLIO)
        released = store.release_holds(conn, case_id, by=login, at=utc_now_iso())
        if released:
            append_audit(
                conn, agent=login, action="dunning.release", entity="case", entity_id=case_id
            )
    return released
