"""Casework: everything recorded on a case (SCENARIOS.md §2). The case file itself is read by
`services.casefile` (re-exported here, so `from relance_tui.services.casework import CaseFile,
load_case_file` works).

Writing: `record_call` saves a finished `CallDraft` in one transaction; `record_promise`,
`record_dispute`, `schedule_callback` and `record_note` record what happens outside a call.
Every write is one `BEGIN IMMEDIATE` transaction with its audit events and the case's new score
(`services.queue.refresh_scores` runs inside it): nothing is ever half-saved.

Free text (notes, recap, dispute reason, callback reason) goes through `domain.notes_check`
first: text with findings is refused and the findings come back for the agent to reword; there
is no way to force it through.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import ParamSpec, TypeVar

from relance_tui.config import Settings
from relance_tui.domain.calls import (
    CallDraft,
    CallPreparation,
    NextAction,
    Resolution,
    problems,
)
from relance_tui.domain.clock import PARIS, aware, business_day
from relance_tui.domain.clock import utc_iso as iso
from relance_tui.domain.followup import later_stage
from relance_tui.domain.models import (
    CallOutcome,
    InteractionChannel,
    Stage,
    to_cents,
)
from relance_tui.domain.notes_check import NoteFinding, check_notes
from relance_tui.domain.phones import parse_phone
from relance_tui.services.casefile import (
    ATTEMPT_WINDOW,
    CallbackLine,
    CaseFile,
    CaseNotFoundError,
    CaseSummary,
    CaseWarning,
    ContactLine,
    ContractLine,
    DisputeLine,
    HistoryEntry,
    HistoryKind,
    InstallmentLine,
    InvoiceLine,
    PhoneLine,
    PlanLine,
    PromiseLine,
    WarningKind,
    load_case_file,
    next_action_label,
    preparation_for,
    rate_table,
)
from relance_tui.storage import casework as store
from relance_tui.storage import claims
from relance_tui.storage.agents import get_agent
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import append_audit, transaction

__all__ = [
    "ATTEMPT_WINDOW",
    "NOTE_CHANNELS",
    "PARIS",
    "CallbackLine",
    "CaseFile",
    "CaseNotFoundError",
    "CaseSummary",
    "CaseWarning",
    "ContactLine",
    "ContractLine",
    "DisputeLine",
    "HistoryEntry",
    "HistoryKind",
    "InstallmentLine",
    "InvoiceLine",
    "PhoneLine",
    "PlanLine",
    "PromiseLine",
    "Recorded",
    "RecordedCall",
    "WarningKind",
    "business_day",
    "check_texts",
    "discard_call_draft",
    "load_call_draft",
    "load_case_file",
    "mark_visited",
    "next_action_label",
    "preparation_for",
    "rate_table",
    "record_call",
    "record_dispute",
    "record_note",
    "record_promise",
    "save_call_draft",
    "schedule_callback",
]

# --- Recording --------------------------------------------------------------------------------


CLAIMED_BY_OTHER = "case.problem.claimed_by_other"


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


class ClaimedElsewhereError(Exception):
    """Another agent holds the case: the write is refused (two agents never record at once)."""


@contextmanager
def _case_write(
    conn: sqlite3.Connection, case_id: int, agent_id: int | None, now: datetime
) -> Iterator[None]:
    """One write transaction on a case, refused inside the lock if someone else holds it."""
    with transaction(conn):
        holder = claims.holder(conn, case_id, now)
        if holder is not None and holder.agent_id != agent_id:
            raise ClaimedElsewhereError(holder.login)
        yield


_P = ParamSpec("_P")
_R = TypeVar("_R", "Recorded", "RecordedCall")


def _refused_when_claimed(func: Callable[_P, _R]) -> Callable[_P, _R]:
    @functools.wraps(func)
    def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except ClaimedElsewhereError:
            kind = RecordedCall if func.__name__ == "record_call" else Recorded
            return kind(saved=False, problems=(CLAIMED_BY_OTHER,))  # type: ignore[return-value]

    return guarded


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


@_refused_when_claimed
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
    now = aware(now)
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
    at = iso(now)
    ids: dict[str, int | None] = {}
    with _case_write(conn, draft.case_id, agent_id, now):
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
        due_at=iso(due_at),
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
        after={"case": case_id, "due_at": iso(due_at), "contact": contact_id, "phone": phone_id},
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


@_refused_when_claimed
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
    now = aware(now)
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
    at = iso(now)
    with _case_write(conn, case_id, agent_id, now):
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


@_refused_when_claimed
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
    now = aware(now)
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
    at = iso(now)
    with _case_write(conn, case_id, agent_id, now):
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


@_refused_when_claimed
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
    now = aware(now)
    prep = _case_prep(conn, case_id, settings, now)
    if prep is None:
        return Recorded(False, problems=("case.problem.unknown_case",))
    agent_id = _agent_id(conn, agent_login)
    found: list[str] = []
    if agent_id is None:
        found.append("case.problem.unknown_agent")
    if aware(due_at) <= now:
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
    at = iso(now)
    with _case_write(conn, case_id, agent_id, now):
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
            due_at=aware(due_at),
            contact_id=contact_id,
            phone_id=phone_id,
            reason=reason.strip(),
            agent_id=agent_id,
            agent=agent_login,
            at=at,
        )
        local_day = aware(due_at).astimezone(PARIS).date()
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


@_refused_when_claimed
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
    now = aware(now)
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
    at = iso(now)
    contacted = channel is not InteractionChannel.NOTE
    with _case_write(conn, case_id, agent_id, now):
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
    now = aware(now)
    with transaction(conn):
        store.set_last_visit(conn, case_id, iso(now))
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
        store.save_draft(conn, draft.case_id, agent_id, draft.to_json(), iso(now))
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
