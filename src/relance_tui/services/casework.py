"""Casework: the case file an agent opens, and everything recorded on it (SCENARIOS.md §2).

Reading: `load_case_file` builds the whole `CaseFile` (summary, invoices, contacts with the local
time at each number, contracts, one merged history, disputes, commitments, warnings, and the
`CallPreparation` the call checklist starts from) with a dozen indexed per-case queries.

Writing: `record_call` saves a finished `CallDraft` in one transaction; `record_promise`,
`record_dispute`, `schedule_callback` and `record_note` record what happens outside a call.
Every write is one `BEGIN IMMEDIATE` transaction with its audit events and the case's new score
(`services.queue.refresh_scores` runs inside it): nothing is ever half-saved.

Free text (notes, recap, dispute reason, callback reason) goes through `domain.notes_check`
first: text with findings is refused and the findings come back for the agent to reword; there
is no way to force it through.
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
from zoneinfo import ZoneInfo

from relance_tui.config import Settings, resolve_config_path
from relance_tui.domain.calling_hours import CallTimeCheck, CallTimeIssue, check_call_time
from relance_tui.domain.calls import (
    CallDraft,
    CallPreparation,
    ContactOption,
    InvoiceOption,
    NextAction,
    PhoneOption,
    Resolution,
    best_contact,
    problems,
)
from relance_tui.domain.followup import later_stage
from relance_tui.domain.models import (
    CallbackStatus,
    CallOutcome,
    Cause,
    ContactRole,
    DisputeStatus,
    Frequency,
    InstallmentStatus,
    InteractionChannel,
    InvoiceStatus,
    PayerType,
    PlanStatus,
    PromiseStatus,
    Segment,
    Stage,
    from_cents,
    to_cents,
)
from relance_tui.domain.notes_check import NoteFinding, check_notes
from relance_tui.domain.penalties import (
    LateInvoice,
    PenaltySummary,
    RateTable,
    case_penalties,
    load_rate_table,
)
from relance_tui.domain.phones import PhoneKind, format_national, parse_phone
from relance_tui.i18n import has_key, t
from relance_tui.storage import casework as store
from relance_tui.storage.agents import get_agent
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import append_audit, transaction

PARIS = ZoneInfo("Europe/Paris")
ATTEMPT_WINDOW = timedelta(days=7)

# --- The case file ----------------------------------------------------------------------------


def business_day(now: datetime) -> date:
    """The day in Paris (a naive `now` is taken as UTC)."""
    return _aware(now).astimezone(PARIS).date()


def _aware(now: datetime) -> datetime:
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return _aware(moment).astimezone(UTC).isoformat(timespec="seconds")


def _moment(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return _aware(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


def _day(value: object) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def next_action_label(code: str) -> str:
    """What `cases.next_action` means, in words: a ladder stage, a casework code, or free text."""
    if not code:
        return ""
    for key in (f"stage.{code}", f"case.next_action.{code}"):
        if has_key(key):
            return t(key)
    return code


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
    insolvency_since: date | None
    penalties: PenaltySummary  # B2B interest + 40 € per late invoice; empty for consumers
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
    RATE_ESTIMATED = "rate_estimated"


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


def rate_table() -> RateTable:
    """The user's `rates.toml` next to config.toml when there is one, else the shipped table."""
    return load_rate_table(resolve_config_path().parent / "rates.toml")


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
        title = t(f"case.history.{channel}")
        if outcome is not None:
            title += " — " + t(f"case.outcome.{outcome.value}")
        if row["contact"]:
            title += f" ({row['contact']})"
        if row["letter_kind"]:
            title += f" — {row['letter_kind']}"
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
                title=t(f"case.history.{kind.value}", day=promise.due_date.strftime("%d/%m/%Y")),
                amount=promise.amount,
                status=t(f"case.promise_status.{promise.status.value}"),
                ref_id=promise.promise_id,
            )
        )
    for plan in plans:
        entries.append(
            HistoryEntry(
                at=plan.created_at or datetime.min.replace(tzinfo=UTC),
                kind=HistoryKind.PLAN,
                who=plan.created_by or "",
                title=t("case.history.plan", count=len(plan.installments)),
                amount=plan.total,
                status=t(f"case.plan_status.{plan.status.value}"),
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
                status=t(f"case.dispute_status.{dispute.status.value}"),
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
                status=t(f"case.callback_status.{callback.status.value}"),
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
    now = _aware(now)
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

    # Late penalties (B2B): on overdue invoices not in dispute, with their partial payments.
    late = [i for i in open_invoices if i.due_date < today and not i.in_dispute]
    paid_by_invoice: dict[int, list[tuple[date, Decimal]]] = {}
    for row in store.invoice_payments(conn, [i.invoice_id for i in late]):
        paid_by_invoice.setdefault(int(row["invoice_id"]), []).append(
            (date.fromisoformat(row["received_on"]), from_cents(int(row["amount_cents"])))
        )
    penalties = case_penalties(
        (
            LateInvoice(
                i.number, i.due_date, i.outstanding, tuple(paid_by_invoice.get(i.invoice_id, ()))
            )
            for i in late
        ),
        today=today,
        rates=rates or rate_table(),
        consumer=segment is Segment.CONSUMER,
        insolvency=head["insolvency_since"] is not None,
    )

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
    attempts = store.call_attempts_since(conn, case_id, _iso(now - ATTEMPT_WINDOW))

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
        prescription_on=_day(head["prescription_on"]),
        last_contact_at=_moment(head["last_contact_at"]),
        promises_kept=int(head["promises_kept"]),
        promises_broken=int(head["promises_broken"]),
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
            reason = t(f"case.call_time.{check.issue.value}" if check.issue else "")
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
                t("case.warning.too_many_attempts", count=attempts, cap=cap),
            )
        )
    open_disputes = [d for d in disputes if d.status is DisputeStatus.OPEN]
    if open_disputes:
        found.append(
            CaseWarning(
                WarningKind.OPEN_DISPUTE,
                t(
                    "case.warning.open_dispute",
                    count=len(open_disputes),
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
                    t("case.warning.prescription_close", day=when, days=left),
                )
            )
    if summary.insolvency_since is not None:
        found.append(
            CaseWarning(
                WarningKind.INSOLVENCY,
                t("case.warning.insolvency", day=summary.insolvency_since.strftime("%d/%m/%Y")),
            )
        )
    if summary.penalties.estimated:
        found.append(CaseWarning(WarningKind.RATE_ESTIMATED, t("case.warning.rate_estimated")))
    return tuple(found)


def preparation_for(
    conn: sqlite3.Connection, case_id: int, *, now: datetime, settings: Settings
) -> CallPreparation:
    return load_case_file(conn, case_id, now=now, settings=settings).preparation


# --- Recording --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """What `record_call` did. `saved` False: nothing was written; `problems` (translation keys)
    or `findings` (words to reword, per field) say why."""

    saved: bool
    problems: tuple[str, ...] = ()
    findings: dict[str, tuple[NoteFinding, ...]] = field(default_factory=dict)
    interaction_id: int | None = None
    promise_id: int | None = None
    plan_id: int | None = None
    dispute_id: int | None = None
    callback_id: int | None = None
    phone_marked_invalid: int | None = None
    follow_up_on: date | None = None
    next_action: str = ""


@dataclass(frozen=True, slots=True)
class Recorded:
    """What `record_promise` / `record_dispute` / `schedule_callback` / `record_note` did."""

    saved: bool
    id: int | None = None
    problems: tuple[str, ...] = ()
    findings: dict[str, tuple[NoteFinding, ...]] = field(default_factory=dict)


def check_texts(**texts: str) -> dict[str, tuple[NoteFinding, ...]]:
    """Findings per field name, only for the fields that have some."""
    found = {name: check_notes(text) for name, text in texts.items()}
    return {name: items for name, items in found.items() if items}


def _agent_id(conn: sqlite3.Connection, login: str) -> int | None:
    agent = get_agent(conn, login)
    return None if agent is None or not agent.active else agent.id


def _refresh_score(
    conn: sqlite3.Connection, settings: Settings, now: datetime, case_id: int
) -> None:
    from relance_tui.services.queue import refresh_scores

    refresh_scores(conn, settings, now, [case_id])


def _case_state(conn: sqlite3.Connection, case_id: int) -> dict[str, object]:
    row = store.case_stage_and_action(conn, case_id)
    if row is None:
        raise CaseNotFoundError(case_id)
    return {
        "stage": row["stage"],
        "next_action": row["next_action"],
        "next_action_on": row["next_action_on"],
    }


def _update_case(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    agent: str,
    at: str,
    stage: Stage | None = None,
    next_action: str | None = None,
    next_action_on: date | None = None,
    contacted: bool,
) -> None:
    before = _case_state(conn, case_id)
    new_stage = stage.value if stage else str(before["stage"])
    action = str(before["next_action"]) if next_action is None else next_action
    action_on = (
        before["next_action_on"]
        if next_action is None
        else (next_action_on.isoformat() if next_action_on else None)
    )
    store.update_case_after_action(
        conn,
        case_id,
        stage=new_stage,
        next_action=action,
        next_action_on=None if action_on is None else str(action_on),
        at=at,
        contacted=contacted,
    )
    after = {"stage": new_stage, "next_action": action, "next_action_on": action_on}
    if after != before:
        append_audit(
            conn,
            agent=agent,
            action="case.update",
            entity="case",
            entity_id=case_id,
            before=before,
            after=after,
            at=at,
        )


def record_call(
    conn: sqlite3.Connection,
    settings: Settings,
    draft: CallDraft,
    *,
    agent_login: str,
    now: datetime,
) -> RecordedCall:
    """Save a concluded call and all it agreed, in one transaction, or nothing at all.

    Writes the interaction (outcome, cause, notes); the promise, plan and installments, dispute
    (its invoices put in dispute), or payment to verify (a `payment_claimed` promise: follow-up
    marks it kept when the money is imported); the callback; the contact's corrected details; a
    wrong number marked invalid; audit events with before/after; then the case's stage (at least
    "phone reminder"), next action and date, last contact, and its score.
    """
    now = _aware(now)
    today = business_day(now)
    prep = preparation_for(conn, draft.case_id, now=now, settings=settings)
    found = list(problems(draft, prep, today=today))
    agent_id = _agent_id(conn, agent_login)
    if agent_id is None:
        found.append("case.problem.unknown_agent")
    new_phone = draft.contact_update.new_phone if draft.contact_update else None
    if new_phone and not parse_phone(new_phone).valid:
        found.append("case.problem.new_phone_invalid")
    if found:
        return RecordedCall(saved=False, problems=tuple(dict.fromkeys(found)))
    findings = check_texts(
        notes=draft.notes,
        recap=draft.recap,
        dispute_reason=draft.dispute.reason if draft.dispute else "",
        callback_reason=draft.callback.reason if draft.callback else "",
    )
    if findings:
        return RecordedCall(saved=False, findings=findings)
    at = _iso(now)
    ids: dict[str, int | None] = {}
    with transaction(conn):
        ids = _write_call(
            conn, draft, prep, agent_id=agent_id, agent=agent_login, at=at, today=today
        )
        _refresh_score(conn, settings, now, draft.case_id)
    return RecordedCall(
        saved=True,
        interaction_id=ids.get("interaction"),
        promise_id=ids.get("promise"),
        plan_id=ids.get("plan"),
        dispute_id=ids.get("dispute"),
        callback_id=ids.get("callback"),
        phone_marked_invalid=ids.get("phone_invalid"),
        follow_up_on=draft.follow_up_on,
        next_action=draft.next_action,
    )


def _write_call(
    conn: sqlite3.Connection,
    draft: CallDraft,
    prep: CallPreparation,
    *,
    agent_id: int | None,
    agent: str,
    at: str,
    today: date,
) -> dict[str, int | None]:
    case_id = draft.case_id
    ids: dict[str, int | None] = {}
    interaction = store.insert_interaction(
        conn,
        case_id=case_id,
        agent_id=agent_id,
        channel=InteractionChannel.CALL.value,
        occurred_at=at,
        contact_id=draft.contact_id,
        phone_id=draft.phone_id,
        outcome=draft.outcome.value if draft.outcome else None,
        cause=draft.cause.value if draft.cause else None,
        notes=draft.notes,
    )
    ids["interaction"] = interaction
    append_audit(
        conn,
        agent=agent,
        action="call.record",
        entity="case",
        entity_id=case_id,
        after={
            "interaction": interaction,
            "outcome": draft.outcome,
            "cause": draft.cause,
            "resolution": draft.resolution,
            "contact": draft.contact_id,
            "phone": draft.phone_id,
        },
        detail=draft.recap,
        at=at,
    )
    # Pending callbacks due by now are answered by this call; a new callback replaces the others.
    answered = store.close_pending_callbacks(conn, case_id, status="done", at=at, due_until=at)
    if draft.callback is not None:
        superseded = store.close_pending_callbacks(conn, case_id, status="cancelled", at=at)
        for callback_id in superseded:
            append_audit(
                conn,
                agent=agent,
                action="callback.cancel",
                entity="callback",
                entity_id=callback_id,
                before={"status": "pending"},
                after={"status": "cancelled"},
                at=at,
            )
    for callback_id in answered:
        append_audit(
            conn,
            agent=agent,
            action="callback.done",
            entity="callback",
            entity_id=callback_id,
            before={"status": "pending"},
            after={"status": "done"},
            at=at,
        )

    if draft.resolution is Resolution.PROMISE and draft.promise:
        ids["promise"] = _write_promise(
            conn,
            case_id,
            amount_cents=to_cents(draft.promise.amount),
            due_date=draft.promise.due_date,
            proof_requested=draft.promise.proof_requested,
            interaction_id=interaction,
            agent_id=agent_id,
            agent=agent,
            at=at,
        )
    elif draft.resolution is Resolution.PAYMENT_CLAIMED and draft.payment_claim:
        claim = draft.payment_claim
        ids["promise"] = _write_promise(
            conn,
            case_id,
            amount_cents=to_cents(claim.amount),
            due_date=claim.check_by,
            proof_requested=False,
            interaction_id=interaction,
            agent_id=agent_id,
            agent=agent,
            at=at,
            kind="payment_claimed",
            claimed_paid_on=claim.paid_on,
            reference=claim.reference,
        )
    elif draft.resolution is Resolution.PLAN and draft.plan:
        items = [
            (i.sequence, i.due_date.isoformat(), to_cents(i.amount))
            for i in draft.plan.installments
        ]
        plan_id = store.insert_plan(
            conn,
            case_id=case_id,
            frequency=draft.plan.frequency.value,
            installments=items,
            interaction_id=interaction,
            created_at=at,
            created_by=agent_id,
        )
        ids["plan"] = plan_id
        append_audit(
            conn,
            agent=agent,
            action="plan.create",
            entity="payment_plan",
            entity_id=plan_id,
            after={"case": case_id, "frequency": draft.plan.frequency, "installments": items},
            at=at,
        )
    elif draft.resolution is Resolution.DISPUTE and draft.dispute:
        ids["dispute"] = _write_dispute(
            conn,
            case_id,
            invoice_ids=draft.dispute.invoice_ids,
            reason=draft.dispute.reason,
            owner=draft.dispute.owner,
            notes=draft.notes,
            agent_id=agent_id,
            agent=agent,
            at=at,
            today=today,
        )

    if draft.callback is not None:
        ids["callback"] = _write_callback(
            conn,
            case_id,
            due_at=draft.callback.due_at,
            contact_id=draft.callback.contact_id,
            phone_id=draft.callback.phone_id,
            reason=draft.callback.reason,
            agent_id=agent_id,
            agent=agent,
            at=at,
        )

    if draft.outcome is CallOutcome.WRONG_NUMBER and draft.phone_id is not None:
        phone = store.phone_row(conn, draft.phone_id)
        if phone is not None and phone["marked_invalid_at"] is None:
            store.mark_phone_invalid(conn, draft.phone_id, at)
            ids["phone_invalid"] = draft.phone_id
            append_audit(
                conn,
                agent=agent,
                action="phone.mark_invalid",
                entity="phone",
                entity_id=draft.phone_id,
                before={"marked_invalid_at": None},
                after={"marked_invalid_at": at},
                detail="wrong_number",
                at=at,
            )

    if draft.contact_update is not None:
        _write_contact_update(conn, draft, agent=agent, at=at)

    _update_case(
        conn,
        case_id,
        agent=agent,
        at=at,
        stage=later_stage(prep.stage, Stage.PHONE_REMINDER),
        next_action=draft.next_action,
        next_action_on=draft.follow_up_on,
        contacted=True,
    )
    if agent_id is not None:
        store.delete_draft(conn, case_id, agent_id)  # the call is saved: its draft is done
    return ids


def _write_promise(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    amount_cents: int,
    due_date: date,
    proof_requested: bool,
    interaction_id: int | None,
    agent_id: int | None,
    agent: str,
    at: str,
    kind: str = "promise",
    claimed_paid_on: date | None = None,
    reference: str = "",
) -> int:
    promise_id = store.insert_promise(
        conn,
        case_id=case_id,
        amount_cents=amount_cents,
        due_date=due_date.isoformat(),
        proof_requested=proof_requested,
        interaction_id=interaction_id,
        created_at=at,
        created_by=agent_id,
        kind=kind,
        claimed_paid_on=claimed_paid_on.isoformat() if claimed_paid_on else None,
    )
    action = "promise.create" if kind == "promise" else "payment_claim.create"
    append_audit(
        conn,
        agent=agent,
        action=action,
        entity="promise",
        entity_id=promise_id,
        after={
            "case": case_id,
            "amount_cents": amount_cents,
            "due_date": due_date,
            "claimed_paid_on": claimed_paid_on,
            "reference": reference,
        },
        at=at,
    )
    return promise_id


def _write_dispute(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    invoice_ids: Sequence[int],
    reason: str,
    owner: str,
    notes: str,
    agent_id: int | None,
    agent: str,
    at: str,
    today: date,
) -> int:
    debtor = store.case_stage_and_action(conn, case_id)
    assert debtor is not None
    debtor_id = int(debtor["debtor_id"])
    mine = store.debtor_invoice_ids(conn, debtor_id, invoice_ids)
    dispute_id = store.insert_dispute(
        conn,
        case_id=case_id,
        invoice_ids=mine,
        reason=reason,
        owner=owner,
        opened_on=today.isoformat(),
        opened_by=agent_id,
        notes=notes,
    )
    append_audit(
        conn,
        agent=agent,
        action="dispute.open",
        entity="dispute",
        entity_id=dispute_id,
        after={"case": case_id, "invoices": mine, "reason": reason, "owner": owner},
        at=at,
    )
    for invoice_id in mine:
        append_audit(
            conn,
            agent=agent,
            action="invoice.dispute",
            entity="invoice",
            entity_id=invoice_id,
            before={"in_dispute": False},
            after={"in_dispute": True},
            at=at,
        )
    sync_cases(conn, today, [debtor_id])  # disputed money leaves the overdue amount
    return dispute_id


def _write_callback(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    due_at: datetime,
    contact_id: int | None,
    phone_id: int | None,
    reason: str,
    agent_id: int | None,
    agent: str,
    at: str,
) -> int:
    callback_id = store.insert_callback(
        conn,
        case_id=case_id,
        due_at=_iso(due_at),
        contact_id=contact_id,
        phone_id=phone_id,
        reason=reason,
        created_at=at,
        created_by=agent_id,
    )
    append_audit(
        conn,
        agent=agent,
        action="callback.schedule",
        entity="callback",
        entity_id=callback_id,
        after={"case": case_id, "due_at": _iso(due_at), "contact": contact_id, "phone": phone_id},
        at=at,
    )
    return callback_id


def _write_contact_update(
    conn: sqlite3.Connection, draft: CallDraft, *, agent: str, at: str
) -> None:
    update = draft.contact_update
    assert update is not None
    contact = store.contact_row(conn, update.contact_id)
    if contact is None:
        return
    if update.email is not None and update.email != contact["email"]:
        store.set_contact_email(conn, update.contact_id, update.email, at)
        append_audit(
            conn,
            agent=agent,
            action="contact.update",
            entity="contact",
            entity_id=update.contact_id,
            before={"email": contact["email"]},
            after={"email": update.email},
            at=at,
        )
    if update.new_phone:
        parsed = parse_phone(update.new_phone)
        phone_id = store.add_phone(
            conn,
            contact_id=update.contact_id,
            raw=parsed.raw,
            e164=parsed.e164,
            kind=parsed.kind.value,
            region=parsed.region,
            time_zone=parsed.time_zone,
            valid=parsed.valid,
        )
        if phone_id is not None:
            append_audit(
                conn,
                agent=agent,
                action="phone.add",
                entity="phone",
                entity_id=phone_id,
                after={"contact": update.contact_id, "e164": parsed.e164, "raw": parsed.raw},
                at=at,
            )
    if update.confirmed and update.email is None and not update.new_phone:
        append_audit(
            conn,
            agent=agent,
            action="contact.confirm",
            entity="contact",
            entity_id=update.contact_id,
            at=at,
        )


# --- Outside a call ---------------------------------------------------------------------------


def _case_prep(
    conn: sqlite3.Connection, case_id: int, settings: Settings, now: datetime
) -> CallPreparation | None:
    try:
        return preparation_for(conn, case_id, now=now, settings=settings)
    except CaseNotFoundError:
        return None


def record_promise(
    conn: sqlite3.Connection,
    settings: Settings,
    case_id: int,
    *,
    amount: Decimal,
    due_date: date,
    agent_login: str,
    now: datetime,
    proof_requested: bool = True,
    notes: str = "",
) -> Recorded:
    """A promise received outside a call (e-mail, letter). Notes, if any, become a note."""
    now = _aware(now)
    today = business_day(now)
    prep = _case_prep(conn, case_id, settings, now)
    agent_id = _agent_id(conn, agent_login)
    found: list[str] = []
    if prep is None:
        return Recorded(False, problems=("case.problem.unknown_case",))
    if agent_id is None:
        found.append("case.problem.unknown_agent")
    if amount <= 0:
        found.append("case.problem.amount_not_positive")
    elif amount > prep.balance:
        found.append("case.problem.amount_above_balance")
    if due_date < today:
        found.append("case.problem.date_in_past")
    if found:
        return Recorded(False, problems=tuple(found))
    findings = check_texts(notes=notes)
    if findings:
        return Recorded(False, findings=findings)
    at = _iso(now)
    with transaction(conn):
        interaction = None
        if notes.strip():
            interaction = store.insert_interaction(
                conn,
                case_id=case_id,
                agent_id=agent_id,
                channel="note",
                occurred_at=at,
                notes=notes.strip(),
            )
        promise_id = _write_promise(
            conn,
            case_id,
            amount_cents=to_cents(amount),
            due_date=due_date,
            proof_requested=proof_requested,
            interaction_id=interaction,
            agent_id=agent_id,
            agent=agent_login,
            at=at,
        )
        _update_case(
            conn,
            case_id,
            agent=agent_login,
            at=at,
            next_action=NextAction.CHECK_PROMISE.value,
            next_action_on=due_date + timedelta(days=1),
            contacted=False,
        )
        _refresh_score(conn, settings, now, case_id)
    return Recorded(True, promise_id)


def record_dispute(
    conn: sqlite3.Connection,
    settings: Settings,
    case_id: int,
    *,
    invoice_ids: Sequence[int],
    reason: str,
    owner: str,
    agent_login: str,
    now: datetime,
    notes: str = "",
) -> Recorded:
    """Open a dispute on some of the case's invoices: they leave the dunning ladder."""
    now = _aware(now)
    today = business_day(now)
    prep = _case_prep(conn, case_id, settings, now)
    if prep is None:
        return Recorded(False, problems=("case.problem.unknown_case",))
    agent_id = _agent_id(conn, agent_login)
    found: list[str] = []
    if agent_id is None:
        found.append("case.problem.unknown_agent")
    open_ids = {i.invoice_id for i in prep.invoices if not i.in_dispute}
    if not invoice_ids or not set(invoice_ids) <= open_ids:
        found.append("case.problem.dispute_invoices")
    if not reason.strip():
        found.append("case.problem.dispute_reason")
    if not owner.strip():
        found.append("case.problem.dispute_owner")
    if found:
        return Recorded(False, problems=tuple(found))
    findings = check_texts(dispute_reason=reason, notes=notes)
    if findings:
        return Recorded(False, findings=findings)
    at = _iso(now)
    with transaction(conn):
        dispute_id = _write_dispute(
            conn,
            case_id,
            invoice_ids=list(invoice_ids),
            reason=reason.strip(),
            owner=owner.strip(),
            notes=notes.strip(),
            agent_id=agent_id,
            agent=agent_login,
            at=at,
            today=today,
        )
        _update_case(
            conn,
            case_id,
            agent=agent_login,
            at=at,
            next_action=NextAction.FOLLOW_DISPUTE.value,
            next_action_on=today + timedelta(days=7),
            contacted=False,
        )
        _refresh_score(conn, settings, now, case_id)
    return Recorded(True, dispute_id)


def schedule_callback(
    conn: sqlite3.Connection,
    settings: Settings,
    case_id: int,
    *,
    due_at: datetime,
    agent_login: str,
    now: datetime,
    contact_id: int | None = None,
    phone_id: int | None = None,
    reason: str = "",
) -> Recorded:
    """Plan a call back (replaces the case's other pending callbacks)."""
    now = _aware(now)
    prep = _case_prep(conn, case_id, settings, now)
    if prep is None:
        return Recorded(False, problems=("case.problem.unknown_case",))
    agent_id = _agent_id(conn, agent_login)
    found: list[str] = []
    if agent_id is None:
        found.append("case.problem.unknown_agent")
    if _aware(due_at) <= now:
        found.append("case.problem.callback_in_past")
    if contact_id is not None and prep.contact(contact_id) is None:
        found.append("case.problem.unknown_contact")
    if phone_id is not None and prep.phone(phone_id) is None:
        found.append("case.problem.phone_unusable")
    if found:
        return Recorded(False, problems=tuple(found))
    findings = check_texts(callback_reason=reason)
    if findings:
        return Recorded(False, findings=findings)
    at = _iso(now)
    with transaction(conn):
        for callback_id in store.close_pending_callbacks(conn, case_id, status="cancelled", at=at):
            append_audit(
                conn,
                agent=agent_login,
                action="callback.cancel",
                entity="callback",
                entity_id=callback_id,
                before={"status": "pending"},
                after={"status": "cancelled"},
                at=at,
            )
        callback_id = _write_callback(
            conn,
            case_id,
            due_at=_aware(due_at),
            contact_id=contact_id,
            phone_id=phone_id,
            reason=reason.strip(),
            agent_id=agent_id,
            agent=agent_login,
            at=at,
        )
        local_day = _aware(due_at).astimezone(PARIS).date()
        _update_case(
            conn,
            case_id,
            agent=agent_login,
            at=at,
            next_action=NextAction.CALLBACK.value,
            next_action_on=local_day,
            contacted=False,
        )
        _refresh_score(conn, settings, now, case_id)
    return Recorded(True, callback_id)


NOTE_CHANNELS = (
    InteractionChannel.NOTE,
    InteractionChannel.EMAIL,
    InteractionChannel.SMS,
    InteractionChannel.LETTER,
)


def record_note(
    conn: sqlite3.Connection,
    settings: Settings,
    case_id: int,
    *,
    text: str,
    agent_login: str,
    now: datetime,
    channel: InteractionChannel = InteractionChannel.NOTE,
    contact_id: int | None = None,
) -> Recorded:
    """A note, or an e-mail / SMS / letter sent or received, in the case's history."""
    now = _aware(now)
    found: list[str] = []
    if store.case_stage_and_action(conn, case_id) is None:
        return Recorded(False, problems=("case.problem.unknown_case",))
    agent_id = _agent_id(conn, agent_login)
    if agent_id is None:
        found.append("case.problem.unknown_agent")
    if channel not in NOTE_CHANNELS:
        found.append("case.problem.channel")
    if not text.strip():
        found.append("case.problem.empty_note")
    if found:
        return Recorded(False, problems=tuple(found))
    findings = check_texts(notes=text)
    if findings:
        return Recorded(False, findings=findings)
    at = _iso(now)
    contacted = channel is not InteractionChannel.NOTE
    with transaction(conn):
        interaction = store.insert_interaction(
            conn,
            case_id=case_id,
            agent_id=agent_id,
            channel=channel.value,
            occurred_at=at,
            contact_id=contact_id,
            notes=text.strip(),
        )
        append_audit(
            conn,
            agent=agent_login,
            action=f"{channel.value}.record",
            entity="case",
            entity_id=case_id,
            after={"interaction": interaction},
            at=at,
        )
        _update_case(conn, case_id, agent=agent_login, at=at, contacted=contacted)
        _refresh_score(conn, settings, now, case_id)
    return Recorded(True, interaction)


def mark_visited(
    conn: sqlite3.Connection, settings: Settings, case_id: int, *, now: datetime
) -> None:
    """The agent opened the case: a broken promise seen here no longer makes it urgent."""
    now = _aware(now)
    with transaction(conn):
        store.set_last_visit(conn, case_id, _iso(now))
        _refresh_score(conn, settings, now, case_id)


# --- Call drafts (hang-up safety) -------------------------------------------------------------


def save_call_draft(
    conn: sqlite3.Connection, draft: CallDraft, *, agent_login: str, now: datetime
) -> bool:
    """Keep the call in progress; False when the agent is unknown."""
    agent_id = _agent_id(conn, agent_login)
    if agent_id is None:
        return False
    with transaction(conn):
        store.save_draft(conn, draft.case_id, agent_id, draft.to_json(), _iso(now))
    return True


def load_call_draft(
    conn: sqlite3.Connection, case_id: int, *, agent_login: str
) -> CallDraft | None:
    """The agent's unfinished call on this case, if any (a draft that no longer reads is None)."""
    agent_id = _agent_id(conn, agent_login)
    if agent_id is None:
        return None
    data = store.load_draft(conn, case_id, agent_id)
    if data is None:
        return None
    try:
        return CallDraft.from_json(data)
    except ValueError:
        return None


def discard_call_draft(conn: sqlite3.Connection, case_id: int, *, agent_login: str) -> None:
    agent_id = _agent_id(conn, agent_login)
    if agent_id is None:
        return
    with transaction(conn):
        store.delete_draft(conn, case_id, agent_id)
