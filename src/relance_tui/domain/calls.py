"""The call checklist (docs/scenarios.md §2): Prepare → Identify → Listen → Solve → Conclude.

A call in progress is a `CallDraft`: an immutable pydantic model, serialisable to JSON (saved in
`call_drafts` as the agent goes, so a dropped session loses nothing). Every step is a pure
function `f(draft, …) -> CallDraft` that returns a new draft; `problems(draft, prep, today)` says
what still prevents recording it (translation keys). What the agent needs to decide comes from a
`CallPreparation`, built from the case file by the service layer.

Keyboard UI: the choices of each step are ordered tuples (`OUTCOME_CHOICES`, `CAUSE_CHOICES`,
`RESOLUTION_CHOICES`, `FREQUENCY_CHOICES`) whose position can be the key (1, 2, 3…), every value
has a default, and `go_back` undoes a step.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from relance_tui.config import CallingHours
from relance_tui.domain.calling_hours import (
    CallTimeCheck,
    check_call_time,
    next_call_time,
    working_day_on_or_after,
)
from relance_tui.domain.enums import NextAction
from relance_tui.domain.followup import later_stage, next_stage
from relance_tui.domain.models import (
    CENT,
    CallOutcome,
    Cause,
    ContactRole,
    Frequency,
    Installment,
    Segment,
    Stage,
)
from relance_tui.domain.phones import PhoneKind
from relance_tui.i18n import Key, KeyedError, key, t_in

DRAFT_VERSION = 1
PAYMENT_CLAIM_CHECK_DAYS = 5  # a transfer said to be made is looked for during these days
DISPUTE_FOLLOW_UP_DAYS = 7  # ask the dispute's owner where it stands after a week
MAX_INSTALLMENTS = 60


class CallStep(StrEnum):
    PREPARE = "prepare"
    IDENTIFY = "identify"
    LISTEN = "listen"
    SOLVE = "solve"
    CONCLUDE = "conclude"


CALL_STEP_KEYS: dict[str, str] = {
    CallStep.PREPARE: "case.step.prepare",
    CallStep.IDENTIFY: "case.step.identify",
    CallStep.LISTEN: "case.step.listen",
    CallStep.SOLVE: "case.step.solve",
    CallStep.CONCLUDE: "case.step.conclude",
}


class Resolution(StrEnum):
    PROMISE = "promise"
    PLAN = "plan"
    DISPUTE = "dispute"
    PAYMENT_CLAIMED = "payment_claimed"
    REFUSAL = "refusal"
    CALLBACK = "callback"  # reached, but asked to be called back (checking, away from desk…)


RESOLUTION_KEYS: dict[str, str] = {
    Resolution.PROMISE: "case.resolution.promise",
    Resolution.PLAN: "case.resolution.plan",
    Resolution.DISPUTE: "case.resolution.dispute",
    Resolution.PAYMENT_CLAIMED: "case.resolution.payment_claimed",
    Resolution.REFUSAL: "case.resolution.refusal",
    Resolution.CALLBACK: "case.resolution.callback",
}


OUTCOME_CHOICES: tuple[CallOutcome, ...] = (
    CallOutcome.RIGHT_PARTY,
    CallOutcome.WRONG_PERSON,
    CallOutcome.WRONG_NUMBER,
    CallOutcome.VOICEMAIL,
    CallOutcome.NO_ANSWER,
    CallOutcome.REFUSED,
)
CAUSE_CHOICES: tuple[Cause, ...] = (
    Cause.INVOICE_NOT_RECEIVED,
    Cause.CASH_FLOW,
    Cause.OVERSIGHT,
    Cause.DISPUTE,
    Cause.AWAITING_APPROVAL,
    Cause.OTHER,
)
RESOLUTION_CHOICES: tuple[Resolution, ...] = (
    Resolution.PROMISE,
    Resolution.PLAN,
    Resolution.DISPUTE,
    Resolution.PAYMENT_CLAIMED,
    Resolution.REFUSAL,
    Resolution.CALLBACK,
)
FREQUENCY_CHOICES: tuple[Frequency, ...] = (
    Frequency.MONTHLY,
    Frequency.FORTNIGHTLY,
    Frequency.WEEKLY,
)

# Who to ask for first, by segment (docs/french-collection-rules.md, "Payer types and accounts").
ROLE_PREFERENCE: dict[Segment, tuple[ContactRole, ...]] = {
    Segment.LARGE_ACCOUNT: (
        ContactRole.BUYER,
        ContactRole.ACCOUNTS_PAYABLE,
        ContactRole.FINANCE_DIRECTOR,
        ContactRole.DECISION_MAKER,
    ),
    Segment.MULTI_SITE: (
        ContactRole.ACCOUNTS_PAYABLE,
        ContactRole.FINANCE_DIRECTOR,
        ContactRole.BUYER,
        ContactRole.DECISION_MAKER,
    ),
    Segment.SME: (
        ContactRole.DECISION_MAKER,
        ContactRole.FINANCE_DIRECTOR,
        ContactRole.ACCOUNTS_PAYABLE,
        ContactRole.BUYER,
    ),
    Segment.PUBLIC_BODY: (
        ContactRole.PUBLIC_ACCOUNTANT,
        ContactRole.ACCOUNTS_PAYABLE,
        ContactRole.FINANCE_DIRECTOR,
        ContactRole.BUYER,
    ),
    Segment.CONSUMER: (ContactRole.OTHER, ContactRole.DECISION_MAKER),
}
_KIND_PREFERENCE_B2B = (PhoneKind.FIXED, PhoneKind.VOIP, PhoneKind.MOBILE, PhoneKind.OTHER)
_KIND_PREFERENCE_B2C = (PhoneKind.MOBILE, PhoneKind.FIXED, PhoneKind.VOIP, PhoneKind.OTHER)

# --- What the checklist is prepared from (built by services.casefile) -----------------------


@dataclass(frozen=True, slots=True)
class PhoneOption:
    phone_id: int
    display: str  # national format
    kind: PhoneKind
    region: str | None
    time_zone: str | None
    usable: bool  # valid and not marked invalid
    call_time: CallTimeCheck | None = None  # at the time the case file was read


@dataclass(frozen=True, slots=True)
class ContactOption:
    contact_id: int
    name: str
    role: ContactRole
    email: str
    opposed: bool
    phones: tuple[PhoneOption, ...] = ()


@dataclass(frozen=True, slots=True)
class InvoiceOption:
    invoice_id: int
    number: str
    due_date: date
    outstanding: Decimal
    in_dispute: bool


@dataclass(frozen=True, slots=True)
class CallPreparation:
    case_id: int
    debtor_name: str
    segment: Segment
    stage: Stage
    postal_code: str
    overdue: Decimal  # not disputed
    disputed: Decimal
    invoices: tuple[InvoiceOption, ...]  # open invoices with money due
    contacts: tuple[ContactOption, ...]
    open_disputes: int = 0
    attempts_last_7_days: int = 0
    last_contacts: tuple[str, ...] = ()  # one line each, newest first, for the Prepare step
    warnings: tuple[str, ...] = field(default=())  # translation keys (see services.casefile)

    def contact(self, contact_id: int | None) -> ContactOption | None:
        return next((c for c in self.contacts if c.contact_id == contact_id), None)

    def phone(self, phone_id: int | None) -> tuple[ContactOption, PhoneOption] | None:
        for contact in self.contacts:
            for phone in contact.phones:
                if phone.phone_id == phone_id:
                    return contact, phone
        return None

    @property
    def balance(self) -> Decimal:
        return sum((i.outstanding for i in self.invoices), Decimal("0.00"))


def contact_choices(prep: CallPreparation) -> list[tuple[ContactOption, PhoneOption]]:
    """Every (contact, phone) that may be called, best first.

    Contacts who opposed calls and unusable phones are left out; the segment decides which role
    comes first; among a contact's numbers those inside calling hours come first, then landlines
    for businesses and mobiles for consumers.
    """
    roles = ROLE_PREFERENCE.get(prep.segment, ())
    kinds = _KIND_PREFERENCE_B2C if prep.segment is Segment.CONSUMER else _KIND_PREFERENCE_B2B

    def role_rank(contact: ContactOption) -> int:
        return roles.index(contact.role) if contact.role in roles else len(roles)

    def phone_rank(phone: PhoneOption) -> tuple[int, int]:
        outside = 0 if phone.call_time is None or phone.call_time.allowed else 1
        kind = kinds.index(phone.kind) if phone.kind in kinds else len(kinds)
        return outside, kind

    options: list[tuple[tuple[int, int, int, int], ContactOption, PhoneOption]] = []
    for order, contact in enumerate(prep.contacts):
        if contact.opposed:
            continue
        for phone in contact.phones:
            if phone.usable:
                options.append(((role_rank(contact), *phone_rank(phone), order), contact, phone))
    options.sort(key=lambda item: item[0])
    return [(contact, phone) for _, contact, phone in options]


def best_contact(prep: CallPreparation) -> tuple[ContactOption, PhoneOption] | None:
    choices = contact_choices(prep)
    return choices[0] if choices else None


# --- The draft --------------------------------------------------------------------------------

Amount = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2)]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PromiseTerms(_Part):
    amount: Amount
    due_date: date
    proof_requested: bool = True


class PlanTerms(_Part):
    total: Amount
    frequency: Frequency = Frequency.MONTHLY
    installments: tuple[Installment, ...] = Field(min_length=2, max_length=MAX_INSTALLMENTS)
    edited: bool = False  # the agent changed an installment by hand

    @property
    def first_date(self) -> date:
        return self.installments[0].due_date

    @property
    def scheduled(self) -> Decimal:
        return sum((item.amount for item in self.installments), Decimal("0.00"))


class DisputeTerms(_Part):
    invoice_ids: tuple[int, ...] = Field(min_length=1)
    reason: ShortText
    owner: ShortText


class PaymentClaim(_Part):
    amount: Amount
    paid_on: date
    reference: ShortText = ""  # transfer or cheque reference, if given

    @property
    def check_by(self) -> date:
        return self.paid_on + timedelta(days=PAYMENT_CLAIM_CHECK_DAYS)


class RefusalTerms(_Part):
    suggested_stage: Stage | None


class CallbackTerms(_Part):
    due_at: datetime  # aware, UTC
    contact_id: int | None = None
    phone_id: int | None = None
    reason: ShortText = ""


class ContactUpdate(_Part):
    """Contact details confirmed at the end of the call, or corrected (None: unchanged)."""

    contact_id: int
    confirmed: bool = True
    email: ShortText | None = None
    new_phone: ShortText | None = None  # as typed; parsed when recorded


class CallDraft(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = DRAFT_VERSION
    case_id: int
    started_at: datetime
    # When the conversation ended and the wrap-up began (Conclude reached); talk time ends here.
    talk_ended_at: datetime | None = None
    # Time the call lay dead between a lost session and its resumption: neither talk nor work.
    paused_seconds: int = Field(default=0, ge=0)
    step: CallStep = CallStep.PREPARE
    contact_id: int | None = None
    phone_id: int | None = None
    outcome: CallOutcome | None = None
    cause: Cause | None = None
    notes: LongText = ""
    resolution: Resolution | None = None
    promise: PromiseTerms | None = None
    plan: PlanTerms | None = None
    dispute: DisputeTerms | None = None
    payment_claim: PaymentClaim | None = None
    refusal: RefusalTerms | None = None
    callback: CallbackTerms | None = None
    contact_update: ContactUpdate | None = None
    recap: LongText = ""
    message_left: bool = False  # not reached: a message left on the voicemail or with someone
    follow_up_on: date | None = None
    next_action: str = ""

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str | bytes) -> CallDraft:
        return cls.model_validate_json(data)

    @property
    def reached(self) -> bool:
        return self.outcome is CallOutcome.RIGHT_PARTY


class CallError(KeyedError):
    """A step was asked for that the draft cannot take; `key` says why."""


def _with(draft: CallDraft, **changes: Any) -> CallDraft:
    """A new draft with `changes`, validated like one read back from JSON."""
    data = draft.model_dump()
    data.update(changes)
    return CallDraft.model_validate(data)


_SOLUTIONS = {
    "promise": None,
    "plan": None,
    "dispute": None,
    "payment_claim": None,
    "refusal": None,
}


# --- Steps ------------------------------------------------------------------------------------


def start_call(prep: CallPreparation, *, now: datetime) -> CallDraft:
    """A new draft at the Prepare step, with the best contact and number already chosen."""
    best = best_contact(prep)
    return CallDraft(
        case_id=prep.case_id,
        started_at=now,
        contact_id=best[0].contact_id if best else None,
        phone_id=best[1].phone_id if best else None,
    )


def choose_contact(
    draft: CallDraft, prep: CallPreparation, contact_id: int, phone_id: int | None = None
) -> CallDraft:
    """Pick who to call (and which number: the contact's best usable one by default)."""
    contact = prep.contact(contact_id)
    if contact is None:
        raise CallError(key("case.problem.unknown_contact"))
    if contact.opposed:
        raise CallError(key("case.problem.contact_opposed"))
    usable = [c_p for c_p in contact_choices(prep) if c_p[0].contact_id == contact_id]
    if phone_id is None:
        phone_id = usable[0][1].phone_id if usable else None
    elif not any(phone.phone_id == phone_id for _, phone in usable):
        raise CallError(key("case.problem.phone_unusable"))
    return _with(draft, contact_id=contact_id, phone_id=phone_id)


def begin_identify(draft: CallDraft) -> CallDraft:
    """Prepare is done: the number is being dialled."""
    if draft.phone_id is None:
        raise CallError(key("case.problem.no_phone"))
    return _with(draft, step=CallStep.IDENTIFY)


def propose_callback(
    draft: CallDraft, prep: CallPreparation, *, now: datetime, hours: CallingHours
) -> CallbackTerms:
    """Tomorrow at the first calling window of the number, on another number when there is one
    (never on a number that turned out to be wrong)."""
    choices = contact_choices(prep)
    current = prep.phone(draft.phone_id)
    others = [c_p for c_p in choices if c_p[1].phone_id != draft.phone_id]
    same_contact = [c_p for c_p in others if c_p[0].contact_id == draft.contact_id]
    contact: ContactOption | None = current[0] if current else None
    phone: PhoneOption | None = current[1] if current else None
    if draft.outcome is not CallOutcome.RIGHT_PARTY and others:
        contact, phone = (same_contact or others)[0]
    elif draft.outcome is CallOutcome.WRONG_NUMBER:
        phone = None
    tz = phone.time_zone if phone else None
    region = phone.region if phone else None
    local_today = check_call_time(now, hours, time_zone=tz, region=region).local_time.date()
    due_at = next_call_time(
        now,
        hours,
        time_zone=tz,
        region=region,
        postal_code=prep.postal_code,
        earliest_day=local_today + timedelta(days=1),
    )
    return CallbackTerms(
        due_at=due_at,
        contact_id=contact.contact_id if contact else None,
        phone_id=phone.phone_id if phone else None,
    )


def identify(
    draft: CallDraft,
    prep: CallPreparation,
    outcome: CallOutcome,
    *,
    now: datetime,
    hours: CallingHours,
) -> CallDraft:
    """Who answered. The right party goes on to Listen; anything else ends the call: it goes
    straight to Conclude with a callback proposed (and a wrong number will be marked invalid)."""
    if draft.step not in (CallStep.IDENTIFY, CallStep.PREPARE):
        raise CallError(key("case.problem.wrong_step"))
    if draft.phone_id is None:
        raise CallError(key("case.problem.no_phone"))
    draft = _with(draft, outcome=outcome, resolution=None, message_left=False, **_SOLUTIONS)
    if outcome is CallOutcome.RIGHT_PARTY:
        return _with(draft, step=CallStep.LISTEN, callback=None)
    callback = propose_callback(draft, prep, now=now, hours=hours)
    return _with(
        draft,
        step=CallStep.CONCLUDE,
        talk_ended_at=now,
        cause=None,
        callback=callback.model_dump(),
        follow_up_on=callback.due_at.date(),
        # A refusal to talk is one more step up the ladder, whatever the callback brings.
        next_action=(
            escalation(prep.stage).value
            if outcome is CallOutcome.REFUSED
            else NextAction.CALLBACK.value
        ),
        recap="",
    )


def listen(draft: CallDraft, cause: Cause, notes: str | None = None) -> CallDraft:
    """The cause of non-payment (and free notes: checked by `notes_check` before saving)."""
    if not draft.reached:
        raise CallError(key("case.problem.not_reached"))
    changes: dict[str, Any] = {"cause": cause, "step": CallStep.SOLVE}
    if notes is not None:
        changes["notes"] = notes
    return _with(draft, **changes)


def set_notes(draft: CallDraft, notes: str) -> CallDraft:
    return _with(draft, notes=notes)


# Outcomes after which a message may have been left (on the voicemail, with whoever answered).
MESSAGE_OUTCOMES = frozenset({CallOutcome.VOICEMAIL, CallOutcome.WRONG_PERSON})


def set_message_left(draft: CallDraft, left: bool) -> CallDraft:
    """Whether a message was left; only after an outcome that allows one."""
    return _with(draft, message_left=left and draft.outcome in MESSAGE_OUTCOMES)


def _solved(draft: CallDraft, resolution: Resolution, **terms: Any) -> CallDraft:
    if not draft.reached:
        raise CallError(key("case.problem.not_reached"))
    changes: dict[str, Any] = dict(_SOLUTIONS)
    changes.update(terms)
    if resolution is not Resolution.CALLBACK:
        changes["callback"] = None
    return _with(draft, step=CallStep.SOLVE, resolution=resolution, **changes)


def solve_promise(
    draft: CallDraft, *, amount: Decimal, due_date: date, proof_requested: bool = True
) -> CallDraft:
    terms = PromiseTerms(amount=amount, due_date=due_date, proof_requested=proof_requested)
    return _solved(draft, Resolution.PROMISE, promise=terms.model_dump())


def add_months(day: date, months: int, anchor_day: int | None = None) -> date:
    """`day` plus whole months, on the anchor day of the month (or the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    wanted = anchor_day or day.day
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def installment_dates(first: date, count: int, frequency: Frequency) -> list[date]:
    if frequency is Frequency.MONTHLY:
        return [add_months(first, n, first.day) for n in range(count)]
    step = 7 if frequency is Frequency.WEEKLY else 14
    return [first + timedelta(days=step * n) for n in range(count)]


def split_installments(
    total: Decimal, count: int, first: date, frequency: Frequency
) -> tuple[Installment, ...]:
    """`count` equal installments to the cent; the remainder goes on the last one."""
    if count < 2 or count > MAX_INSTALLMENTS:
        raise CallError(key("case.problem.plan_count"))
    total = total.quantize(CENT)
    share = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    if share <= 0:
        raise CallError(key("case.problem.plan_too_small"))
    dates = installment_dates(first, count, frequency)
    amounts = [share] * (count - 1) + [total - share * (count - 1)]
    return tuple(
        Installment(sequence=n + 1, due_date=dates[n], amount=amounts[n]) for n in range(count)
    )


def solve_plan(
    draft: CallDraft,
    *,
    total: Decimal,
    count: int,
    first_date: date,
    frequency: Frequency = Frequency.MONTHLY,
) -> CallDraft:
    """A payment plan: installments computed to the cent (remainder on the last), editable."""
    installments = split_installments(total, count, first_date, frequency)
    terms = PlanTerms(total=total, frequency=frequency, installments=installments)
    return _solved(draft, Resolution.PLAN, plan=terms.model_dump())


def edit_installment(
    draft: CallDraft,
    sequence: int,
    *,
    amount: Decimal | None = None,
    due_date: date | None = None,
) -> CallDraft:
    """Change one installment; the plan's total follows (`problems` checks it still adds up)."""
    if draft.plan is None:
        raise CallError(key("case.problem.no_plan"))
    items = list(draft.plan.installments)
    index = next((n for n, item in enumerate(items) if item.sequence == sequence), None)
    if index is None:
        raise CallError(key("case.problem.no_installment"))
    old = items[index]
    items[index] = Installment(
        sequence=old.sequence,
        due_date=due_date or old.due_date,
        amount=old.amount if amount is None else amount,
    )
    plan = PlanTerms(
        total=draft.plan.total,
        frequency=draft.plan.frequency,
        installments=tuple(items),
        edited=True,
    )
    return _with(draft, plan=plan.model_dump())


def solve_dispute(
    draft: CallDraft, *, invoice_ids: Sequence[int], reason: str, owner: str
) -> CallDraft:
    terms = DisputeTerms(
        invoice_ids=tuple(dict.fromkeys(invoice_ids)), reason=reason.strip(), owner=owner.strip()
    )
    return _solved(draft, Resolution.DISPUTE, dispute=terms.model_dump())


def solve_payment_claimed(
    draft: CallDraft, *, amount: Decimal, paid_on: date, reference: str = ""
) -> CallDraft:
    terms = PaymentClaim(amount=amount, paid_on=paid_on, reference=reference.strip())
    return _solved(draft, Resolution.PAYMENT_CLAIMED, payment_claim=terms.model_dump())


def escalation(stage: Stage) -> Stage:
    """The next step after a refusal: the rung after the phone call (the last rung pursued)."""
    reached = later_stage(stage, Stage.PHONE_REMINDER)
    return next_stage(reached) or reached


def solve_refusal(draft: CallDraft, prep: CallPreparation) -> CallDraft:
    """The debtor will not pay: the rung after the phone call on the ladder is suggested."""
    terms = RefusalTerms(suggested_stage=escalation(prep.stage))
    return _solved(draft, Resolution.REFUSAL, refusal=terms.model_dump())


def solve_callback(
    draft: CallDraft,
    prep: CallPreparation,
    *,
    due_at: datetime | None = None,
    reason: str = "",
    now: datetime,
    hours: CallingHours,
) -> CallDraft:
    """The right person asked to be called back (tomorrow's first window by default)."""
    proposed = propose_callback(draft, prep, now=now, hours=hours)
    terms = CallbackTerms(
        due_at=due_at or proposed.due_at,
        contact_id=draft.contact_id,
        phone_id=draft.phone_id,
        reason=reason.strip(),
    )
    return _solved(draft, Resolution.CALLBACK, callback=terms.model_dump())


def default_follow_up(draft: CallDraft, *, today: date) -> tuple[date | None, str]:
    """(next follow-up date, next action code) implied by what was agreed. A check the day
    after a date falls on a working day (a promise for 31/12 is checked on 04/01, not on New
    Year's Day); a callback keeps its own time, already within calling hours."""
    if not draft.reached or draft.resolution is Resolution.CALLBACK:
        if draft.callback is None:
            return None, ""
        return draft.callback.due_at.date(), NextAction.CALLBACK.value
    follow_up, action = _follow_up(draft, today=today)
    if follow_up is not None and follow_up > today:
        follow_up = working_day_on_or_after(follow_up)
    return follow_up, action


def _follow_up(draft: CallDraft, *, today: date) -> tuple[date | None, str]:
    one = timedelta(days=1)
    if draft.resolution is Resolution.PROMISE and draft.promise:
        return draft.promise.due_date + one, NextAction.CHECK_PROMISE.value
    if draft.resolution is Resolution.PLAN and draft.plan:
        return draft.plan.first_date + one, NextAction.CHECK_PLAN.value
    if draft.resolution is Resolution.DISPUTE:
        return today + timedelta(days=DISPUTE_FOLLOW_UP_DAYS), NextAction.FOLLOW_DISPUTE.value
    if draft.resolution is Resolution.PAYMENT_CLAIMED and draft.payment_claim:
        return draft.payment_claim.check_by + one, NextAction.VERIFY_PAYMENT.value
    if draft.resolution is Resolution.REFUSAL and draft.refusal:
        stage = draft.refusal.suggested_stage
        return today, stage.value if stage else ""
    return None, ""


def conclude(
    draft: CallDraft,
    prep: CallPreparation,
    *,
    today: date,
    agent_name: str = "",
    now: datetime | None = None,
) -> CallDraft:
    """Go to Conclude: default follow-up date and next action, and the recap to send. `now`
    marks the end of the conversation (talk time)."""
    if draft.reached and draft.resolution is None:
        raise CallError(key("case.problem.no_resolution"))
    follow_up, action = default_follow_up(draft, today=today)
    recap = recap_text(draft, prep, agent_name=agent_name) if draft.reached else ""
    changes: dict[str, Any] = {
        "step": CallStep.CONCLUDE,
        "follow_up_on": follow_up,
        "next_action": action,
        "recap": recap,
        "talk_ended_at": now,
    }
    if draft.contact_update is None and draft.contact_id is not None and draft.reached:
        changes["contact_update"] = ContactUpdate(contact_id=draft.contact_id).model_dump()
    return _with(draft, **changes)


def set_follow_up(draft: CallDraft, on: date | None) -> CallDraft:
    return _with(draft, follow_up_on=on)


def set_recap(draft: CallDraft, text: str) -> CallDraft:
    return _with(draft, recap=text)


def update_contact(
    draft: CallDraft,
    *,
    contact_id: int,
    email: str | None = None,
    new_phone: str | None = None,
    confirmed: bool = True,
) -> CallDraft:
    """Contact details confirmed as they are (defaults) or corrected."""
    update = ContactUpdate(
        contact_id=contact_id,
        confirmed=confirmed,
        email=email.strip() if email is not None else None,
        new_phone=new_phone.strip() if new_phone else None,
    )
    return _with(draft, contact_update=update.model_dump())


def call_durations(draft: CallDraft, saved_at: datetime) -> tuple[int, int]:
    """(talk, handling) seconds: talk from the start to the end of the conversation (or to the
    save when Conclude never marked it), handling from the start to the save, wrap-up included;
    neither counts the time the call lay dead before it was resumed."""
    paused = draft.paused_seconds
    handling = max(0, int((saved_at - draft.started_at).total_seconds()) - paused)
    ended = draft.talk_ended_at or saved_at
    talk = int((ended - draft.started_at).total_seconds()) - paused
    return min(max(0, talk), handling), handling


def resume_call(draft: CallDraft, *, last_saved_at: datetime, now: datetime) -> CallDraft:
    """The draft of a call whose session was lost, taken up again: the time since its last save
    (kept at least once a minute while the call was open) is a pause, not call time. A pause
    after the conversation had ended moves its end along, so that the talk time stays whole."""
    pause = max(0, int((now - last_saved_at).total_seconds()))
    ended = draft.talk_ended_at
    return _with(
        draft,
        paused_seconds=draft.paused_seconds + pause,
        talk_ended_at=None if ended is None else ended + timedelta(seconds=pause),
    )


def go_back(draft: CallDraft) -> CallDraft:
    """One step back (from Conclude of an unreached call: back to Identify)."""
    if draft.step is CallStep.CONCLUDE:
        target = CallStep.SOLVE if draft.reached else CallStep.IDENTIFY
    else:
        order = list(CallStep)
        target = order[max(order.index(draft.step) - 1, 0)]
    if target is CallStep.IDENTIFY:
        return _with(
            draft,
            step=target,
            outcome=None,
            callback=None,
            next_action="",
            follow_up_on=None,
            talk_ended_at=None,
        )
    return _with(draft, step=target, talk_ended_at=None)


def reminders(draft: CallDraft) -> tuple[Key, ...]:
    """What the agent should tell the debtor for the chosen solution (translation keys)."""
    keys: list[Key] = []
    if draft.resolution is Resolution.PROMISE:
        keys.append(key("case.reminder.written_proof"))
    if draft.resolution is Resolution.PLAN:
        keys += [key("case.reminder.plan_whole_balance"), key("case.reminder.written_proof")]
    if draft.resolution is Resolution.DISPUTE:
        keys.append(key("case.reminder.dispute_hold"))
    if draft.resolution is Resolution.PAYMENT_CLAIMED:
        keys.append(key("case.reminder.payment_to_verify"))
    if draft.resolution is Resolution.REFUSAL:
        keys.append(key("case.reminder.escalation"))
    return tuple(keys)


# --- Validation -------------------------------------------------------------------------------


def problems(draft: CallDraft, prep: CallPreparation, *, today: date) -> tuple[Key, ...]:
    """What prevents recording the call now (translation keys); empty when it can be saved."""
    found: list[Key] = []
    if draft.case_id != prep.case_id:
        found.append(key("case.problem.other_case"))
    if draft.outcome is None:
        found.append(key("case.problem.no_outcome"))
    elif draft.step is not CallStep.CONCLUDE:
        found.append(key("case.problem.not_concluded"))
    if draft.phone_id is None or prep.phone(draft.phone_id) is None:
        found.append(key("case.problem.no_phone"))
    if not draft.reached:
        if draft.outcome is not None and draft.callback is None:
            found.append(key("case.problem.no_callback"))
        return tuple(found)
    if draft.cause is None:
        found.append(key("case.problem.no_cause"))
    if draft.resolution is None:
        found.append(key("case.problem.no_resolution"))
    balance = prep.balance
    if draft.resolution is Resolution.PROMISE and draft.promise:
        if draft.promise.due_date < today:
            found.append(key("case.problem.date_in_past"))
        if draft.promise.amount > balance:
            found.append(key("case.problem.amount_above_balance"))
    if draft.resolution is Resolution.PLAN and draft.plan:
        plan = draft.plan
        if plan.scheduled != plan.total:
            found.append(key("case.problem.plan_total"))
        if plan.total > balance:
            found.append(key("case.problem.amount_above_balance"))
        if plan.first_date < today:
            found.append(key("case.problem.date_in_past"))
        dates = [item.due_date for item in plan.installments]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            found.append(key("plan.dates_not_increasing"))
    if draft.resolution is Resolution.DISPUTE and draft.dispute:
        open_ids = {i.invoice_id for i in prep.invoices if not i.in_dispute}
        if not set(draft.dispute.invoice_ids) <= open_ids:
            found.append(key("case.problem.dispute_invoices"))
        if not draft.dispute.reason:
            found.append(key("case.problem.dispute_reason"))
        if not draft.dispute.owner:
            found.append(key("case.problem.dispute_owner"))
    claim = draft.payment_claim
    if draft.resolution is Resolution.PAYMENT_CLAIMED and claim and claim.paid_on > today:
        found.append(key("case.problem.claim_in_future"))
    if draft.resolution is Resolution.CALLBACK and draft.callback is None:
        found.append(key("case.problem.no_callback"))
    if draft.follow_up_on is not None and draft.follow_up_on < today:
        found.append(key("case.problem.follow_up_in_past"))
    return tuple(found)


# --- The recap (written confirmation) ---------------------------------------------------------


def format_amount(amount: Decimal, language: str = "fr") -> str:
    """`1 234,56 €` in French (narrow no-break space), `€1,234.56` in English."""
    units, cents = divmod(int(amount.quantize(CENT) * 100), 100)
    if language == "fr":
        return f"{units:,}".replace(",", "\u202f") + f",{cents:02d}\u00a0€"
    return f"€{units:,}.{cents:02d}"


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def recap_text(
    draft: CallDraft, prep: CallPreparation, *, agent_name: str = "", language: str = "fr"
) -> str:
    """The confirmation of what was agreed, ready to send by e-mail or letter. French by default
    (the debtor reads French whatever the agent's language); editable before saving."""

    def money(amount: Decimal) -> str:
        return format_amount(amount, language)

    contact = prep.contact(draft.contact_id)
    lines = [
        t_in(language, "case.recap.subject", day=_day(draft.started_at.date())),
        "",
        t_in(language, "case.recap.salutation"),
        "",
    ]
    lines.append(
        t_in(
            language,
            "case.recap.opening_with" if contact else "case.recap.opening",
            contact=contact.name if contact else "",
            debtor=prep.debtor_name,
            balance=money(prep.balance),
        )
    )
    invoices = {i.invoice_id: i for i in prep.invoices}
    if draft.resolution is Resolution.PROMISE and draft.promise:
        lines.append(
            t_in(
                language,
                "case.recap.promise",
                amount=money(draft.promise.amount),
                day=_day(draft.promise.due_date),
            )
        )
    elif draft.resolution is Resolution.PLAN and draft.plan:
        plan = draft.plan
        lines.append(
            t_in(language, "case.recap.plan", count=len(plan.installments), total=money(plan.total))
        )
        lines += [
            t_in(
                language,
                "case.recap.installment",
                n=item.sequence,
                day=_day(item.due_date),
                amount=money(item.amount),
            )
            for item in plan.installments
        ]
        lines.append(t_in(language, "case.recap.plan_whole_balance"))
    elif draft.resolution is Resolution.DISPUTE and draft.dispute:
        numbers = ", ".join(invoices[i].number for i in draft.dispute.invoice_ids if i in invoices)
        lines.append(
            t_in(language, "case.recap.dispute", invoices=numbers, reason=draft.dispute.reason)
        )
    elif draft.resolution is Resolution.PAYMENT_CLAIMED and draft.payment_claim:
        claim = draft.payment_claim
        reference = (
            t_in(language, "case.recap.reference", reference=claim.reference)
            if claim.reference
            else ""
        )
        lines.append(
            t_in(
                language,
                "case.recap.payment_claimed",
                amount=money(claim.amount),
                day=_day(claim.paid_on),
                reference=reference,
            )
        )
    elif draft.resolution is Resolution.REFUSAL:
        lines.append(t_in(language, "case.recap.refusal"))
    elif draft.resolution is Resolution.CALLBACK:
        lines.append(t_in(language, "case.recap.callback"))
    if draft.resolution in (Resolution.PROMISE, Resolution.PLAN):
        lines.append(t_in(language, "case.recap.please_confirm"))
    lines += ["", t_in(language, "case.recap.closing")]
    if agent_name:
        lines += ["", agent_name]
    return "\n".join(lines)
