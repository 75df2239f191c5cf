"""Calls: recording a concluded call (docs/scenarios.md §2), and the call in progress as a draft.

`record_call` saves a finished `CallDraft` in one transaction, or nothing at all, with the
recording machinery of `services.casework`: refused when another agent holds the case, the free
text checked first (`check_texts`: text with findings is refused and the findings come back for
the agent to reword), the promise / dispute / callback written as outside a call, then the case's
stage, next action and score.

Drafts (`save_call_draft`, `load_call_draft`, `discard_call_draft`) keep the agent's unfinished
call so that a hang-up loses nothing; recording the call deletes its draft.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime

from relance_tui.config import Settings
from relance_tui.domain.calls import (
    CallDraft,
    CallPreparation,
    Resolution,
    call_durations,
    problems,
)
from relance_tui.domain.clock import aware, business_day
from relance_tui.domain.clock import utc_iso as iso
from relance_tui.domain.followup import later_stage
from relance_tui.domain.models import CallOutcome, InteractionChannel, Stage, to_cents
from relance_tui.domain.notes_check import NoteFinding
from relance_tui.domain.phones import parse_phone
from relance_tui.i18n import Key, key
from relance_tui.services.call_preparation import preparation_to_record
from relance_tui.services.casework import (
    active_agent_id,
    case_write,
    check_texts,
    close_callbacks,
    refresh_score,
    refused_when_claimed,
    update_case,
    write_callback,
    write_dispute,
    write_promise,
)
from relance_tui.storage import casework as store
from relance_tui.storage.db import append_audit, transaction

# --- Recording a call -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """What `record_call` did. `saved` False: nothing was written; `problems` (translation keys)
    or `findings` (words to reword, per field) say why."""

    saved: bool
    problems: tuple[Key, ...] = ()
    findings: dict[str, tuple[NoteFinding, ...]] = field(default_factory=dict)
    interaction_id: int | None = None
    promise_id: int | None = None
    plan_id: int | None = None
    dispute_id: int | None = None
    callback_id: int | None = None
    phone_marked_invalid: int | None = None
    follow_up_on: date | None = None
    next_action: str = ""


def check_call_texts(draft: CallDraft) -> dict[str, tuple[NoteFinding, ...]]:
    """Findings in the call's free texts (notes, recap, dispute and callback reasons)."""
    return check_texts(
        notes=draft.notes,
        recap=draft.recap,
        dispute_reason=draft.dispute.reason if draft.dispute else "",
        callback_reason=draft.callback.reason if draft.callback else "",
    )


@refused_when_claimed(RecordedCall)
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
    prep = preparation_to_record(conn, draft.case_id)
    found = list(problems(draft, prep, today=today))
    agent_id = active_agent_id(conn, agent_login)
    if agent_id is None:
        found.append(key("case.problem.unknown_agent"))
    new_phone = draft.contact_update.new_phone if draft.contact_update else None
    if new_phone and not parse_phone(new_phone).valid:
        found.append(key("case.problem.new_phone_invalid"))
    if found:
        return RecordedCall(saved=False, problems=tuple(dict.fromkeys(found)))
    findings = check_call_texts(draft)
    if findings:
        return RecordedCall(saved=False, findings=findings)
    at = iso(now)
    ids: dict[str, int | None] = {}
    with case_write(conn, draft.case_id, agent_id, now):
        ids = _write_call(
            conn,
            draft,
            prep,
            agent_id=agent_id,
            agent=agent_login,
            at=at,
            today=today,
            durations=call_durations(draft, now),
        )
        refresh_score(conn, settings, now, draft.case_id)
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
    durations: tuple[int, int],
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
        started_at=iso(draft.started_at),
        talk_seconds=durations[0],
        handling_seconds=durations[1],
        message_left=draft.message_left,
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
            "talk_seconds": durations[0],
            "handling_seconds": durations[1],
            "message_left": draft.message_left,
        },
        detail=draft.recap,
        at=at,
    )
    # Pending callbacks due by now are answered by this call; a new callback replaces the others.
    close_callbacks(conn, case_id, status="done", agent=agent, at=at, due_until=at)
    if draft.callback is not None:
        close_callbacks(conn, case_id, status="cancelled", agent=agent, at=at)

    if draft.resolution is Resolution.PROMISE and draft.promise:
        ids["promise"] = write_promise(
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
        answered = store.pending_promises(
            conn, case_id, kind="promise", due_until=claim.check_by.isoformat()
        )
        ids["promise"] = write_promise(
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
        for promise in answered:  # the claim answers them: checked as the claim, not twice
            _settle(conn, promise, "cancelled", today, agent, at, replaced_by=ids["promise"])
    elif draft.resolution is Resolution.REFUSAL:
        for promise in store.pending_promises(
            conn, case_id, kind="promise", due_until=today.isoformat()
        ):
            _settle(conn, promise, "broken", today, agent, at, cause=draft.cause)
            store.count_debtor_promise(conn, case_id, kept=False, at=at)
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
        ids["dispute"] = write_dispute(
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
        ids["callback"] = write_callback(
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

    update_case(
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


def _settle(
    conn: sqlite3.Connection,
    promise: sqlite3.Row,
    status: str,
    today: date,
    agent: str,
    at: str,
    *,
    replaced_by: int | None = None,
    cause: str | None = None,
) -> None:
    """A pending promise settled by the call: broken by a refusal, replaced by a payment claim."""
    if not store.settle_promise(conn, int(promise["id"]), status, today.isoformat()):
        return
    reason = "refusal" if status == "broken" else "payment_claimed"
    append_audit(
        conn,
        agent=agent,
        action=f"promise.{status}",
        entity="promise",
        entity_id=int(promise["id"]),
        before={"status": "pending"},
        after={
            "status": status,
            "settled_on": today,
            "reason": reason,
            "cause": cause,
            "replaced_by": replaced_by,
        },
        detail=reason,
        at=at,
    )


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


# --- Call drafts (hang-up safety) -------------------------------------------------------------


def save_call_draft(
    conn: sqlite3.Connection, draft: CallDraft, *, agent_login: str, now: datetime
) -> bool:
    """Keep the call in progress; False when the agent is unknown."""
    agent_id = active_agent_id(conn, agent_login)
    if agent_id is None:
        return False
    with transaction(conn):
        store.save_draft(conn, draft.case_id, agent_id, draft.to_json(), iso(now))
    return True


@dataclass(frozen=True)
class SavedCallDraft:
    draft: CallDraft
    saved_at: datetime  # its last save: the call lay dead from then until it is resumed


def load_call_draft(
    conn: sqlite3.Connection, case_id: int, *, agent_login: str
) -> SavedCallDraft | None:
    """The agent's unfinished call on this case, if any (a draft that no longer reads is None)."""
    agent_id = active_agent_id(conn, agent_login)
    if agent_id is None:
        return None
    row = store.load_draft(conn, case_id, agent_id)
    if row is None:
        return None
    data, saved_at = row
    try:
        return SavedCallDraft(CallDraft.from_json(data), aware(datetime.fromisoformat(saved_at)))
    except ValueError:
        return None


def discard_call_draft(conn: sqlite3.Connection, case_id: int, *, agent_login: str) -> None:
    agent_id = active_agent_id(conn, agent_login)
    if agent_id is None:
        return
    with transaction(conn):
        store.delete_draft(conn, case_id, agent_id)
