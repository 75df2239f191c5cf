"""How the case file reads on screen: the banner, the summary and the rows of each tab.

Pure presentation of `services.casefile.CaseFile` into `rich.text.Text`: stored text goes in
through `tui.plain` (never parsed as markup, control characters shown as U+FFFD). No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from rich.text import Text

from relance_tui.domain.labels import (
    CALLBACK_STATUS_KEYS,
    CONTACT_ROLE_KEYS,
    DISPUTE_STATUS_KEYS,
    INSTALLMENT_STATUS_KEYS,
    PAYER_TYPE_KEYS,
    PLAN_STATUS_KEYS,
    PROMISE_STATUS_KEYS,
    SEGMENT_KEYS,
    STAGE_KEYS,
)
from relance_tui.domain.phones import PHONE_KIND_KEYS
from relance_tui.domain.scoring import PART_KEYS
from relance_tui.domain.text import inert
from relance_tui.formatting import PARIS, day, decimal, moment, money, percent
from relance_tui.i18n import t, tn
from relance_tui.services.casefile import (
    CaseFile,
    CaseWarning,
    ContactLine,
    HistoryEntry,
    InvoiceLine,
    promise_money_text,
)
from relance_tui.tui.plain import plain
from relance_tui.tui.widgets.fitted_table import ColumnFit

Row = list[str | Text]


def cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def banner(case: CaseFile) -> Text:
    """Two lines that stay on screen during a call: who, how much, since when, where."""
    s = case.summary
    text = Text()
    text.append(inert(s.debtor_name), style="bold")
    text.append(f"  {inert(s.debtor_reference)}")
    if s.siren:
        text.append(f"  SIREN {inert(s.siren)}")
    text.append(f"  · {t(SEGMENT_KEYS[s.segment])}")
    text.append(f" · {t(PAYER_TYPE_KEYS[s.payer_type])}")
    if s.strategic:
        text.append(" · " + t("casefile.strategic"), style="bold")
    text.append("\n")
    text.append(t("casefile.overdue") + " ")
    text.append(money(cents(s.overdue)), style="bold")
    if s.disputed:
        text.append("  " + t("casefile.disputed_short", amount=money(cents(s.disputed))))
    if s.oldest_due_date:
        text.append("  " + t("casefile.oldest", day=day(s.oldest_due_date), days=s.days_late))
    text.append(f"  · {t(STAGE_KEYS[s.stage])}")
    when = f" {day(s.next_action_on)}" if s.next_action_on else ""
    if s.next_action == s.stage.value:  # the last rung, pursued: no step to go to
        text.append(f" —{when}" if when else "")
    elif s.next_action_label:
        text.append(f" → {inert(s.next_action_label)}{when}")
    return text


def warnings_text(warnings: Sequence[CaseWarning]) -> Text:
    text = Text()
    for index, warning in enumerate(warnings):
        if index:
            text.append("\n")
        text.append("⚠ " + inert(warning.message))
    return text


def summary_text(case: CaseFile, now: datetime) -> Text:
    s = case.summary
    text = Text()

    def line(label: str, value: str | Text, style: str = "") -> None:
        text.append(f"{label:<22} ", style="bold")
        if isinstance(value, Text):
            text.append_text(value)
        else:  # stored text, or translations that quote it
            text.append(inert(value), style=style)
        text.append("\n")

    line(t("casefile.f.debtor"), f"{s.debtor_name} ({s.debtor_reference})")
    address = " ".join(part for part in (s.address, s.postal_code, s.city) if part)
    if address:
        line(t("casefile.f.address"), address)
    line(t("casefile.f.segment"), t(SEGMENT_KEYS[s.segment]))
    line(t("casefile.f.payer_type"), t(PAYER_TYPE_KEYS[s.payer_type]))
    line(t("casefile.f.risk"), f"{s.risk_score}/100")
    line(t("casefile.f.overdue"), money(cents(s.overdue)), "bold")
    if s.disputed:
        line(t("casefile.f.disputed"), money(cents(s.disputed)))
    line(t("casefile.f.balance"), money(cents(s.balance)))
    line(
        t("casefile.f.oldest"),
        t("casefile.oldest_value", day=day(s.oldest_due_date), days=s.days_late)
        if s.oldest_due_date
        else "—",
    )
    line(t("casefile.f.invoices"), str(s.open_invoices))
    line(t("casefile.f.stage"), t(STAGE_KEYS[s.stage]))
    next_step = s.next_action_label or "—"
    if s.next_action_on:
        next_step += " — " + day(s.next_action_on)
    line(t("casefile.f.next"), next_step)
    agent = s.assigned_agent_name or s.assigned_agent or t("casefile.unassigned")
    line(t("casefile.f.agent"), agent)
    if s.last_contact_at:
        line(t("casefile.f.last_contact"), moment(s.last_contact_at))
    line(
        t("casefile.f.promises"),
        t(
            "casefile.promises_value",
            kept=tn("casefile.promises_kept", s.promises_kept),
            broken=tn("casefile.promises_broken", s.promises_broken),
        )
        + (
            ", " + tn("promises_partial.counted", s.promises_partly_kept)
            if s.promises_partly_kept
            else ""
        ),
    )
    if s.history_invoices:
        line(
            t("behaviour.f.habit"),
            tn("behaviour.habit", s.history_invoices, days=decimal(s.avg_days_late, 0),
               late=percent(s.share_paid_late)),
        )  # fmt: skip
    if s.credit:
        line(t("behaviour.f.credit"), money(cents(s.credit)), "bold")
    if s.prescription_on:
        line(t("casefile.f.prescription"), day(s.prescription_on))
    if s.insolvency_since:
        line(t("casefile.f.insolvency"), day(s.insolvency_since), "bold red")
    penalties = s.penalties
    if penalties.applicable and penalties.invoices:
        value = Text(
            t(
                "casefile.penalties_value",
                interest=money(cents(penalties.interest)),
                indemnities=money(cents(penalties.indemnities)),
                total=money(cents(penalties.total)),
            )
        )
        if penalties.estimated:  # said here only, quietly: the agent can do nothing about it
            value.append(" " + t("casefile.estimated"), style="dim")
        line(t("casefile.f.penalties"), value)
    elif not penalties.applicable:
        line(t("casefile.f.penalties"), t("casefile.penalties_consumer"))
    text.append("\n" + t("casefile.score", priority=decimal(s.priority)) + "\n", style="bold")
    for name, share in sorted(s.score_parts.items(), key=lambda item: -item[1]):
        bar = "█" * max(0, round(share * 20))
        text.append(
            f"  {t(PART_KEYS[name]) if name in PART_KEYS else name:<24} {percent(share):>5} {bar}\n"
        )
    return text


# The column titles of the case file's tables (each table names its columns below).
CASE_COLUMN_KEYS: dict[str, str] = {
    "number": "casefile.col.number",
    "po": "casefile.col.po",
    "issued": "casefile.col.issued",
    "due": "casefile.col.due",
    "amount": "casefile.col.amount",
    "outstanding": "casefile.col.outstanding",
    "late": "casefile.col.late",
    "dispute": "casefile.col.dispute",
    "name": "casefile.col.name",
    "role": "casefile.col.role",
    "phone": "casefile.col.phone",
    "local_time": "casefile.col.local_time",
    "email": "casefile.col.email",
    "opposed": "casefile.col.opposed",
    "reference": "casefile.col.reference",
    "title": "casefile.col.title",
    "start": "casefile.col.start",
    "end": "casefile.col.end",
    "terms": "casefile.col.terms",
    "when": "casefile.col.when",
    "who": "casefile.col.who",
    "what": "casefile.col.what",
    "status": "casefile.col.status",
    "notes": "casefile.col.notes",
    "opened": "casefile.col.opened",
    "invoices": "casefile.col.invoices",
    "reason": "casefile.col.reason",
    "owner": "casefile.col.owner",
    "kind": "casefile.col.kind",
    "by": "casefile.col.by",
}
# A promise line is a promise or a payment the debtor says was made (`PromiseLine.kind`).
COMMITMENT_KEYS: dict[str, str] = {
    "promise": "casefile.commitment.promise",
    "payment_claimed": "casefile.commitment.payment_claimed",
}

INVOICE_COLUMNS = ("number", "po", "issued", "due", "amount", "outstanding", "late", "dispute")
# In a narrow table: what is cut with "…" (down to that width) and what goes, in that order.
INVOICE_FIT = ColumnFit(
    shrink={"po": 4, "number": 10, "amount": 10, "outstanding": 10},
    drop=("issued", "po", "amount", "late"),
)


def invoice_row(invoice: InvoiceLine) -> Row:
    late = Text(str(invoice.days_late) if invoice.days_late else "", justify="right")
    if invoice.days_late > 90:
        late.stylize("bold red")
    return [
        plain(invoice.number),
        plain(invoice.po_reference),
        day(invoice.issue_date),
        day(invoice.due_date),
        Text(money(cents(invoice.amount)), justify="right"),
        Text(money(cents(invoice.outstanding)), justify="right"),
        late,
        Text(t("casefile.yes"), style="bold yellow") if invoice.in_dispute else "",
    ]


CONTACT_COLUMNS = ("name", "role", "phone", "local_time", "email", "opposed")
CONTACT_FIT = ColumnFit(
    shrink={"email": 8, "role": 10, "local_time": 6, "opposed": 6, "phone": 16},
    drop=("email", "role"),
)


def contact_rows(contacts: Sequence[ContactLine]) -> list[Row]:
    rows: list[Row] = []
    for contact in contacts:
        opposed = Text(t("casefile.opposed"), style="bold red") if contact.opposed else Text("")
        phones = contact.phones or ()
        if not phones:
            rows.append([plain(contact.name), t(CONTACT_ROLE_KEYS[contact.role]), "", "",
                         plain(contact.email), opposed])  # fmt: skip
        for index, phone in enumerate(phones):
            number = plain(f"{phone.display} ({t(PHONE_KIND_KEYS[phone.kind])})")
            if not phone.usable:
                number.stylize("strike dim")
                number.append(" " + t("casefile.invalid"), style="red")
            local = Text(f"{phone.local_time:%H:%M}")
            if not phone.call_time.allowed:
                local.append(" ⚠", style="bold red")
            first = index == 0
            rows.append(
                [
                    plain(contact.name if first else ""),
                    t(CONTACT_ROLE_KEYS[contact.role]) if first else "",
                    number,
                    local,
                    plain(contact.email if first else ""),
                    opposed if first else Text(""),
                ]
            )
    return rows


CONTRACT_COLUMNS = ("reference", "title", "start", "end", "terms")
CONTRACT_FIT = ColumnFit(shrink={"title": 10, "terms": 10}, drop=("start",))


def contract_rows(case: CaseFile) -> list[Row]:
    return [
        [
            plain(c.reference),
            plain(c.title),
            day(c.start_date),
            day(c.end_date),
            t("casefile.terms", days=c.payment_terms_days)
            + (" " + t("casefile.end_of_month") if c.end_of_month else ""),
        ]
        for c in case.contracts
    ]


HISTORY_COLUMNS = ("when", "who", "what", "amount", "status", "notes")
HISTORY_FIT = ColumnFit(
    shrink={"notes": 12, "what": 16, "who": 6, "status": 8}, drop=("who", "status", "amount")
)


def history_row(entry: HistoryEntry) -> Row:
    return [
        entry.at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
        plain(entry.who),
        plain(entry.title),
        Text(money(cents(entry.amount)), justify="right") if entry.amount is not None else "",
        plain(entry.status),
        plain(entry.notes.replace("\n", " ")[:80]),
    ]


DISPUTE_COLUMNS = ("opened", "invoices", "reason", "owner", "status", "amount")
DISPUTE_FIT = ColumnFit(
    shrink={"reason": 10, "invoices": 12, "owner": 8, "status": 10, "amount": 10},
    drop=("owner", "opened"),
)


def dispute_rows(case: CaseFile) -> list[Row]:
    return [
        [
            day(d.opened_on),
            plain(d.invoice_numbers),
            plain(d.reason),
            plain(d.owner),
            plain(
                t(DISPUTE_STATUS_KEYS[d.status]) + (f" ({d.resolution})" if d.resolution else "")
            ),
            Text(money(cents(d.outstanding)), justify="right"),
        ]
        for d in case.disputes
    ]


COMMITMENT_COLUMNS = ("kind", "due", "amount", "status", "by")
COMMITMENT_FIT = ColumnFit(shrink={"kind": 10, "amount": 9, "status": 7, "by": 6}, drop=("by",))


def commitment_rows(case: CaseFile) -> list[Row]:
    rows: list[Row] = []
    for cb in case.callbacks:
        who = f" — {cb.contact_name}" if cb.contact_name else ""
        rows.append([
            plain(t("casefile.commitment.callback") + who),
            moment(cb.due_at),
            "",
            Text(t(CALLBACK_STATUS_KEYS[cb.status])),
            plain(cb.created_by or ""),
        ])  # fmt: skip
    for p in case.promises:
        rows.append([
            t(COMMITMENT_KEYS[p.kind]),
            day(p.due_date),
            Text(money(cents(p.amount)), justify="right"),
            Text(" — ".join(x for x in (t(PROMISE_STATUS_KEYS[p.status]), promise_money_text(p))
                            if x)),
            plain(p.created_by or ""),
        ])  # fmt: skip
    for plan in case.plans:
        status = t(PLAN_STATUS_KEYS[plan.status])
        rows.append([
            tn("casefile.commitment.plan", len(plan.installments)),
            day(plan.installments[0].due_date) if plan.installments else "",
            Text(money(cents(plan.total)), justify="right"),
            Text(status),
            plain(plan.created_by or ""),
        ])  # fmt: skip
        for item in plan.installments:
            rows.append([
                Text(f"  {item.sequence}."),
                day(item.due_date),
                Text(money(cents(item.amount)), justify="right"),
                Text(t(INSTALLMENT_STATUS_KEYS[item.status])),
                "",
            ])  # fmt: skip
    return rows


def claimed_text(login: str, minutes: int) -> Text:
    return plain("⛔ " + t("casefile.claimed_by", agent=login, minutes=minutes), style="bold")
