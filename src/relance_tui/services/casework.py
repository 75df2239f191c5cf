"""Casework: what is recorded on a case outside a call (docs/scenarios.md §2), and the recording
machinery every write on a case shares. The case file itself is read by `services.casefile`; a
call and its drafts are recorded by `services.calls`.

Writing: `record_promise`, `record_dispute`, `schedule_callback` and `record_note` record what
happens outside a call (opening a case writes nothing: a broken promise stays urgent until
something is recorded on the case). Every write is one
`BEGIN IMMEDIATE` transaction with its audit events and the case's new score
(`services.queue.refresh_scores` runs inside it): nothing is ever half-saved.

Shared with `services.calls`: `case_write` (the transaction, refused when another agent holds the
case, which `refused_when_claimed` turns into the `CLAIMED_BY_OTHER` problem), `check_texts`,
`active_agent_id`, `update_case`, `refresh_score`, and the writers of a promise, a dispute and a
callback (`write_promise`, `write_dispute`, `write_callback`).

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
from relance_tui.domain.calls import CallPreparation
from relance_tui.domain.clock import PARIS, aware, business_day
from relance_tui.domain.clock import utc_iso as iso
from relance_tui.domain.enums import NextAction
from relance_tui.domain.models import InteractionChannel, Stage, to_cents
from relance_tui.domain.notes_check import NoteFinding, check_notes
from relance_tui.i18n import Key, key
from relance_tui.services.call_preparation import preparation_to_record
from relance_tui.services.casefile import CaseNotFoundError
from relance_tui.services.ranking import refresh_scores
from relance_tui.storage import casework as store
from relance_tui.storage import claims
from relance_tui.storage.agents import get_agent
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import append_audit, transaction

# --- The recording machinery a call shares ----------------------------------------------------


CLAIMED_BY_OTHER = key("case.problem.claimed_by_other")


@dataclass(frozen=True, slots=True)
class Recorded:
    """What `record_promise` / `record_dispute` / `schedule_callback` / `record_note` did."""

    saved: bool
    id: int | None = None
    problems: tuple[Key, ...] = ()
    findings: dict[str, tuple[NoteFinding, ...]] = field(default_factory=dict)


class ClaimedElsewhereError(Exception):
    """Another agent holds the case: the write is refused (two agents never record at once)."""


@contextmanager
def case_write(
    conn: sqlite3.Connection, case_id: int, agent_id: int | None, now: datetime
) -> Iterator[None]:
    """One write transaction on a case, refused inside the lock if someone else holds it."""
    with transaction(conn):
        holder = claims.holder(conn, case_id, now)
        if holder is not None and holder.agent_id != agent_id:
            raise ClaimedElsewhereError(holder.login)
        yield


_P = ParamSpec("_P")
_R = TypeVar("_R")


def refused_when_claimed(
    kind: Callable[..., _R],
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Decorates a recording function: when another agent holds the case
    (`ClaimedElsewhereError`), it returns `kind(saved=False, problems=(CLAIMED_BY_OTHER,))`."""

    def decorate(func: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(func)
        def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return func(*args, **kwargs)
            except ClaimedElsewhereError:
                return kind(saved=False, problems=(CLAIMED_BY_OTHER,))

        return guarded

    return decorate


def check_texts(**texts: str) -> dict[str, tuple[NoteFinding, ...]]:
    """Findings per field name, only for the fields that have some."""
    found = {name: check_notes(text) for name, text in texts.items()}
    return {name: items for name, items in found.items() if items}


CLOSED_CALLBACK_ACTIONS = {"done": "callback.done", "cancelled": "callback.cancel"}


def close_callbacks(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    status: str,
    agent: str,
    at: str,
    due_until: str | None = None,
) -> list[int]:
    """Close the case's pending callbacks (those due by `due_until`, or all) as done or
    cancelled, each with its audit event; their ids."""
    closed = store.close_pending_callbacks(conn, case_id, status=status, at=at, due_until=due_until)
    for callback_id in closed:
        append_audit(
            conn,
            agent=agent,
            action=CLOSED_CALLBACK_ACTIONS[status],
            entity="callback",
            entity_id=callback_id,
            before={"status": "pending"},
            after={"status": status},
            at=at,
        )
    return closed


def active_agent_id(conn: sqlite3.Connection, login: str) -> int | None:
    agent = get_agent(conn, login)
    return None if agent is None or not agent.active else agent.id


def refresh_score(
    conn: sqlite3.Connection, settings: Settings, now: datetime, case_id: int
) -> None:
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


def update_case(
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


def write_promise(
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
    written_on: date | None = None,
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
        written_on=written_on.isoformat() if written_on else None,
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
            **({"written_on": written_on} if written_on else {}),
        },
        at=at,
    )
    return promise_id


def write_dispute(
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


def write_callback(
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


# --- Outside a call ---------------------------------------------------------------------------


def _case_prep(conn: sqlite3.Connection, case_id: int) -> CallPreparation | None:
    try:
        return preparation_to_record(conn, case_id)
    except CaseNotFoundError:
        return None


@refused_when_claimed(Recorded)
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
    written: bool = False,
) -> Recorded:
    """A promise received outside a call (e-mail, letter). Notes, if any, become a note.
    `written`: it came in writing (an e-mail, a signed letter) — an acknowledgment of the debt
    that restarts the prescription from today (a word at the counter or on the phone does not)."""
    now = aware(now)
    today = business_day(now)
    prep = _case_prep(conn, case_id)
    agent_id = active_agent_id(conn, agent_login)
    found: list[Key] = []
    if prep is None:
        return Recorded(False, problems=(key("case.problem.unknown_case"),))
    if agent_id is None:
        found.append(key("case.problem.unknown_agent"))
    if amount <= 0:
        found.append(key("case.problem.amount_not_positive"))
    elif amount > prep.balance:
        found.append(key("case.problem.amount_above_balance"))
    if due_date < today:
        found.append(key("case.problem.date_in_past"))
    if found:
        return Recorded(False, problems=tuple(found))
    findings = check_texts(notes=notes)
    if findings:
        return Recorded(False, findings=findings)
    at = iso(now)
    with case_write(conn, case_id, agent_id, now):
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
        promise_id = write_promise(
            conn,
            case_id,
            amount_cents=to_cents(amount),
            due_date=due_date,
            proof_requested=proof_requested,
            interaction_id=interaction,
            agent_id=agent_id,
            agent=agent_login,
            at=at,
            written_on=today if written else None,
        )
        update_case(
            conn,
            case_id,
            agent=agent_login,
            at=at,
            next_action=NextAction.CHECK_PROMISE.value,
            next_action_on=due_date + timedelta(days=1),
            contacted=False,
        )
        refresh_score(conn, settings, now, case_id)
    return Recorded(True, promise_id)


@refused_when_claimed(Recorded)
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
    prep = _case_prep(conn, case_id)
    if prep is None:
        return Recorded(False, problems=(key("case.problem.unknown_case"),))
    agent_id = active_agent_id(conn, agent_login)
    found: list[Key] = []
    if agent_id is None:
        found.append(key("case.problem.unknown_agent"))
    open_ids = {i.invoice_id for i in prep.invoices if not i.in_dispute}
    if not invoice_ids or not set(invoice_ids) <= open_ids:
        found.append(key("case.problem.dispute_invoices"))
    if not reason.strip():
        found.append(key("case.problem.dispute_reason"))
    if not owner.strip():
        found.append(key("case.problem.dispute_owner"))
    if found:
        return Recorded(False, problems=tuple(found))
    findings = check_texts(dispute_reason=reason, notes=notes)
    if findings:
        return Recorded(False, findings=findings)
    at = iso(now)
    with case_write(conn, case_id, agent_id, now):
        dispute_id = write_dispute(
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
        update_case(
            conn,
            case_id,
            agent=agent_login,
            at=at,
            next_action=NextAction.FOLLOW_DISPUTE.value,
            next_action_on=today + timedelta(days=7),
            contacted=False,
        )
        refresh_score(conn, settings, now, case_id)
    return Recorded(True, dispute_id)


@refused_when_claimed(Recorded)
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
    prep = _case_prep(conn, case_id)
    if prep is None:
        return Recorded(False, problems=(key("case.problem.unknown_case"),))
    agent_id = active_agent_id(conn, agent_login)
    found: list[Key] = []
    if agent_id is None:
        found.append(key("case.problem.unknown_agent"))
    if aware(due_at) <= now:
        found.append(key("case.problem.callback_in_past"))
    if contact_id is not None and prep.contact(contact_id) is None:
        found.append(key("case.problem.unknown_contact"))
    if phone_id is not None and prep.phone(phone_id) is None:
        found.append(key("case.problem.phone_unusable"))
    if found:
        return Recorded(False, problems=tuple(found))
    findings = check_texts(callback_reason=reason)
    if findings:
        return Recorded(False, findings=findings)
    at = iso(now)
    with case_write(conn, case_id, agent_id, now):
        close_callbacks(conn, case_id, status="cancelled", agent=agent_login, at=at)
        callback_id = write_callback(
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
        update_case(
            conn,
            case_id,
            agent=agent_login,
            at=at,
            next_action=NextAction.CALLBACK.value,
            next_action_on=local_day,
            contacted=False,
        )
        refresh_score(conn, settings, now, case_id)
    return Recorded(True, callback_id)


NOTE_CHANNELS = (
    InteractionChannel.NOTE,
    InteractionChannel.EMAIL,
    InteractionChannel.SMS,
    InteractionChannel.LETTER,
)


@refused_when_claimed(Recorded)
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
    found: list[Key] = []
    if store.case_stage_and_action(conn, case_id) is None:
        return Recorded(False, problems=(key("case.problem.unknown_case"),))
    agent_id = active_agent_id(conn, agent_login)
    if agent_id is None:
        found.append(key("case.problem.unknown_agent"))
    if channel not in NOTE_CHANNELS:
        found.append(key("case.problem.channel"))
    if not text.strip():
        found.append(key("case.problem.empty_note"))
    if found:
        return Recorded(False, problems=tuple(found))
    findings = check_texts(notes=text)
    if findings:
        return Recorded(False, findings=findings)
    at = iso(now)
    contacted = channel is not InteractionChannel.NOTE
    with case_write(conn, case_id, agent_id, now):
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
        update_case(conn, case_id, agent=agent_login, at=at, contacted=contacted)
        refresh_score(conn, settings, now, case_id)
    return Recorded(True, interaction)
