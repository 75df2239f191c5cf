from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from relance_tui.config import CallingHours
from relance_tui.domain import calls
from relance_tui.domain.calling_hours import check_call_time
from relance_tui.domain.calls import (
    CallDraft,
    CallError,
    CallPreparation,
    CallStep,
    ContactOption,
    InvoiceOption,
    NextAction,
    PhoneOption,
    Resolution,
)
from relance_tui.domain.models import (
    CallOutcome,
    Cause,
    ContactRole,
    Frequency,
    Segment,
    Stage,
)
from relance_tui.domain.phones import PhoneKind, parse_phone

HOURS = CallingHours()
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # Tuesday, 11:00 in Paris
TODAY = date(2026, 11, 24)


def phone(phone_id: int, raw: str, *, usable: bool = True) -> PhoneOption:
    parsed = parse_phone(raw)
    return PhoneOption(
        phone_id,
        raw,
        parsed.kind,
        parsed.region,
        parsed.time_zone,
        usable,
        check_call_time(NOW, HOURS, time_zone=parsed.time_zone, region=parsed.region),
    )


def prep(segment: Segment = Segment.SME, stage: Stage = Stage.FRIENDLY_REMINDER) -> CallPreparation:
    return CallPreparation(
        case_id=7,
        debtor_name="Boulangerie Martin SARL",
        segment=segment,
        stage=stage,
        postal_code="75011",
        overdue=Decimal("1500.00"),
        disputed=Decimal("0.00"),
        invoices=(
            InvoiceOption(1, "F-2026-001", date(2026, 9, 30), Decimal("1000.00"), False),
            InvoiceOption(2, "F-2026-002", date(2026, 10, 31), Decimal("500.00"), False),
        ),
        contacts=(
            ContactOption(
                10, "Paul Achat", ContactRole.BUYER, "", False, (phone(100, "01 42 68 53 00"),)
            ),
            ContactOption(
                11,
                "Jeanne Martin",
                ContactRole.DECISION_MAKER,
                "j@m.fr",
                False,
                (
                    phone(110, "06 12 34 56 78", usable=False),
                    phone(111, "01 40 00 00 01"),
                    phone(112, "06 98 76 54 32"),
                ),
            ),
            ContactOption(
                12,
                "Compta",
                ContactRole.ACCOUNTS_PAYABLE,
                "",
                True,
                (phone(120, "01 40 00 00 02"),),
            ),
            ContactOption(
                13,
                "Trésorerie",
                ContactRole.PUBLIC_ACCOUNTANT,
                "",
                False,
                (phone(130, "01 40 00 00 03"),),
            ),
        ),
    )


def reached(p: CallPreparation | None = None) -> CallDraft:
    p = p or prep()
    draft = calls.begin_identify(calls.start_call(p, now=NOW))
    draft = calls.identify(draft, p, CallOutcome.RIGHT_PARTY, now=NOW, hours=HOURS)
    return calls.listen(draft, Cause.CASH_FLOW, "Attend le paiement de son client principal.")


def test_best_contact_depends_on_the_segment() -> None:
    picks = {
        segment: calls.best_contact(prep(segment))
        for segment in (Segment.SME, Segment.LARGE_ACCOUNT, Segment.MULTI_SITE, Segment.PUBLIC_BODY)
    }
    assert picks[Segment.SME] is not None and picks[Segment.SME][1].phone_id == 111
    assert picks[Segment.LARGE_ACCOUNT] is not None
    assert picks[Segment.LARGE_ACCOUNT][0].contact_id == 10
    # Multi-site: accounts payable is opposed to calls, so the next role in line.
    assert picks[Segment.MULTI_SITE] is not None and picks[Segment.MULTI_SITE][0].contact_id != 12
    assert picks[Segment.PUBLIC_BODY] is not None
    assert picks[Segment.PUBLIC_BODY][0].contact_id == 13
    every = [p.phone_id for _, p in calls.contact_choices(prep())]
    assert 110 not in every and 120 not in every  # unusable number, opposed contact


def test_choose_contact_refuses_opposed_contacts_and_bad_numbers() -> None:
    p = prep()
    draft = calls.start_call(p, now=NOW)
    assert calls.choose_contact(draft, p, 10).phone_id == 100
    with pytest.raises(CallError) as error:
        calls.choose_contact(draft, p, 12)
    assert error.value.key == "case.problem.contact_opposed"
    with pytest.raises(CallError):
        calls.choose_contact(draft, p, 11, 110)


def test_promise_path_defaults_the_follow_up_and_writes_the_recap() -> None:
    p = prep()
    draft = reached(p)
    assert draft.step is CallStep.SOLVE and draft.cause is Cause.CASH_FLOW
    draft = calls.solve_promise(draft, amount=Decimal("1000.00"), due_date=date(2026, 11, 30))
    assert calls.reminders(draft) == ("case.reminder.written_proof",)
    draft = calls.conclude(draft, p, today=TODAY, agent_name="Agent Un")
    assert draft.step is CallStep.CONCLUDE
    assert draft.follow_up_on == date(2026, 12, 1)
    assert draft.next_action == NextAction.CHECK_PROMISE
    assert "1\u202f000,00\u00a0€" in draft.recap and "30/11/2026" in draft.recap
    assert draft.recap.startswith("Objet : confirmation")
    assert draft.contact_update is not None and draft.contact_update.contact_id == 11
    assert calls.problems(draft, p, today=TODAY) == ()


@pytest.mark.parametrize(
    ("promised", "checked"),
    [
        (date(2026, 12, 31), date(2027, 1, 4)),  # New Year's Day, then a weekend
        (date(2026, 12, 4), date(2026, 12, 7)),  # a Friday: checked on Monday
        (date(2026, 5, 13), date(2026, 5, 15)),  # the day before Ascension Thursday
        (date(2026, 12, 8), date(2026, 12, 9)),
    ],
)
def test_a_promise_is_checked_on_the_next_working_day(promised: date, checked: date) -> None:
    p = prep()
    draft = calls.solve_promise(reached(p), amount=Decimal("100.00"), due_date=promised)
    today = min(TODAY, promised - timedelta(days=1))
    assert calls.conclude(draft, p, today=today).follow_up_on == checked


def test_plan_installments_to_the_cent_and_editable() -> None:
    p = prep()
    draft = calls.solve_plan(
        reached(p), total=Decimal("1000.00"), count=3, first_date=date(2027, 1, 31)
    )
    assert draft.plan is not None
    assert [(i.due_date, i.amount) for i in draft.plan.installments] == [
        (date(2027, 1, 31), Decimal("333.33")),
        (date(2027, 2, 28), Decimal("333.33")),
        (date(2027, 3, 31), Decimal("333.34")),
    ]
    assert "case.reminder.plan_whole_balance" in calls.reminders(draft)
    edited = calls.edit_installment(draft, 3, amount=Decimal("300.00"))
    assert edited.plan is not None and edited.plan.edited
    concluded = calls.conclude(edited, p, today=TODAY)
    assert "case.problem.plan_total" in calls.problems(concluded, p, today=TODAY)
    fixed = calls.edit_installment(concluded, 2, amount=Decimal("366.67"))
    assert calls.problems(fixed, p, today=TODAY) == ()
    assert concluded.follow_up_on == date(2027, 2, 1)
    assert concluded.next_action == NextAction.CHECK_PLAN
    assert "totalité du solde" in concluded.recap
    weekly = calls.split_installments(Decimal("100"), 4, date(2026, 12, 1), Frequency.WEEKLY)
    assert [i.due_date.day for i in weekly] == [1, 8, 15, 22]
    with pytest.raises(CallError):
        calls.split_installments(Decimal("0.01"), 2, TODAY, Frequency.MONTHLY)


def test_dispute_refusal_claim_and_callback_follow_ups() -> None:
    p = prep(stage=Stage.PHONE_REMINDER)
    dispute = calls.conclude(
        calls.solve_dispute(
            reached(p), invoice_ids=[2], reason="Livraison incomplète", owner="Service ADV"
        ),
        p,
        today=TODAY,
    )
    assert dispute.follow_up_on == TODAY + timedelta(days=7)
    assert dispute.next_action == NextAction.FOLLOW_DISPUTE and "F-2026-002" in dispute.recap
    refusal = calls.conclude(calls.solve_refusal(reached(p), p), p, today=TODAY)
    assert refusal.refusal is not None
    assert refusal.refusal.suggested_stage is Stage.SECOND_REMINDER
    assert refusal.next_action == Stage.SECOND_REMINDER.value and refusal.follow_up_on == TODAY
    claim = calls.conclude(
        calls.solve_payment_claimed(reached(p), amount=Decimal("500"), paid_on=date(2026, 11, 20)),
        p,
        today=TODAY,
    )
    assert claim.follow_up_on == date(2026, 11, 26)
    assert claim.next_action == NextAction.VERIFY_PAYMENT
    callback = calls.conclude(
        calls.solve_callback(reached(p), p, now=NOW, hours=HOURS), p, today=TODAY
    )
    assert callback.callback is not None and callback.next_action == NextAction.CALLBACK
    assert callback.follow_up_on == date(2026, 11, 25)
    future_claim = calls.solve_payment_claimed(
        reached(p), amount=Decimal("5"), paid_on=TODAY + timedelta(days=2)
    )
    assert "case.problem.claim_in_future" in calls.problems(future_claim, p, today=TODAY)
    bad_dispute = calls.solve_dispute(reached(p), invoice_ids=[99], reason="x", owner="y")
    assert "case.problem.dispute_invoices" in calls.problems(bad_dispute, p, today=TODAY)


@pytest.mark.parametrize(
    "outcome",
    [CallOutcome.VOICEMAIL, CallOutcome.NO_ANSWER, CallOutcome.WRONG_PERSON, CallOutcome.REFUSED],
)
def test_anything_but_the_right_party_ends_the_call_with_a_callback(
    outcome: CallOutcome,
) -> None:
    p = prep()
    draft = calls.begin_identify(calls.start_call(p, now=NOW))
    ended = calls.identify(draft, p, outcome, now=NOW, hours=HOURS)
    assert ended.step is CallStep.CONCLUDE and ended.resolution is None
    assert ended.callback is not None
    # Tomorrow 10:00 in Paris, on the contact's other number.
    assert ended.callback.due_at == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert ended.callback.phone_id == 112 and ended.callback.contact_id == 11
    if outcome is CallOutcome.REFUSED:  # the ladder's next step, never an empty action
        assert ended.next_action == calls.escalation(p.stage) != ""
    else:
        assert ended.next_action == NextAction.CALLBACK
    assert ended.follow_up_on == date(2026, 11, 25)
    assert ended.recap == ""
    assert calls.problems(ended, p, today=TODAY) == ()
    with pytest.raises(CallError):
        calls.listen(ended, Cause.OTHER)
    back = calls.go_back(ended)
    assert back.step is CallStep.IDENTIFY and back.outcome is None and back.callback is None


def test_wrong_number_without_another_number_proposes_no_number() -> None:
    p = prep(Segment.PUBLIC_BODY)
    draft = calls.choose_contact(calls.start_call(p, now=NOW), p, 10)
    only = CallPreparation(
        case_id=p.case_id,
        debtor_name=p.debtor_name,
        segment=p.segment,
        stage=p.stage,
        postal_code=p.postal_code,
        overdue=p.overdue,
        disputed=p.disputed,
        invoices=p.invoices,
        contacts=p.contacts[:1],
    )
    ended = calls.identify(draft, only, CallOutcome.WRONG_NUMBER, now=NOW, hours=HOURS)
    assert ended.callback is not None and ended.callback.phone_id is None
    assert ended.callback.contact_id == 10


def test_draft_round_trips_through_json() -> None:
    p = prep()
    draft = calls.conclude(
        calls.solve_plan(
            reached(p),
            total=Decimal("1500"),
            count=4,
            first_date=date(2026, 12, 5),
            frequency=Frequency.FORTNIGHTLY,
        ),
        p,
        today=TODAY,
    )
    again = CallDraft.from_json(draft.to_json())
    assert again == draft
    assert again.plan is not None and again.plan.total == Decimal("1500")
    with pytest.raises(ValueError):
        CallDraft.from_json('{"case_id": 1}')


def test_steps_refuse_what_does_not_fit() -> None:
    p = prep()
    started = calls.start_call(p, now=NOW)
    assert started.step is CallStep.PREPARE and started.phone_id == 111
    assert "case.problem.no_outcome" in calls.problems(started, p, today=TODAY)
    with pytest.raises(CallError):
        calls.solve_promise(started, amount=Decimal(1), due_date=TODAY)
    with pytest.raises(CallError):
        calls.conclude(reached(p), p, today=TODAY)  # no solution chosen
    too_much = calls.solve_promise(reached(p), amount=Decimal("9999"), due_date=TODAY)
    assert "case.problem.amount_above_balance" in calls.problems(too_much, p, today=TODAY)
    past = calls.solve_promise(reached(p), amount=Decimal("10"), due_date=TODAY - timedelta(1))
    assert "case.problem.date_in_past" in calls.problems(past, p, today=TODAY)
    assert calls.go_back(reached(p)).step is CallStep.LISTEN
    assert Resolution.PROMISE in calls.RESOLUTION_CHOICES and len(calls.OUTCOME_CHOICES) == 6


def test_recap_in_english_on_request() -> None:
    p = prep()
    draft = calls.solve_promise(reached(p), amount=Decimal("250.5"), due_date=date(2026, 12, 2))
    text = calls.recap_text(draft, p, language="en")
    assert "€250.50" in text and "02/12/2026" in text and text.startswith("Subject:")


def test_contact_update_is_kept_on_the_draft() -> None:
    p = prep()
    draft = calls.update_contact(
        reached(p), contact_id=11, email="compta@martin.fr", new_phone="06 11 22 33 44"
    )
    assert draft.contact_update is not None
    assert draft.contact_update.email == "compta@martin.fr"
    assert PhoneKind.MOBILE is parse_phone(draft.contact_update.new_phone or "").kind
