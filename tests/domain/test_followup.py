from datetime import date

from relance_tui.domain.followup import (
    InstallmentState,
    PaymentIn,
    PlanState,
    PromiseState,
    later_stage,
    next_stage,
    settle_plan,
    settle_promises,
)
from relance_tui.domain.models import InstallmentStatus, PlanStatus, PromiseStatus, Stage

D = date


def promise(pid: int, cents: int, due: date, start: date, status=PromiseStatus.PENDING):  # type: ignore[no-untyped-def]
    return PromiseState(pid, cents, due, start, status)


def test_ladder() -> None:
    assert next_stage(Stage.PHONE_REMINDER) is Stage.SECOND_REMINDER
    assert next_stage(Stage.LEGAL_ACTION) is None and next_stage(Stage.CLOSED) is None
    assert later_stage(Stage.FRIENDLY_REMINDER, Stage.PHONE_REMINDER) is Stage.PHONE_REMINDER
    assert later_stage(Stage.FORMAL_NOTICE, Stage.PHONE_REMINDER) is Stage.FORMAL_NOTICE
    assert later_stage(Stage.CLOSED, Stage.PHONE_REMINDER) is Stage.CLOSED


def test_promise_kept_when_the_money_comes_after_it_was_made() -> None:
    promises = [promise(1, 50_000, D(2026, 11, 30), D(2026, 11, 20))]
    payments = [PaymentIn(D(2026, 11, 10), 50_000), PaymentIn(D(2026, 11, 25), 30_000)]
    assert settle_promises(promises, payments, today=D(2026, 11, 26)) == []
    payments.append(PaymentIn(D(2026, 11, 28), 20_000))
    [decision] = settle_promises(promises, payments, today=D(2026, 11, 28))
    assert decision.status is PromiseStatus.KEPT and decision.settled_on == D(2026, 11, 28)


def test_promise_broken_the_day_after_its_date_plus_grace() -> None:
    promises = [promise(1, 50_000, D(2026, 11, 30), D(2026, 11, 20))]
    payments = [PaymentIn(D(2026, 11, 25), 30_000)]
    assert settle_promises(promises, payments, today=D(2026, 11, 30)) == []
    [decision] = settle_promises(promises, payments, today=D(2026, 12, 1))
    assert decision.status is PromiseStatus.PARTLY_KEPT and decision.settled_on == D(2026, 12, 1)
    assert decision.paid_cents == 30_000
    assert settle_promises(promises, payments, today=D(2026, 12, 2), grace_days=2) == []


def test_each_payment_counts_once_kept_promises_first() -> None:
    kept = promise(1, 50_000, D(2026, 11, 10), D(2026, 11, 1), PromiseStatus.KEPT)
    later = promise(2, 30_000, D(2026, 11, 20), D(2026, 11, 5))
    payments = [PaymentIn(D(2026, 11, 8), 50_000)]
    [decision] = settle_promises([later, kept], payments, today=D(2026, 11, 21))
    assert decision.id == 2 and decision.status is PromiseStatus.BROKEN
    payments.append(PaymentIn(D(2026, 11, 19), 30_000))
    [decision] = settle_promises([later, kept], payments, today=D(2026, 11, 21))
    assert decision.status is PromiseStatus.KEPT


def installments(*items: tuple[int, date, int]) -> tuple[InstallmentState, ...]:
    return tuple(
        InstallmentState(n, n, due, cents, 0, InstallmentStatus.PENDING) for n, due, cents in items
    )


PLAN = PlanState(
    1,
    D(2026, 10, 1),
    PlanStatus.ACTIVE,
    installments(
        (1, D(2026, 10, 15), 10_000), (2, D(2026, 11, 15), 10_000), (3, D(2026, 12, 15), 10_001)
    ),
)


def test_plan_installments_paid_in_sequence() -> None:
    payments = [PaymentIn(D(2026, 10, 14), 10_000), PaymentIn(D(2026, 11, 10), 5_000)]
    decision = settle_plan(PLAN, payments, today=D(2026, 11, 12))
    assert decision.status is PlanStatus.ACTIVE and not decision.changed
    assert [(i.sequence, i.status, i.paid_cents) for i in decision.installments] == [
        (1, InstallmentStatus.PAID, 10_000),
        (2, InstallmentStatus.PENDING, 5_000),
    ]


def test_a_missed_installment_breaks_the_plan() -> None:
    payments = [PaymentIn(D(2026, 10, 14), 10_000), PaymentIn(D(2026, 9, 1), 99_999)]
    decision = settle_plan(PLAN, payments, today=D(2026, 11, 16))
    assert decision.status is PlanStatus.BROKEN and decision.changed
    assert [i.sequence for i in decision.newly_missed] == [2]
    broken = PlanState(1, PLAN.counts_from, PlanStatus.BROKEN, PLAN.installments)
    assert settle_plan(broken, payments, today=D(2026, 12, 30)).installments == ()


def test_a_fully_paid_plan_is_completed() -> None:
    payments = [PaymentIn(D(2026, 10, 2), 30_001)]
    decision = settle_plan(PLAN, payments, today=D(2026, 10, 3))
    assert decision.status is PlanStatus.COMPLETED
    assert all(i.status is InstallmentStatus.PAID for i in decision.installments)


def test_a_new_promise_takes_money_before_the_rest_of_a_partly_kept_one() -> None:
    partly = PromiseState(
        1, 50_000, D(2026, 11, 10), D(2026, 11, 1), PromiseStatus.PARTLY_KEPT, 30_000
    )
    later = promise(2, 20_000, D(2026, 11, 30), D(2026, 11, 15))
    payments = [PaymentIn(D(2026, 11, 5), 30_000), PaymentIn(D(2026, 11, 20), 20_000)]
    [decision] = settle_promises([partly, later], payments, today=D(2026, 11, 21))
    assert decision.id == 2 and decision.status is PromiseStatus.KEPT
    payments.append(PaymentIn(D(2026, 11, 25), 25_000))
    [kept, rest] = settle_promises([partly, later], payments, today=D(2026, 11, 26))
    assert kept.status is PromiseStatus.KEPT
    assert rest.id == 1 and rest.rest and rest.paid_cents == 50_000
    assert rest.rest_paid_on == D(2026, 11, 25)
