"""Follow-up of commitments: which promises are kept or broken, which plan installments are paid
or missed, and what comes next on the dunning ladder (docs/scenarios.md §3). Pure functions.

Payments count towards a promise when received on or after the day it starts counting (the day
the promise was made; for a payment the debtor says was made, the day it says it paid), and each
payment counts once: promises of a case take the money in the order they were made, those
already kept first, then the pending ones, then the rest of the partly kept ones. The day after
its date (plus the grace days) a promise whose amount has not come in is partly kept when some
of it has, broken when none has; money that comes in later towards a partly kept promise is
counted as its rest (the promise stays partly kept: its date was missed). A plan's installments
are covered the same way, in sequence, by the payments received since the plan was agreed; one
missed installment breaks the plan (the whole balance falls due at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from relance_tui.domain.models import InstallmentStatus, PlanStatus, PromiseStatus, Stage

LADDER: tuple[Stage, ...] = (
    Stage.PRE_REMINDER,
    Stage.FRIENDLY_REMINDER,
    Stage.PHONE_REMINDER,
    Stage.SECOND_REMINDER,
    Stage.REGISTERED_LETTER,
    Stage.FORMAL_NOTICE,
    Stage.LEGAL_ACTION,
)


def next_stage(stage: Stage) -> Stage | None:
    """The next rung of the ladder; None from legal action or a closed case."""
    if stage not in LADDER:
        return None
    position = LADDER.index(stage)
    return LADDER[position + 1] if position + 1 < len(LADDER) else None


def later_stage(stage: Stage, floor: Stage) -> Stage:
    """`stage`, raised to `floor` if it is lower on the ladder (a closed case stays closed)."""
    if stage not in LADDER or floor not in LADDER:
        return stage
    return floor if LADDER.index(stage) < LADDER.index(floor) else stage


@dataclass(frozen=True, slots=True)
class PaymentIn:
    received_on: date
    cents: int


@dataclass(frozen=True, slots=True)
class PromiseState:
    id: int
    amount_cents: int
    due_date: date
    counts_from: date  # payments received on or after this day count
    status: PromiseStatus
    paid_cents: int = 0  # partly kept: the money counted towards it so far


@dataclass(frozen=True, slots=True)
class PromiseDecision:
    id: int
    status: PromiseStatus  # KEPT, PARTLY_KEPT or BROKEN
    settled_on: date  # the day the money completed it, or the day its date had passed
    paid_cents: int  # the money counted towards it (all of it so far, for a rest)
    rest: bool = False  # more money towards a promise already partly kept
    rest_paid_on: date | None = None  # a rest: the day the whole amount was in


def settle_promises(
    promises: Sequence[PromiseState],
    payments: Sequence[PaymentIn],
    *,
    today: date,
    grace_days: int = 0,
) -> list[PromiseDecision]:
    """Decisions for the promises of one case that are now kept, partly kept or broken, and for
    the partly kept ones whose rest came in (some or all of it).

    Kept promises take their share of the payments first (they were settled by them), then the
    pending ones in the order they were made, then the partly kept ones' rest. Idempotent: a
    decided promise is never decided again, a rest is reported only when it grew.
    """
    dates = [p.received_on for p in sorted(payments, key=lambda p: p.received_on)]
    left = [p.cents for p in sorted(payments, key=lambda p: p.received_on)]
    order = {PromiseStatus.KEPT: 0, PromiseStatus.PENDING: 1, PromiseStatus.PARTLY_KEPT: 2}
    ordered = sorted(
        (p for p in promises if p.status in order),
        key=lambda p: (order[p.status], p.counts_from, p.id),
    )
    decisions: list[PromiseDecision] = []
    for promise in ordered:
        wanted = promise.amount_cents
        taken = 0
        last_day: date | None = None
        for n, received_on in enumerate(dates):
            if taken >= wanted:
                break
            if received_on < promise.counts_from or received_on > today or left[n] <= 0:
                continue
            use = min(left[n], wanted - taken)
            left[n] -= use
            taken += use
            last_day = received_on
        if promise.status is PromiseStatus.PARTLY_KEPT:
            if taken > promise.paid_cents and last_day is not None:
                done = last_day if taken >= wanted else None
                decisions.append(
                    PromiseDecision(
                        promise.id, PromiseStatus.PARTLY_KEPT, last_day, taken, True, done
                    )
                )
            continue
        if promise.status is not PromiseStatus.PENDING:
            continue
        if taken >= wanted and last_day is not None:
            decisions.append(PromiseDecision(promise.id, PromiseStatus.KEPT, last_day, taken))
        elif today > promise.due_date + timedelta(days=grace_days):
            passed_on = promise.due_date + timedelta(days=grace_days + 1)
            status = PromiseStatus.PARTLY_KEPT if taken > 0 else PromiseStatus.BROKEN
            decisions.append(PromiseDecision(promise.id, status, passed_on, taken))
    return decisions


@dataclass(frozen=True, slots=True)
class InstallmentState:
    id: int
    sequence: int
    due_date: date
    amount_cents: int
    paid_cents: int
    status: InstallmentStatus


@dataclass(frozen=True, slots=True)
class PlanState:
    id: int
    counts_from: date
    status: PlanStatus
    installments: tuple[InstallmentState, ...]


@dataclass(frozen=True, slots=True)
class PlanDecision:
    id: int
    status: PlanStatus  # the plan's status after this run
    changed: bool  # the plan's status changed
    installments: tuple[InstallmentState, ...]  # only those whose paid amount or status changed

    @property
    def newly_missed(self) -> tuple[InstallmentState, ...]:
        return tuple(i for i in self.installments if i.status is InstallmentStatus.MISSED)


def settle_plan(
    plan: PlanState, payments: Sequence[PaymentIn], *, today: date, grace_days: int = 0
) -> PlanDecision:
    """Cover an active plan's installments with the payments made since it was agreed."""
    if plan.status is not PlanStatus.ACTIVE:
        return PlanDecision(plan.id, plan.status, False, ())
    money = sum(p.cents for p in payments if plan.counts_from <= p.received_on <= today)
    changed: list[InstallmentState] = []
    statuses: list[InstallmentStatus] = []
    for item in sorted(plan.installments, key=lambda i: i.sequence):
        paid = min(item.amount_cents, money)
        money -= paid
        status = item.status
        if paid >= item.amount_cents:
            status = InstallmentStatus.PAID
        elif item.status is InstallmentStatus.PENDING and today > item.due_date + timedelta(
            days=grace_days
        ):
            status = InstallmentStatus.MISSED
        if status is InstallmentStatus.MISSED and item.status is InstallmentStatus.MISSED:
            paid = item.paid_cents
        statuses.append(status)
        if status is not item.status or paid != item.paid_cents:
            changed.append(
                InstallmentState(
                    item.id, item.sequence, item.due_date, item.amount_cents, paid, status
                )
            )
    if InstallmentStatus.MISSED in statuses:
        new_status = PlanStatus.BROKEN
    elif statuses and all(s is InstallmentStatus.PAID for s in statuses):
        new_status = PlanStatus.COMPLETED
    else:
        new_status = PlanStatus.ACTIVE
    return PlanDecision(plan.id, new_status, new_status is not plan.status, tuple(changed))
