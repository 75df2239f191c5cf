"""The audit trail for people: actions in words, the debtor's reference and name instead of
internal ids, amounts in euros, a one-line summary instead of whole letters and recaps.

The events are those `services.audit.read_audit` lets the viewer see (an agent: their
portfolio's). For one case, the payments received from its debtor are shown among them: no audit
event names a payment (an import records its file), yet they touched the case.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from relance_tui.domain.calls import RESOLUTION_KEYS
from relance_tui.domain.enums import InvoiceStatus
from relance_tui.domain.labels import (
    AGENT_ROLE_KEYS,
    CALLBACK_STATUS_KEYS,
    CAUSE_KEYS,
    DISPUTE_STATUS_KEYS,
    FREQUENCY_KEYS,
    OUTCOME_KEYS,
    PAYER_TYPE_KEYS,
    PLAN_STATUS_KEYS,
    PROMISE_STATUS_KEYS,
    SEGMENT_KEYS,
    next_action_label,
)
from relance_tui.formatting import day, moment, money
from relance_tui.i18n import t
from relance_tui.services.audit import read_audit
from relance_tui.storage.agents import AgentRow
from relance_tui.storage.audit import (
    AuditRow,
    case_by_reference,
    case_payments,
    cases_of_events,
    interaction_notes,
)

SUMMARY_CHARS = 90
PAYMENT_ACTION = "payment.received"

AUDIT_ACTION_KEYS = {
    "agent.add": "audit.action.agent_add",
    "agent.update": "audit.action.agent_update",
    "agent.enable": "audit.action.agent_enable",
    "agent.disable": "audit.action.agent_disable",
    "agent.impersonate": "audit.action.agent_impersonate",
    "call.record": "audit.action.call_record",
    "email.record": "audit.action.email_record",
    "sms.record": "audit.action.sms_record",
    "letter.record": "audit.action.letter_record",
    "registered_letter.record": "audit.action.registered_letter_record",
    "note.record": "audit.action.note_record",
    "callback.schedule": "audit.action.callback_schedule",
    "callback.done": "audit.action.callback_done",
    "callback.cancel": "audit.action.callback_cancel",
    "case.reassign": "audit.action.case_reassign",
    "case.update": "audit.action.case_update",
    "contact.confirm": "audit.action.contact_confirm",
    "contact.update": "audit.action.contact_update",
    "dispute.open": "audit.action.dispute_open",
    "invoice.dispute": "audit.action.invoice_dispute",
    "phone.add": "audit.action.phone_add",
    "phone.mark_invalid": "audit.action.phone_mark_invalid",
    "plan.create": "audit.action.plan_create",
    "plan.completed": "audit.action.plan_completed",
    "plan.broken": "audit.action.plan_broken",
    "promise.create": "audit.action.promise_create",
    "promise.kept": "audit.action.promise_kept",
    "promise.broken": "audit.action.promise_broken",
    "promise.partly_kept": "audit.action.promise_partly_kept",
    "promise.rest": "audit.action.promise_rest",
    "payment_claim.create": "audit.action.payment_claim_create",
    "portfolio.rule_add": "audit.action.portfolio_rule_add",
    "portfolio.rule_delete": "audit.action.portfolio_rule_delete",
    "seed.run": "audit.action.seed_run",
    "import.invoices": "audit.action.import_invoices",
    "import.debtors": "audit.action.import_debtors",
    "import.contacts": "audit.action.import_contacts",
    "import.payments": "audit.action.import_payments",
    "import.einvoices": "audit.action.import_einvoices",
    "import.fec": "audit.action.import_fec",
    "import.statement": "audit.action.import_statement",
    "import.invoice_change": "audit.action.import_invoice_change",
    "import.case_close": "audit.action.import_case_close",
    "import.case_reopen": "audit.action.import_case_reopen",
    "dunning.step": "audit.action.dunning_step",
    "dunning.hold": "audit.action.dunning_hold",
    "dunning.hold_step": "audit.action.dunning_hold_step",
    "dunning.release": "audit.action.dunning_release",
    "dunning.release_step": "audit.action.dunning_release_step",
    "dunning.approve": "audit.action.dunning_approve",
    "dunning.settle": "audit.action.dunning_settle",
    "letter.produce": "audit.action.letter_produce",
    "letter.lrar": "audit.action.letter_lrar",
    "letter.ack": "audit.action.letter_ack",
    "payment.match": "audit.action.payment_match",
    "payment.unmatch": "audit.action.payment_unmatch",
    "penalties.waive": "audit.action.penalties_waive",
    "promise.cancelled": "audit.action.promise_cancelled",
    "plan.active": "audit.action.plan_active",
    "plan.cancelled": "audit.action.plan_cancelled",
    PAYMENT_ACTION: "audit.action.payment_received",
}

INVOICE_STATUS_KEYS: dict[str, str] = {
    InvoiceStatus.OPEN: "audit.invoice_status.open",
    InvoiceStatus.PARTIALLY_PAID: "audit.invoice_status.partially_paid",
    InvoiceStatus.PAID: "audit.invoice_status.paid",
    InvoiceStatus.CANCELLED: "audit.invoice_status.cancelled",
    InvoiceStatus.WRITTEN_OFF: "audit.invoice_status.written_off",
}


class UnknownCaseError(LookupError):
    """No case has this reference or id."""


@dataclass(frozen=True, slots=True)
class AuditLine:
    id: int | None  # None: a payment, not an audit event
    at: str
    agent: str
    action: str
    label: str
    case_id: int | None
    reference: str
    debtor: str
    entity: str
    entity_id: str
    summary: str
    detail: str
    before: str | None
    after: str | None


def action_label(action: str) -> str:
    """The action in words; an action this version does not know keeps its code."""
    return t(AUDIT_ACTION_KEYS[action]) if action in AUDIT_ACTION_KEYS else action


def resolve_case(conn: sqlite3.Connection, text: str) -> int:
    """A case named by its debtor's reference (C000166) or its id; UnknownCaseError if none."""
    found = case_by_reference(conn, text.strip())
    if found is None:
        raise UnknownCaseError(text)
    return found


CASE_STATUS_KEYS: dict[str, str] = {
    "open": "audit.case_status.open",
    "closed": "audit.case_status.closed",
}


def _label(name: str, code: str, entity: str) -> str | None:
    """A code in words. What a `status` means depends on what the event is about: its entity,
    or else its action's family (`plan.completed` is recorded on the case)."""
    if name == "status":
        if entity == "case" and code in CASE_STATUS_KEYS:
            return t(CASE_STATUS_KEYS[code])
        if entity == "invoice" and code in INVOICE_STATUS_KEYS:
            return t(INVOICE_STATUS_KEYS[code])
        if entity == "promise" and code in PROMISE_STATUS_KEYS:
            return t(PROMISE_STATUS_KEYS[code])
        if entity == "plan" and code in PLAN_STATUS_KEYS:
            return t(PLAN_STATUS_KEYS[code])
        if entity == "dispute" and code in DISPUTE_STATUS_KEYS:
            return t(DISPUTE_STATUS_KEYS[code])
        if entity == "callback" and code in CALLBACK_STATUS_KEYS:
            return t(CALLBACK_STATUS_KEYS[code])
    elif name == "outcome" and code in OUTCOME_KEYS:
        return t(OUTCOME_KEYS[code])
    elif name == "cause" and code in CAUSE_KEYS:
        return t(CAUSE_KEYS[code])
    elif name == "resolution" and code in RESOLUTION_KEYS:
        return t(RESOLUTION_KEYS[code])
    elif name == "segment" and code in SEGMENT_KEYS:
        return t(SEGMENT_KEYS[code])
    elif name == "role" and code in AGENT_ROLE_KEYS:
        return t(AGENT_ROLE_KEYS[code])
    elif name == "payer_type" and code in PAYER_TYPE_KEYS:
        return t(PAYER_TYPE_KEYS[code])
    elif name == "frequency" and code in FREQUENCY_KEYS:
        return t(FREQUENCY_KEYS[code])
    return None


def _value(name: str, value: Any, entity: str = "") -> str:
    if isinstance(value, bool):
        return t("audit.flag.yes") if value else t("audit.flag.no")
    if isinstance(value, int) and not isinstance(value, bool) and name.endswith("_cents"):
        return money(value)
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return day(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        try:
            return moment(value)  # a stored UTC moment, in Paris time
        except ValueError:
            return value
    label = _label(name, value, entity) if isinstance(value, str) else None
    if label is not None:
        return label
    if name in ("stage", "next_action", "step") and isinstance(value, str):
        return next_action_label(value)
    if isinstance(value, list | dict):
        return "…"
    return str(value)


def _interaction_of(row: AuditRow) -> int | None:
    if not row.after or '"interaction"' not in row.after:
        return None
    try:
        found = json.loads(row.after).get("interaction")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, int) else None


def summary(row: AuditRow, *, full: bool = False, text: str = "") -> str:
    """What the event changed, in one line: the after (or before) values that say something,
    then the first line of its text (`text`: the recorded note or letter, when the event has no
    detail). `full`: every value and all of the text."""
    parts: list[str] = []
    family = row.action.partition(".")[0]
    about = family if family in ("plan", "promise", "callback", "dispute") else row.entity
    for raw in (row.after, row.before) if not row.after else (row.after,):
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            parts.append(raw)
            continue
        if isinstance(data, dict):
            parts += [
                f"{name.removesuffix('_cents')}={_value(name, value, about)}"
                for name, value in data.items()
                if value not in (None, "", [], {}) and (full or name not in ("case", "interaction"))
            ]
        break
    text = row.detail or text
    text = text if full else text.strip().split("\n", 1)[0]
    line = " · ".join(p for p in (", ".join(parts), text) if p)
    if not full and len(line) > SUMMARY_CHARS:
        line = line[: SUMMARY_CHARS - 1].rstrip() + "…"
    return line


def audit_lines(
    conn: sqlite3.Connection,
    viewer: AgentRow,
    *,
    agent: str | None = None,
    case: str | None = None,
    since: str | None = None,
    until: str | None = None,
    action: str | None = None,
    newest_first: bool = True,
    limit: int | None = None,
    full: bool = False,
) -> Iterator[AuditLine]:
    """The events `viewer` may see, readable, newest first unless told otherwise."""
    case_id = resolve_case(conn, case) if case else None
    rows = list(
        read_audit(
            conn, viewer, agent=agent, case_id=case_id, since=since, limit=limit,
            until=until, action=action, newest_first=newest_first,
        )
    )  # fmt: skip
    cases = cases_of_events(conn, [row.id for row in rows])
    linked = {row.id: found for row in rows if (found := _interaction_of(row)) is not None}
    notes = interaction_notes(conn, list(linked.values()))

    def text_of(row: AuditRow) -> str:
        return notes.get(linked[row.id], "") if row.id in linked else ""

    lines = [
        AuditLine(
            id=row.id, at=row.at, agent=row.agent, action=row.action,
            label=action_label(row.action),
            case_id=cases[row.id][0] if row.id in cases else None,
            reference=cases[row.id][1] if row.id in cases else "",
            debtor=cases[row.id][2] if row.id in cases else "",
            entity=row.entity, entity_id=row.entity_id,
            summary=summary(row, full=full, text=text_of(row)),
            detail=row.detail, before=row.before, after=row.after,
        )
        for row in rows
    ]  # fmt: skip
    if case_id is not None and not agent and _wants_payments(action):
        lines = _with_payments(conn, case_id, lines, since, until, newest_first, limit)
    yield from lines


def _wants_payments(action: str | None) -> bool:
    return action is None or action == PAYMENT_ACTION or PAYMENT_ACTION.startswith(action + ".")


def _with_payments(
    conn: sqlite3.Connection,
    case_id: int,
    lines: list[AuditLine],
    since: str | None,
    until: str | None,
    newest_first: bool,
    limit: int | None,
) -> list[AuditLine]:
    payments: list[AuditLine] = []
    for p in case_payments(conn, case_id):
        stamp = str(p["created_at"])
        if (since and stamp < since) or (until and stamp[: len(until)] > until):
            continue
        text = t("audit.payment_summary", amount=money(int(p["amount_cents"])),
                 day=day(str(p["received_on"])), reference=p["reference"] or "—")  # fmt: skip
        payments.append(
            AuditLine(
                id=None, at=stamp, agent=str(p["created_by"]), action=PAYMENT_ACTION,
                label=action_label(PAYMENT_ACTION), case_id=case_id,
                reference=str(p["reference_debtor"]), debtor=str(p["legal_name"]),
                entity="payment", entity_id=str(p["id"]), summary=text,
                detail="", before=None, after=None,
            )
        )  # fmt: skip
    merged = sorted([*lines, *payments], key=lambda line: line.at, reverse=newest_first)
    return merged[:limit] if limit is not None else merged
