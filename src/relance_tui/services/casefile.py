"""The case file an agent opens (docs/scenarios.md §2): one read model, built per case.

`load_case_file` builds the whole `CaseFile` — summary (with the score breakdown and the B2B late
penalties accrued so far), invoices, contacts with the local time at each number, contracts, one
merged history newest first, disputes, commitments, warnings, and the `CallPreparation` the call
checklist starts from — with a dozen indexed per-case queries (about 2 ms on a 1 000 000-invoice
database). Writes live in `services.casework` (outside a call) and `services.calls` (a call).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from relance_tui.config import Settings
from relance_tui.domain.calling_hours import (
    CALL_TIME_ISSUE_KEYS,
    CallTimeCheck,
    CallTimeIssue,
    check_call_time,
)
from relance_tui.domain.calls import (
    CallPreparation,
    ContactOption,
    InvoiceOption,
    PhoneOption,
    best_contact,
)
from relance_tui.domain.clock import PARIS, aware, business_day
from relance_tui.domain.clock import utc_iso as iso
from relance_tui.domain.labels import (
    CALLBACK_STATUS_KEYS,
    DISPUTE_STATUS_KEYS,
    OUTCOME_KEYS,
    PLAN_STATUS_KEYS,
    PROMISE_STATUS_KEYS,
    STAGE_KEYS,
    next_action_label,
)
from relance_tui.domain.models import (
    CallbackStatus,
    CallOutcome,
    Cause,
    ContactRole,
    DisputeStatus,
    Frequency,
    InstallmentStatus,
    InvoiceStatus,
    PayerType,
    PlanStatus,
    PromiseStatus,
    Segment,
    Stage,
    from_cents,
    to_cents,
)
from relance_tui.domain.penalties import PenaltySummary, RateTable
from relance_tui.domain.phones import PhoneKind, format_national
from relance_tui.formatting import day, money, number
from relance_tui.i18n import t, tn
from relance_tui.services.penalties import case_figures
from relance_tui.storage import casework as store

ATTEMPT_WINDOW = timedelta(days=7)


# --- The case file ----------------------------------------------------------------------------


def _moment(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return aware(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


def _day(value: object) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case_id: int
    debtor_id: int
    debtor_reference: str
    debtor_name: str
    siren: str | None
    segment: Segment
    payer_type: PayerType
    strategic: bool
    risk_score: int
    address: str
    postal_code: str
    city: str
    status: str  # open / closed
    stage: Stage
    next_action: str  # code (see next_action_label)
    next_action_label: str
    next_action_on: date | None
    assigned_agent: str | None  # login
    assigned_agent_name: str | None
    overdue: Decimal  # money overdue, disputed invoices excluded
    disputed: Decimal
    balance: Decimal  # everything still due on open invoices, overdue or not
    oldest_due_date: date | None
    days_late: int  # of the oldest overdue invoice
    open_invoices: int
    urgency: int
    priority: float
    score_parts: dict[str, float]  # {part: share of the priority}, see domain.scoring
    prescription_on: date | None
    last_contact_at: datetime | None
    promises_kept: int
    promises_broken: int
    promises_partly_kept: int
    # learned from the debtor's ledger (domain.behaviour)
    avg_days_late: float
    share_paid_late: float
    history_invoices: int
    credit: Decimal  # paid and not applied to any invoice (an over-payment)
    insolvency_since: date | None
    penalties: PenaltySummary  # by law for the debtor's kind (services.penalties)
    version: int


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    invoice_id: int
    number: str
    po_reference: str
    contract_reference: str | None
    issue_date: date
    due_date: date
    amount: Decimal
    outstanding: Decimal
    status: InvoiceStatus
    days_late: int  # 0 when not yet due or paid
    in_dispute: bool
    paid_on: date | None


@dataclass(frozen=True, slots=True)
class PhoneLine:
    phone_id: int
    display: str  # national format (international for foreign numbers)
    raw: str
    kind: PhoneKind
    region: str | None
    time_zone: str | None
    valid: bool
    marked_invalid: bool
    call_time: CallTimeCheck  # the local time at the number now, and whether it may be called

    @property
    def usable(self) -> bool:
        return self.valid and not self.marked_invalid

    @property
    def local_time(self) -> datetime:
        return self.call_time.local_time


@dataclass(frozen=True, slots=True)
class ContactLine:
    contact_id: int
    name: str
    role: ContactRole
    email: str
    preferred_channel: str
    opposed: bool  # opposed to being contacted
    phones: tuple[PhoneLine, ...]


@dataclass(frozen=True, slots=True)
class ContractLine:
    contract_id: int
    reference: str
    title: str
    start_date: date
    end_date: date | None
    payment_terms_days: int
    end_of_month: bool


class HistoryKind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"
    REGISTERED_LETTER = "registered_letter"
    NOTE = "note"
    PAYMENT = "payment"
    PROMISE = "promise"
    PAYMENT_CLAIMED = "payment_claimed"
    PLAN = "plan"
    DISPUTE = "dispute"
    CALLBACK = "callback"


# The title of an interaction (by its channel) and of a promise; the other kinds say more.
HISTORY_KEYS: dict[str, str] = {
    HistoryKind.CALL: "case.history.call",
    HistoryKind.EMAIL: "case.history.email",
    HistoryKind.SMS: "case.history.sms",
    HistoryKind.LETTER: "case.history.letter",
    HistoryKind.REGISTERED_LETTER: "case.history.registered_letter",
    HistoryKind.NOTE: "case.history.note",
    HistoryKind.PROMISE: "case.history.promise",
    HistoryKind.PAYMENT_CLAIMED: "case.history.payment_claimed",
}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One fact in the case's life. `title` is ready to show; the other fields are for columns."""

    at: datetime  # UTC; a date-only fact (a payment) is at midnight Paris time
    kind: HistoryKind
    who: str  # agent login, or the import that brought a payment
    title: str
    notes: str = ""
    amount: Decimal | None = None
    status: str = ""
    outcome: CallOutcome | None = None
    cause: Cause | None = None
    ref_id: int = 0  # id in its own table


@dataclass(frozen=True, slots=True)
class DisputeLine:
    dispute_id: int
    reason: str
    owner: str
    opened_on: date
    opened_by: str | None
    status: DisputeStatus
    resolution: str | None
    resolved_on: date | None
    invoice_numbers: str
    outstanding: Decimal
    notes: str


@dataclass(frozen=True, slots=True)
class PromiseLine:
    promise_id: int
    kind: str  # promise / payment_claimed
    amount: Decimal
    due_date: date
    status: PromiseStatus
    proof_requested: bool
    claimed_paid_on: date | None
    created_at: datetime | None
    created_by: str | None
    settled_on: date | None
    paid: Decimal = Decimal(0)  # counted towards it when it was settled
    late_paid: Decimal = Decimal(0)  # partly kept: what came in towards the rest since
    rest_paid_on: date | None = None  # partly kept: the day the rest was all in

    @property
    def missing(self) -> Decimal:
        return max(self.amount - self.paid - self.late_paid, Decimal(0))


def promise_money_text(promise: PromiseLine) -> str:
    """What a partly kept promise's money came to: paid and missing, or when the rest came
    ("" for the other statuses)."""
    if promise.status is not PromiseStatus.PARTLY_KEPT:
        return ""
    if promise.rest_paid_on is not None:
        return t(
            "promises_partial.rest_paid",
            paid=money(to_cents(promise.paid)),
            day=day(promise.rest_paid_on),
        )
    return t(
        "promises_partial.missing",
        paid=money(to_cents(promise.paid + promise.late_paid)),
        missing=money(to_cents(promise.missing)),
    )


@dataclass(frozen=True, slots=True)
class InstallmentLine:
    installment_id: int
    sequence: int
    due_date: date
    amount: Decimal
    paid: Decimal
    status: InstallmentStatus


@dataclass(frozen=True, slots=True)
class PlanLine:
    plan_id: int
    frequency: Frequency
    total: Decimal
    status: PlanStatus
    created_at: datetime | None
    created_by: str | None
    installments: tuple[InstallmentLine, ...]


@dataclass(frozen=True, slots=True)
class CallbackLine:
    callback_id: int
    due_at: datetime
    status: CallbackStatus
    reason: str
    contact_id: int | None
    contact_name: str | None
    phone_id: int | None
    phone_display: str
    created_by: str | None


class WarningKind(StrEnum):
    OUTSIDE_CALLING_HOURS = "outside_calling_hours"
    CONTACT_OPPOSED = "contact_opposed"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    OPEN_DISPUTE = "open_dispute"
    PRESCRIPTION_CLOSE = "prescription_close"
    PRESCRIPTION_PASSED = "prescription_passed"
    NO_USABLE_PHONE = "no_usable_phone"
    INSOLVENCY = "insolvency"


@dataclass(frozen=True, slots=True)
class CaseWarning:
    kind: WarningKind
    message: str  # translated
    contact_id: int | None = None
    phone_id: int | None = None


@dataclass(frozen=True, slots=True)
class CaseFile:
    summary: CaseSummary
    invoices: tuple[InvoiceLine, ...]
    contacts: tuple[ContactLine, ...]
    contracts: tuple[ContractLine, ...]
    history: tuple[HistoryEntry, ...]  # newest first
    disputes: tuple[DisputeLine, ...]
    promises: tuple[PromiseLine, ...]
    plans: tuple[PlanLine, ...]
    callbacks: tuple[CallbackLine, ...]
    warnings: tuple[CaseWarning, ...]
    attempts_last_7_days: int
    preparation: CallPreparation  # what the call checklist starts from
    suggested: tuple[int, int] | None = field(default=None)  # (contact id, phone id) to call


class CaseNotFoundError(LookupError):
    def __init__(self, case_id: int) -> None:
        super().__init__(case_id)
        self.case_id = case_id


def _phone_display(e164: object, raw: object) -> str:
    return format_national(str(e164) if e164 else None, str(raw or ""))


def _phones_by_contact(
    rows: Sequence[sqlite3.Row], settings: Settings, now: datetime, postal_code: str
) -> dict[int, list[PhoneLine]]:
    hours = settings.contact.calling_hours
    out: dict[int, list[PhoneLine]] = {}
    for row in rows:
        region = row["region"]
        line = PhoneLine(
            phone_id=int(row["id"]),
            display=_phone_display(row["e164"], row["raw"]),
            raw=str(row["raw"]),
            kind=PhoneKind(row["kind"]),
            region=region,
            time_zone=row["time_zone"],
            valid=bool(row["valid"]),
            marked_invalid=row["marked_invalid_at"] is not None,
            call_time=check_call_time(
                now, hours, time_zone=row["time_zone"], region=region, postal_code=postal_code
            ),
        )
        out.setdefault(int(row["contact_id"]), []).append(line)
    return out


def _history(
    interactions: Sequence[sqlite3.Row],
    payments: Sequence[sqlite3.Row],
    promises: Sequence[PromiseLine],
    plans: Sequence[PlanLine],
    disputes: Sequence[DisputeLine],
    callbacks: Sequence[CallbackLine],
) -> tuple[HistoryEntry, ...]:
    entries: list[HistoryEntry] = []
    for row in interactions:
        channel = str(row["channel"])
        outcome = CallOutcome(row["outcome"]) if row["outcome"] else None
        cause = Cause(row["cause"]) if row["cause"] else None
        title = t(HISTORY_KEYS[channel])
        if outcome is not None:
            title += " — " + t(OUTCOME_KEYS[outcome])
        if row["message_left"]:
            title += " · " + t("call.message_left")
        if row["contact"]:
            title += f" ({row['contact']})"
        if row["letter_kind"]:
            kind = str(row["letter_kind"])
            title += " — " + (t(STAGE_KEYS[kind]) if kind in STAGE_KEYS else kind)
        entries.append(
            HistoryEntry(
                at=_moment(row["occurred_at"]) or datetime.min.replace(tzinfo=UTC),
                kind=HistoryKind(channel),
                who=str(row["agent"] or ""),
                title=title,
                notes=str(row["notes"] or ""),
                outcome=outcome,
                cause=cause,
                ref_id=int(row["id"]),
            )
        )
    for row in payments:
        received = _day(row["received_on"]) or date.min
        suffix = f" — {row['invoice_number']}" if row["invoice_number"] else ""
        entries.append(
            HistoryEntry(
                at=datetime.combine(received, datetime.min.time(), PARIS).astimezone(UTC),
                kind=HistoryKind.PAYMENT,
                who=str(row["created_by"] or ""),
                title=t("case.history.payment") + suffix,
                amount=from_cents(int(row["amount_cents"])),
                ref_id=int(row["id"]),
            )
        )
    for promise in promises:
        kind = (
            HistoryKind.PAYMENT_CLAIMED
            if promise.kind == "payment_claimed"
            else HistoryKind.PROMISE
        )
        entries.append(
            HistoryEntry(
                at=promise.created_at or datetime.min.replace(tzinfo=UTC),
                kind=kind,
                who=promise.created_by or "",
                title=t(HISTORY_KEYS[kind], day=promise.due_date.strftime("%d/%m/%Y")),
                amount=promise.amount,
                status=" — ".join(
                    text
                    for text in (
                        t(PROMISE_STATUS_KEYS[promise.status]),
                        promise_money_text(promise),
                    )
                    if text
                ),
                ref_id=promise.promise_id,
            )
        )
    for plan in plans:
        entries.append(
            HistoryEntry(
                at=plan.created_at or datetime.min.replace(tzinfo=UTC),
                kind=HistoryKind.PLAN,
                who=plan.created_by or "",
                title=tn("case.history.plan", len(plan.installments)),
                amount=plan.total,
                status=t(PLAN_STATUS_KEYS[plan.status]),
                ref_id=plan.plan_id,
            )
        )
    for dispute in disputes:
        entries.append(
            HistoryEntry(
                at=datetime.combine(dispute.opened_on, datetime.min.time(), PARIS).astimezone(UTC),
                kind=HistoryKind.DISPUTE,
                who=dispute.opened_by or "",
                title=t("case.history.dispute", invoices=dispute.invoice_numbers),
                notes=dispute.reason,
                amount=dispute.outstanding,
                status=t(DISPUTE_STATUS_KEYS[dispute.status]),
                ref_id=dispute.dispute_id,
            )
        )
    for callback in callbacks:
        entries.append(
            HistoryEntry(
                at=callback.due_at,
                kind=HistoryKind.CALLBACK,
                who=callback.created_by or "",
                title=t("case.history.callback"),
                notes=callback.reason,
                status=t(CALLBACK_STATUS_KEYS[callback.status]),
                ref_id=callback.callback_id,
            )
        )
    entries.sort(key=lambda entry: (entry.at, entry.kind.value, entry.ref_id), reverse=True)
    return tuple(entries)


def _score_parts(text: object) -> dict[str, float]:
    try:
        data = json.loads(str(text or "{}"))
    except ValueError:
        return {}
    return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


def load_case_file(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    now: datetime,
    settings: Settings,
    rates: RateTable | None = None,
) -> CaseFile:
    """Everything the case screen shows. Raises CaseNotFoundError for an unknown case."""
    now = aware(now)
    today = business_day(now)
    head = store.case_header(conn, case_id)
    if head is None:
        raise CaseNotFoundError(case_id)
    debtor_id = int(head["debtor_id"])
    segment = Segment(head["segment"])
    postal_code = str(head["postal_code"] or "")

    invoices: list[InvoiceLine] = []
    for row in store.case_invoices(conn, debtor_id):
        due = date.fromisoformat(row["due_date"])
        outstanding = int(row["outstanding_cents"])
        status = InvoiceStatus(row["status"])
        open_ = outstanding > 0 and status in (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
        invoices.append(
            InvoiceLine(
                invoice_id=int(row["id"]),
                number=str(row["number"]),
                po_reference=str(row["po_reference"] or ""),
                contract_reference=row["contract"],
                issue_date=date.fromisoformat(row["issue_date"]),
                due_date=due,
                amount=from_cents(int(row["amount_cents"])),
                outstanding=from_cents(outstanding),
                status=status,
                days_late=max((today - due).days, 0) if open_ else 0,
                in_dispute=bool(row["in_dispute"]),
                paid_on=_day(row["paid_on"]),
            )
        )
    open_invoices = [
        i
        for i in invoices
        if i.outstanding > 0 and i.status in (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID)
    ]

    # Late penalties by law for the debtor's kind, and the prescription date (services.penalties).
    figures = case_figures(
        conn,
        case_id=case_id,
        debtor_id=debtor_id,
        segment=segment.value,
        insolvency=head["insolvency_since"] is not None,
        today=today,
        rates=rates,
    )
    penalties = figures.penalties

    contact_rows = store.debtor_contacts(conn, debtor_id)
    phones = _phones_by_contact(
        store.contact_phones(conn, [int(r["id"]) for r in contact_rows]),
        settings,
        now,
        postal_code,
    )
    contacts = tuple(
        ContactLine(
            contact_id=int(row["id"]),
            name=str(row["name"]),
            role=ContactRole(row["role"]),
            email=str(row["email"] or ""),
            preferred_channel=str(row["preferred_channel"]),
            opposed=bool(row["opposed_to_contact"]),
            phones=tuple(phones.get(int(row["id"]), ())),
        )
        for row in contact_rows
    )
    contracts = tuple(
        ContractLine(
            contract_id=int(row["id"]),
            reference=str(row["reference"]),
            title=str(row["title"]),
            start_date=date.fromisoformat(row["start_date"]),
            end_date=_day(row["end_date"]),
            payment_terms_days=int(row["payment_terms_days"]),
            end_of_month=bool(row["end_of_month"]),
        )
        for row in store.debtor_contracts(conn, debtor_id)
    )
    promises = tuple(
        PromiseLine(
            promise_id=int(row["id"]),
            kind=str(row["kind"]),
            amount=from_cents(int(row["amount_cents"])),
            due_date=date.fromisoformat(row["due_date"]),
            status=PromiseStatus(row["status"]),
            proof_requested=bool(row["proof_requested"]),
            claimed_paid_on=_day(row["claimed_paid_on"]),
            created_at=_moment(row["created_at"]),
            created_by=row["agent"],
            settled_on=_day(row["settled_on"]),
            paid=from_cents(int(row["paid_cents"])),
            late_paid=from_cents(int(row["late_paid_cents"])),
            rest_paid_on=_day(row["rest_paid_on"]),
        )
        for row in store.case_promises(conn, case_id)
    )
    plan_rows = store.case_plans(conn, case_id)
    installments: dict[int, list[InstallmentLine]] = {}
    for row in store.plan_installments(conn, [int(r["id"]) for r in plan_rows]):
        installments.setdefault(int(row["plan_id"]), []).append(
            InstallmentLine(
                installment_id=int(row["id"]),
                sequence=int(row["sequence"]),
                due_date=date.fromisoformat(row["due_date"]),
                amount=from_cents(int(row["amount_cents"])),
                paid=from_cents(int(row["paid_cents"])),
                status=InstallmentStatus(row["status"]),
            )
        )
    plans = tuple(
        PlanLine(
            plan_id=int(row["id"]),
            frequency=Frequency(row["frequency"]),
            total=from_cents(int(row["total_cents"])),
            status=PlanStatus(row["status"]),
            created_at=_moment(row["created_at"]),
            created_by=row["agent"],
            installments=tuple(installments.get(int(row["id"]), ())),
        )
        for row in plan_rows
    )
    disputes = tuple(
        DisputeLine(
            dispute_id=int(row["id"]),
            reason=str(row["reason"]),
            owner=str(row["owner"]),
            opened_on=date.fromisoformat(row["opened_on"]),
            opened_by=row["agent"],
            status=DisputeStatus(row["status"]),
            resolution=row["resolution"],
            resolved_on=_day(row["resolved_on"]),
            invoice_numbers=str(row["invoices"] or ""),
            outstanding=from_cents(int(row["outstanding"] or 0)),
            notes=str(row["notes"] or ""),
        )
        for row in store.case_disputes(conn, case_id)
    )
    callbacks = tuple(
        CallbackLine(
            callback_id=int(row["id"]),
            due_at=_moment(row["due_at"]) or now,
            status=CallbackStatus(row["status"]),
            reason=str(row["reason"] or ""),
            contact_id=row["contact_id"],
            contact_name=row["contact"],
            phone_id=row["phone_id"],
            phone_display=_phone_display(row["e164"], row["phone_raw"]) if row["phone_id"] else "",
            created_by=row["agent"],
        )
        for row in store.case_callbacks(conn, case_id)
    )
    interactions = store.case_interactions(conn, case_id)
    history = _history(
        interactions, store.debtor_payments(conn, debtor_id), promises, plans, disputes, callbacks
    )
    attempts = store.call_attempts_since(conn, case_id, iso(now - ATTEMPT_WINDOW))

    oldest = _day(head["oldest_due_date"])
    summary = CaseSummary(
        case_id=case_id,
        debtor_id=debtor_id,
        debtor_reference=str(head["reference"]),
        debtor_name=str(head["legal_name"]),
        siren=head["siren"],
        segment=segment,
        payer_type=PayerType(head["payer_type"]),
        strategic=bool(head["strategic"]),
        risk_score=int(head["risk_score"]),
        address=str(head["address"] or ""),
        postal_code=postal_code,
        city=str(head["city"] or ""),
        status=str(head["status"]),
        stage=Stage(head["stage"]),
        next_action=str(head["next_action"] or ""),
        next_action_label=next_action_label(str(head["next_action"] or "")),
        next_action_on=_day(head["next_action_on"]),
        assigned_agent=head["agent_login"],
        assigned_agent_name=head["agent_name"],
        overdue=from_cents(int(head["overdue_cents"])),
        disputed=from_cents(int(head["disputed_cents"])),
        balance=sum((i.outstanding for i in open_invoices), Decimal("0.00")),
        oldest_due_date=oldest,
        days_late=max((today - oldest).days, 0) if oldest else 0,
        open_invoices=int(head["open_invoices"]),
        urgency=int(head["urgency"]),
        priority=float(head["priority"]),
        score_parts=_score_parts(head["score_parts"]),
        prescription_on=figures.prescription_on or _day(head["prescription_on"]),
        last_contact_at=_moment(head["last_contact_at"]),
        promises_kept=int(head["promises_kept"]),
        promises_broken=int(head["promises_broken"]),
        promises_partly_kept=int(head["promises_partly_kept"]),
        avg_days_late=float(head["avg_days_late"]),
        share_paid_late=float(head["share_paid_late"]),
        history_invoices=int(head["history_invoices"]),
        credit=from_cents(int(head["credit_cents"])),
        insolvency_since=_day(head["insolvency_since"]),
        penalties=penalties,
        version=int(head["version"]),
    )
    last_contacts = tuple(
        f"{entry.at.astimezone(PARIS):%d/%m/%Y %H:%M} {entry.who} — {entry.title}"
        for entry in history
        if entry.kind not in (HistoryKind.PAYMENT, HistoryKind.CALLBACK)
    )[:5]
    preparation = CallPreparation(
        case_id=case_id,
        debtor_name=summary.debtor_name,
        segment=segment,
        stage=summary.stage,
        postal_code=postal_code,
        overdue=summary.overdue,
        disputed=summary.disputed,
        invoices=tuple(
            InvoiceOption(i.invoice_id, i.number, i.due_date, i.outstanding, i.in_dispute)
            for i in open_invoices
        ),
        contacts=tuple(
            ContactOption(
                contact_id=c.contact_id,
                name=c.name,
                role=c.role,
                email=c.email,
                opposed=c.opposed,
                phones=tuple(
                    PhoneOption(
                        p.phone_id, p.display, p.kind, p.region, p.time_zone, p.usable, p.call_time
                    )
                    for p in c.phones
                ),
            )
            for c in contacts
        ),
        open_disputes=sum(1 for d in disputes if d.status is DisputeStatus.OPEN),
        attempts_last_7_days=attempts,
        last_contacts=last_contacts,
    )
    best = best_contact(preparation)
    suggested = (best[0].contact_id, best[1].phone_id) if best else None
    warnings = _warnings(summary, contacts, disputes, attempts, suggested, settings, today)
    preparation = dataclasses.replace(preparation, warnings=tuple(w.kind.value for w in warnings))
    return CaseFile(
        summary=summary,
        invoices=tuple(invoices),
        contacts=contacts,
        contracts=contracts,
        history=history,
        disputes=disputes,
        promises=promises,
        plans=plans,
        callbacks=callbacks,
        warnings=warnings,
        attempts_last_7_days=attempts,
        preparation=preparation,
        suggested=suggested,
    )


def _warnings(
    summary: CaseSummary,
    contacts: Sequence[ContactLine],
    disputes: Sequence[DisputeLine],
    attempts: int,
    suggested: tuple[int, int] | None,
    settings: Settings,
    today: date,
) -> tuple[CaseWarning, ...]:
    found: list[CaseWarning] = []
    if suggested is None:
        found.append(CaseWarning(WarningKind.NO_USABLE_PHONE, t("case.warning.no_usable_phone")))
    else:
        contact = next(c for c in contacts if c.contact_id == suggested[0])
        phone = next(p for p in contact.phones if p.phone_id == suggested[1])
        check = phone.call_time
        if not check.allowed:
            reason = t(CALL_TIME_ISSUE_KEYS[check.issue]) if check.issue else ""
            if check.issue is CallTimeIssue.HOLIDAY and check.holiday:
                reason = t("case.call_time.holiday_named", holiday=check.holiday)
            found.append(
                CaseWarning(
                    WarningKind.OUTSIDE_CALLING_HOURS,
                    t(
                        "case.warning.outside_calling_hours",
                        phone=phone.display,
                        local=f"{check.local_time:%H:%M}",
                        reason=reason,
                    ),
                    contact.contact_id,
                    phone.phone_id,
                )
            )
    for contact in contacts:
        if contact.opposed:
            found.append(
                CaseWarning(
                    WarningKind.CONTACT_OPPOSED,
                    t("case.warning.contact_opposed", name=contact.name),
                    contact.contact_id,
                )
            )
    cap = settings.contact.max_attempts_per_7_days
    if attempts >= cap:
        found.append(
            CaseWarning(
                WarningKind.TOO_MANY_ATTEMPTS,
                tn("case.warning.too_many_attempts", attempts, cap=number(cap)),
            )
        )
    open_disputes = [d for d in disputes if d.status is DisputeStatus.OPEN]
    if open_disputes:
        found.append(
            CaseWarning(
                WarningKind.OPEN_DISPUTE,
                tn(
                    "case.warning.open_dispute",
                    len(open_disputes),
                    invoices=", ".join(d.invoice_numbers for d in open_disputes),
                ),
            )
        )
    if summary.prescription_on is not None:
        left = (summary.prescription_on - today).days
        when = summary.prescription_on.strftime("%d/%m/%Y")
        if left < 0:
            found.append(
                CaseWarning(
                    WarningKind.PRESCRIPTION_PASSED, t("case.warning.prescription_passed", day=when)
                )
            )
        elif left <= settings.contact.prescription_warning_days:
            found.append(
                CaseWarning(
                    WarningKind.PRESCRIPTION_CLOSE,
                    tn("case.warning.prescription_close", left, day=when),
                )
            )
    if summary.insolvency_since is not None:
        found.append(
            CaseWarning(
                WarningKind.INSOLVENCY,
                t("case.warning.insolvency", day=summary.insolvency_since.strftime("%d/%m/%Y")),
            )
        )
    return tuple(found)


def entry_recap(conn: sqlite3.Connection, case_id: int, entry: HistoryEntry) -> str:
    """The recap of a call in the history (read when the agent opens the entry)."""
    if entry.kind is not HistoryKind.CALL or not entry.ref_id:
        return ""
    # Deferred: not loaded until first used (start-up time).
    from relance_tui.storage.audit import call_recap

    return call_recap(conn, case_id, entry.ref_id)
