"""What one dunning notice says: the creditor, the debtor and the contact it goes to, every
overdue undisputed invoice of the debtor (one notice per debtor, never one per invoice), the
penalties the law gives on them, the total claimed split into principal / interest / indemnities,
the deadline, the letter's reference. Letters, e-mails and the preview all render this."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from relance_tui.config import CreditorSettings, Settings
from relance_tui.domain.models import from_cents
from relance_tui.domain.penalties import RateTable, Regime
from relance_tui.services.penalties import case_figures
from relance_tui.storage import dunning as store

# Which template each step uses (a consumer's formal notice and an agency's first letter to a
# consumer have their own: their mentions differ).
STEP_KINDS = {
    "pre_reminder": "pre_reminder",
    "friendly_reminder": "friendly_reminder",
    "phone_reminder": "friendly_reminder",
    "second_reminder": "second_reminder",
    "registered_letter": "registered_reminder",
    "formal_notice": "formal_notice",
    "legal_action": "injonction_file",
}
KINDS = (
    "pre_reminder",
    "friendly_reminder",
    "second_reminder",
    "registered_reminder",
    "formal_notice",
    "formal_notice_consumer",
    "consumer_agency_first",
    "plan_confirmation",
    "promise_confirmation",
    "injonction_file",
)
# Who a step writes to, best first.
ROLE_ORDER = {
    "formal_notice": ("decision_maker", "finance_director", "accounts_payable"),
    "legal_action": ("decision_maker", "finance_director", "accounts_payable"),
}
DEFAULT_ROLES = ("accounts_payable", "public_accountant", "finance_director", "decision_maker")


@dataclass(frozen=True, slots=True)
class NoticeInvoice:
    number: str
    issue_date: date
    due_date: date
    amount: Decimal
    outstanding: Decimal
    days_late: int
    interest: Decimal
    indemnity: Decimal


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str
    step: str
    channel: str
    reference: str
    day: date
    deadline: date
    creditor: CreditorSettings
    debtor_reference: str
    debtor_name: str
    siren: str
    address: str
    postal_code: str
    city: str
    segment: str
    regime: Regime
    contact_name: str
    contact_email: str
    contact_role: str
    mobile: str
    invoices: tuple[NoticeInvoice, ...]
    principal: Decimal
    interest: Decimal
    indemnities: Decimal
    estimated: bool
    insolvency: bool
    first_letter: tuple[str, date] | None = None  # (reference, date) quoted by later contacts
    commercial_court: bool = True  # injonction: tribunal de commerce, else tribunal judiciaire
    formal_notice_on: date | None = None

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.indemnities


def choose_contact(contacts: list[sqlite3.Row], step: str) -> sqlite3.Row | None:
    """The contact whose role fits the step (accounts payable first; the decision-maker for a
    formal notice); never one opposed to being contacted."""
    usable = [c for c in contacts if not c["opposed_to_contact"]]
    order = ROLE_ORDER.get(step, DEFAULT_ROLES)
    for role in order:
        for contact in usable:
            if contact["role"] == role and contact["email"]:
                return contact
    for contact in usable:
        if contact["role"] in order:
            return contact
    with_email = [c for c in usable if c["email"]]
    return with_email[0] if with_email else (usable[0] if usable else None)


def notice_kind(step: str, regime: Regime, settings: Settings, *, first: bool) -> str:
    if regime is Regime.CONSUMER:
        if settings.dunning.creditor.agency and first:
            return "consumer_agency_first"
        if step == "formal_notice":
            return "formal_notice_consumer"
    return STEP_KINDS[step]


def build_notice(
    conn: sqlite3.Connection,
    *,
    debtor_id: int,
    case_id: int | None,
    step: str,
    channel: str,
    reference: str,
    today: date,
    settings: Settings,
    invoice_ids: tuple[int, ...] = (),
    rates: RateTable | None = None,
    kind: str | None = None,
    first_letter: tuple[str, date] | None = None,
) -> Notice:
    debtor = store.debtor_row(conn, debtor_id)
    assert debtor is not None
    rows = (
        store.invoices_by_id(conn, invoice_ids)
        if invoice_ids
        else store.covered_invoices(conn, debtor_id, today)
    )
    figures = None
    penalties = {}
    if case_id is not None:
        figures = case_figures(
            conn,
            case_id=case_id,
            debtor_id=debtor_id,
            segment=str(debtor["segment"]),
            insolvency=debtor["insolvency_since"] is not None,
            today=today,
            rates=rates,
        )
        penalties = {item.invoice_number: item for item in figures.penalties.invoices}
    invoices = []
    for row in rows:
        penalty = penalties.get(str(row["number"]))
        due = date.fromisoformat(row["due_date"])
        invoices.append(
            NoticeInvoice(
                number=str(row["number"]),
                issue_date=date.fromisoformat(row["issue_date"]),
                due_date=due,
                amount=from_cents(int(row["amount_cents"])),
                outstanding=from_cents(int(row["outstanding_cents"])),
                days_late=max((today - due).days, 0),
                interest=penalty.interest if penalty else Decimal("0.00"),
                indemnity=penalty.indemnity if penalty else Decimal("0.00"),
            )
        )
    regime = figures.regime if figures else Regime.B2B
    contact = choose_contact(store.debtor_contacts(conn, debtor_id), step)
    dunning = settings.dunning
    days = (
        dunning.notice_deadline_days if step == "formal_notice" else dunning.reminder_deadline_days
    )
    segment = str(debtor["segment"])
    return Notice(
        kind=kind or notice_kind(step, regime, settings, first=first_letter is None),
        step=step,
        channel=channel,
        reference=reference,
        day=today,
        deadline=today + timedelta(days=days),
        creditor=dunning.creditor,
        debtor_reference=str(debtor["reference"]),
        debtor_name=str(debtor["legal_name"]),
        siren=str(debtor["siren"] or ""),
        address=str(debtor["address"] or ""),
        postal_code=str(debtor["postal_code"] or ""),
        city=str(debtor["city"] or ""),
        segment=segment,
        regime=regime,
        contact_name=str(contact["name"]) if contact else "",
        contact_email=str(contact["email"] or "") if contact else "",
        contact_role=str(contact["role"]) if contact else "",
        mobile=str(contact["mobile"] or "") if contact else "",
        invoices=tuple(invoices),
        principal=sum((i.outstanding for i in invoices), Decimal("0.00")),
        interest=sum((i.interest for i in invoices), Decimal("0.00")),
        indemnities=sum((i.indemnity for i in invoices), Decimal("0.00")),
        estimated=bool(figures and figures.penalties.estimated),
        insolvency=debtor["insolvency_since"] is not None,
        first_letter=first_letter,
        commercial_court=segment not in ("consumer", "public_body"),
        formal_notice_on=figures.formal_notice_on if figures else None,
    )
