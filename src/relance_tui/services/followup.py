"""Daily follow-up of commitments (docs/scenarios.md §3).

`check_commitments` settles what the payments say: pending promises covered by the money become
kept, those whose date has passed without it become broken (the case goes to the top of the queue
through its urgency, the next ladder step is put in its next action, and the debtor's broken
promises count goes up) or, when part of the money came in, partly kept (the case goes to the top
of the queue the same way, with "claim the rest" as its next action, and the debtor's partly kept
count goes up: the score counts one as half kept, half broken). Money that comes in later
towards a partly kept promise is recorded as its rest; once all of it is in, the case no longer
calls for the rest. Plan installments are marked paid or missed, a missed one breaks the plan
(the whole balance falls due), all paid completes it. Idempotent: run it at start-up and when the
day changes (`run_followup_if_due` does both, remembering the last day in `meta`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from relance_tui.config import Settings
from relance_tui.domain.clock import PARIS, business_day
from relance_tui.domain.enums import NextAction
from relance_tui.domain.followup import (
    InstallmentState,
    PaymentIn,
    PlanState,
    PromiseDecision,
    PromiseState,
    next_stage,
    settle_plan,
    settle_promises,
)
from relance_tui.domain.models import InstallmentStatus, PlanStatus, PromiseStatus, Stage
from relance_tui.services.daily import followup_due_on, mark_followup_done
from relance_tui.services.ranking import refresh_scores
from relance_tui.storage import casework as store
from relance_tui.storage.db import append_audit, transaction

SYSTEM_AGENT = "system"


@dataclass(frozen=True, slots=True)
class FollowupReport:
    day: date
    promises_kept: int = 0
    promises_broken: int = 0
    promises_partly_kept: int = 0
    promise_rests: int = 0  # partly kept promises whose rest (some or all) came in
    installments_paid: int = 0
    installments_missed: int = 0
    plans_broken: int = 0
    plans_completed: int = 0
    cases: tuple[int, ...] = ()  # cases whose commitments changed

    @property
    def changed(self) -> bool:
        return bool(self.cases)


def _day_of(stamp: object) -> date:
    """The Paris day of a stored UTC timestamp (or of a plain date)."""
    text = str(stamp)
    if len(text) <= 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS).date()


def _escalation(stage: str) -> str:
    """The next action after a broken commitment: the next rung of the ladder."""
    try:
        following = next_stage(Stage(stage))
    except ValueError:
        return stage
    return following.value if following else stage


FOLLOWUP_BATCH = 500


def check_commitments(
    conn: sqlite3.Connection, settings: Settings, today: date, now: datetime
) -> FollowupReport:
    """Settle every pending promise and active plan against the payments, in one transaction."""
    with transaction(conn):
        report = _settle(conn, settings, today, now, None)
        mark_followup_done(conn, today)
    return report


def settle_commitments_of(
    conn: sqlite3.Connection,
    settings: Settings,
    today: date,
    now: datetime,
    debtor_ids: Sequence[int],
) -> FollowupReport:
    """Settle these debtors' pending promises and plans, in the caller's transaction (money just
    received: kept at once, in the same transaction as the payment)."""
    assert conn.in_transaction
    return _settle(conn, settings, today, now, set(debtor_ids))


def _settle(
    conn: sqlite3.Connection,
    settings: Settings,
    today: date,
    now: datetime,
    debtors: set[int] | None,
) -> FollowupReport:
    grace = settings.contact.promise_grace_days
    at = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)
    stamp = at.isoformat(timespec="seconds")
    counts = dict.fromkeys(
        (
            "kept",
            "broken",
            "partly_kept",
            "rests",
            "paid",
            "missed",
            "plans_broken",
            "plans_completed",
        ),
        0,
    )
    touched: set[int] = set()
    cases = store.cases_with_pending_commitments(conn)
    debtor_of = {
        int(row[0]): int(row[1]) for row in cases if debtors is None or int(row[1]) in debtors
    }
    all_cases = sorted(debtor_of)
    # In batches: the payments of every debtor with a commitment would not fit in memory.
    for first in range(0, len(all_cases), FOLLOWUP_BATCH):
        case_ids = all_cases[first : first + FOLLOWUP_BATCH]
        promises_by_case: dict[int, list[PromiseState]] = {}
        kind_of: dict[int, str] = {}
        for row in store.promises_of_cases(conn, case_ids) if case_ids else ():
            start = (
                date.fromisoformat(row["claimed_paid_on"])
                if row["claimed_paid_on"]
                else _day_of(row["created_at"])
            )
            promises_by_case.setdefault(int(row["case_id"]), []).append(
                PromiseState(
                    int(row["id"]),
                    int(row["amount_cents"]),
                    date.fromisoformat(row["due_date"]),
                    start,
                    PromiseStatus(row["status"]),
                    int(row["paid"]),
                )
            )
            kind_of[int(row["id"])] = str(row["kind"])
        plan_rows = store.active_plans_of_cases(conn, case_ids) if case_ids else []
        installments: dict[int, list[InstallmentState]] = {}
        for row in store.plan_installments(conn, [int(r["id"]) for r in plan_rows]):
            installments.setdefault(int(row["plan_id"]), []).append(
                InstallmentState(
                    int(row["id"]),
                    int(row["sequence"]),
                    date.fromisoformat(row["due_date"]),
                    int(row["amount_cents"]),
                    int(row["paid_cents"]),
                    InstallmentStatus(row["status"]),
                )
            )
        starts = [p.counts_from for items in promises_by_case.values() for p in items]
        starts += [_day_of(row["created_at"]) for row in plan_rows]
        payments: dict[int, list[PaymentIn]] = {}
        if starts:
            for row in store.payments_of_debtors(
                conn, sorted({debtor_of[case] for case in case_ids}), min(starts).isoformat()
            ):
                payments.setdefault(int(row["debtor_id"]), []).append(
                    PaymentIn(date.fromisoformat(row["received_on"]), int(row["amount_cents"]))
                )

        for case_id, items in promises_by_case.items():
            paid = payments.get(debtor_of[case_id], [])
            for decision in settle_promises(items, paid, today=today, grace_days=grace):
                kind = kind_of[decision.id]
                if decision.rest:
                    if _record_rest(conn, case_id, decision, kind, stamp):
                        touched.add(case_id)
                        counts["rests"] += 1
                    continue
                if not store.settle_promise(
                    conn,
                    decision.id,
                    decision.status.value,
                    decision.settled_on.isoformat(),
                    decision.paid_cents,
                ):
                    continue
                touched.add(case_id)
                result = decision.status.value
                kept = decision.status is PromiseStatus.KEPT
                counts[result] += 1
                append_audit(
                    conn,
                    agent=SYSTEM_AGENT,
                    action=f"promise.{decision.status.value}",
                    entity="promise",
                    entity_id=decision.id,
                    before={"status": "pending"},
                    after={
                        "status": decision.status.value,
                        "settled_on": decision.settled_on,
                        "paid_cents": decision.paid_cents,
                        "kind": kind,
                    },
                    at=stamp,
                )
                if kind == "promise":
                    store.count_debtor_promise(conn, case_id, kept=kept, at=stamp, outcome=result)
                if decision.status is PromiseStatus.PARTLY_KEPT:
                    _after_partly_kept(conn, case_id, kind=kind, today=today, at=stamp)
                else:
                    _after_promise(conn, case_id, kept=kept, kind=kind, today=today, at=stamp)

        for row in plan_rows:
            plan = PlanState(
                int(row["id"]),
                _day_of(row["created_at"]),
                PlanStatus(row["status"]),
                tuple(installments.get(int(row["id"]), ())),
            )
            case_id = int(row["case_id"])
            outcome = settle_plan(
                plan, payments.get(debtor_of[case_id], []), today=today, grace_days=grace
            )
            for item in outcome.installments:
                store.update_installment(conn, item.id, item.status.value, item.paid_cents)
                if item.status is InstallmentStatus.PAID:
                    counts["paid"] += 1
                elif item.status is InstallmentStatus.MISSED:
                    counts["missed"] += 1
            if outcome.installments:
                touched.add(case_id)
            if not outcome.changed:
                continue
            store.set_plan_status(conn, plan.id, outcome.status.value)
            append_audit(
                conn,
                agent=SYSTEM_AGENT,
                action=f"plan.{outcome.status.value}",
                entity="payment_plan",
                entity_id=plan.id,
                before={"status": plan.status.value},
                after={"status": outcome.status.value},
                at=stamp,
            )
            if outcome.status is PlanStatus.BROKEN:
                counts["plans_broken"] += 1
                store.count_debtor_promise(conn, case_id, kept=False, at=stamp)
                _escalate(conn, case_id, today=today, at=stamp)
            elif outcome.status is PlanStatus.COMPLETED:
                counts["plans_completed"] += 1
                store.count_debtor_promise(conn, case_id, kept=True, at=stamp)
                _clear_action(conn, case_id, NextAction.CHECK_PLAN.value, at=stamp)

    if touched:
        refresh_scores(conn, settings, now, sorted(touched))
    return FollowupReport(
        day=today,
        promises_kept=counts["kept"],
        promises_broken=counts["broken"],
        promises_partly_kept=counts["partly_kept"],
        promise_rests=counts["rests"],
        installments_paid=counts["paid"],
        installments_missed=counts["missed"],
        plans_broken=counts["plans_broken"],
        plans_completed=counts["plans_completed"],
        cases=tuple(sorted(touched)),
    )


def _after_promise(
    conn: sqlite3.Connection, case_id: int, *, kept: bool, kind: str, today: date, at: str
) -> None:
    if kept:
        action = NextAction.CHECK_PROMISE if kind == "promise" else NextAction.VERIFY_PAYMENT
        _clear_action(conn, case_id, action.value, at=at)
    elif kind == "promise":
        _escalate(conn, case_id, today=today, at=at)
    else:  # the payment the debtor claimed has not arrived: ask for proof
        _set_action(conn, case_id, NextAction.VERIFY_PAYMENT.value, today, at=at)


def _after_partly_kept(
    conn: sqlite3.Connection, case_id: int, *, kind: str, today: date, at: str
) -> None:
    """Part of the money came by the date: ask for the rest (a claimed payment: for proof)."""
    action = NextAction.CLAIM_REMAINDER if kind == "promise" else NextAction.VERIFY_PAYMENT
    _set_action(conn, case_id, action.value, today, at=at)


def _record_rest(
    conn: sqlite3.Connection, case_id: int, decision: PromiseDecision, kind: str, stamp: str
) -> bool:
    """More money towards a partly kept promise; all of it in: the rest is no longer asked for."""
    rest_paid_on = decision.rest_paid_on.isoformat() if decision.rest_paid_on else None
    if not store.record_promise_rest(conn, decision.id, decision.paid_cents, rest_paid_on):
        return False
    append_audit(
        conn,
        agent=SYSTEM_AGENT,
        action="promise.rest",
        entity="promise",
        entity_id=decision.id,
        before={"status": "partly_kept"},
        after={"paid_cents": decision.paid_cents, "rest_paid_on": rest_paid_on},
        at=stamp,
    )
    if rest_paid_on is not None:
        action = NextAction.CLAIM_REMAINDER if kind == "promise" else NextAction.VERIFY_PAYMENT
        _clear_action(conn, case_id, action.value, at=stamp)
    return True


def _set_action(
    conn: sqlite3.Connection, case_id: int, action: str, on: date | None, *, at: str
) -> None:
    row = store.case_stage_and_action(conn, case_id)
    if row is None:
        return
    before = {"next_action": row["next_action"], "next_action_on": row["next_action_on"]}
    after = {"next_action": action, "next_action_on": on.isoformat() if on else None}
    if before == after:
        return
    store.set_next_action(conn, case_id, action, after["next_action_on"], at)
    append_audit(
        conn,
        agent=SYSTEM_AGENT,
        action="case.update",
        entity="case",
        entity_id=case_id,
        before=before,
        after=after,
        at=at,
    )


def _escalate(conn: sqlite3.Connection, case_id: int, *, today: date, at: str) -> None:
    row = store.case_stage_and_action(conn, case_id)
    if row is None:
        return
    _set_action(conn, case_id, _escalation(str(row["stage"])), today, at=at)


def _clear_action(conn: sqlite3.Connection, case_id: int, only_if: str, *, at: str) -> None:
    row = store.case_stage_and_action(conn, case_id)
    if row is not None and row["next_action"] == only_if:
        _set_action(conn, case_id, "", None, at=at)


def run_followup_if_due(
    conn: sqlite3.Connection, settings: Settings, now: datetime
) -> FollowupReport | None:
    """At start-up and every minute: check commitments once per Paris day."""
    today = business_day(now)
    if not followup_due_on(conn, today):
        return None
    return check_commitments(conn, settings, today, now)


def overdue_since(promise_due: date, grace_days: int) -> date:
    """The day a promise due on `promise_due` counts as broken."""
    return promise_due + timedelta(days=grace_days + 1)


__all__: Sequence[str] = (
    "FollowupReport",
    "check_commitments",
    "overdue_since",
    "run_followup_if_due",
    "settle_commitments_of",
)
