"""The supervisor's side of the dunning batch: the day's review (every due step with the
channel it will go by and to whom, held steps with why), hold a step (the batch skips it until
released), approve and perform exactly the steps reviewed, and settle an e-mail a dead batch
left uncertain. Every use case checks the role here: an agent is refused (NotAllowedError)."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date

from relance_tui.config import Settings
from relance_tui.domain.permissions import Permission
from relance_tui.services.dunning_batch import (
    CHANNELS,
    BatchReport,
    KindTotal,
    channel_used,
    run_batch,
)
from relance_tui.services.ladder import DueStep, case_decision, due_steps, step_key
from relance_tui.services.notices import choose_contact
from relance_tui.services.permissions import require_login
from relance_tui.storage import dunning as store
from relance_tui.storage.db import append_audit, transaction, utc_now_iso


@dataclass(frozen=True, slots=True)
class ReviewLine:
    """A due step as it will be performed: by which channel, to whom."""

    due: DueStep
    channel: str
    recipient: str


@dataclass(frozen=True, slots=True)
class HeldLine:
    step_id: int
    case_id: int | None
    reference: str
    name: str
    step: str
    channel: str
    amount_cents: int
    reason: str
    by: str


@dataclass(frozen=True, slots=True)
class BatchReview:
    day: date
    lines: list[ReviewLine]
    held: list[HeldLine]

    @property
    def totals(self) -> dict[str, KindTotal]:
        """Count and money per channel the steps will go by."""
        found = {channel: KindTotal() for channel in CHANNELS}
        for line in self.lines:
            total = found[line.channel]
            total.count += 1
            total.cents += line.due.amount_cents
        return found

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(line.due.key for line in self.lines)


def _recipient(channel: str, contact: sqlite3.Row | None, address: sqlite3.Row | None) -> str:
    name = str(contact["name"]) if contact is not None else ""
    if channel == "email":
        return str(contact["email"] or "") if contact is not None else ""
    if channel == "sms":
        return str(contact["mobile"] or "") if contact is not None else ""
    if channel == "phone" or address is None:
        return name
    place = " ".join(str(address[k] or "") for k in ("postal_code", "city")).strip()
    return ", ".join(part for part in (name, place) if part)


def review_batch(
    conn: sqlite3.Connection,
    *,
    today: date,
    settings: Settings,
    login: str,
    segment: str | None = None,
) -> BatchReview:
    """The day's batch as `relance dunning --dry-run` lists it, with each step's channel and
    recipient (a few queries whatever the count: contacts and addresses read at once)."""
    require_login(conn, login, Permission.DUNNING)
    due = list(due_steps(conn, today, settings, segment=segment))
    debtors = sorted({step.debtor_id for step in due})
    contacts: dict[int, list[sqlite3.Row]] = defaultdict(list)
    for row in store.contacts_of(conn, debtors):
        contacts[int(row["debtor_id"])].append(row)
    addresses = {int(row["id"]): row for row in store.addresses_of(conn, debtors)}
    lines = []
    for step in due:
        contact = choose_contact(contacts[step.debtor_id], step.step.step)
        channel = channel_used(
            step.step.channel,
            email=str(contact["email"] or "") if contact is not None else "",
            mobile=str(contact["mobile"] or "") if contact is not None else "",
            settings=settings,
        )
        recipient = _recipient(channel, contact, addresses.get(step.debtor_id))
        lines.append(ReviewLine(step, channel, recipient))
    held = [
        HeldLine(
            step_id=int(row["id"]),
            case_id=row["case_id"],
            reference=str(row["reference"]),
            name=str(row["legal_name"]),
            step=str(row["step"]),
            channel=str(row["channel"]),
            amount_cents=int(row["overdue_cents"] or row["amount_cents"] or 0),
            reason=str(row["note"]),
            by=str(row["reserved_by"] or ""),
        )
        for row in store.held_steps(conn)
    ]
    return BatchReview(today, lines, held)


def hold_due_step(conn: sqlite3.Connection, due: DueStep, *, reason: str, login: str) -> bool:
    """Hold one step of the review with a reason (a case's step or a debtor's pre-reminder):
    the batch skips it until released. False when it cannot be held (sent meanwhile)."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a hold needs a reason")
    with transaction(conn):
        require_login(conn, login, Permission.DUNNING)
        if not store.hold_step(
            conn, key=due.key, debtor_id=due.debtor_id, case_id=due.case_id, cycle=due.cycle,
            step=due.step.step, channel=due.step.channel, due_on=due.due_on, reason=reason,
            by=login, at=utc_now_iso(),
        ):  # fmt: skip
            return False
        append_audit(
            conn, agent=login, action="dunning.hold_step",
            entity="case" if due.case_id is not None else "debtor",
            entity_id=due.case_id if due.case_id is not None else due.debtor_id,
            after={"step": due.step.step, "reason": reason, "key": due.key},
        )  # fmt: skip
    return True


def release_held_step(conn: sqlite3.Connection, step_id: int, *, login: str) -> bool:
    with transaction(conn):
        require_login(conn, login, Permission.DUNNING)
        row = store.release_held_step(conn, step_id, utc_now_iso())
        if row is None:
            return False
        case_id = row["case_id"]
        append_audit(
            conn, agent=login, action="dunning.release_step",
            entity="case" if case_id is not None else "debtor",
            entity_id=case_id if case_id is not None else row["debtor_id"],
            after={"step": row["step"]},
        )  # fmt: skip
    return True


def perform_reviewed(
    conn: sqlite3.Connection,
    review: BatchReview,
    *,
    settings: Settings,
    login: str,
    on_step: Callable[[DueStep, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BatchReport:
    """Approve the review and perform exactly its steps (each once: services.dunning_batch). A
    step held, paid or fallen due since the review is not performed. Audited."""
    keys: Collection[str] = review.keys
    with transaction(conn):
        require_login(conn, login, Permission.DUNNING)
        append_audit(
            conn, agent=login, action="dunning.approve", entity="dunning_batch",
            entity_id=review.day.isoformat(), after={"steps": len(keys)},
        )  # fmt: skip
    return run_batch(
        conn, today=review.day, settings=settings, login=login, perform=True, on_step=on_step,
        only=keys, should_stop=should_stop,
    )  # fmt: skip


def hold_next_step(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    reason: str,
    today: date,
    settings: Settings,
    login: str,
) -> str | None:
    """A supervisor's review: hold the case's next step with a reason (the batch skips it until
    released). Returns the step held, or None when there is none to hold."""
    decision = case_decision(conn, case_id, today, settings)
    found = store.case_cycle(conn, case_id)
    if decision is None or decision.next is None or decision.due_on is None or found is None:
        return None
    debtor_id, cycle = found
    step = decision.next
    with transaction(conn):
        require_login(conn, login, Permission.DUNNING)
        if not store.hold_step(
            conn, key=step_key(case_id, cycle, step.step), debtor_id=debtor_id, case_id=case_id,
            cycle=cycle, step=step.step, channel=step.channel, due_on=decision.due_on,
            reason=reason, by=login, at=utc_now_iso(),
        ):  # fmt: skip
            return None
        append_audit(
            conn, agent=login, action="dunning.hold_step", entity="case", entity_id=case_id,
            after={"step": step.step, "reason": reason},
        )  # fmt: skip
    return step.step


def release_steps(conn: sqlite3.Connection, case_id: int, *, login: str) -> int:
    with transaction(conn):
        require_login(conn, login, Permission.DUNNING)
        released = store.release_held_steps(conn, case_id, utc_now_iso())
        if released:
            append_audit(
                conn, agent=login, action="dunning.release_step", entity="case",
                entity_id=case_id,
            )  # fmt: skip
    return released


def settle_uncertain(conn: sqlite3.Connection, step_id: int, *, sent: bool, login: str) -> bool:
    """A supervisor says whether an e-mail left by a dead batch went out: sent → done (never
    resent), unsent → failed (the next run sends it)."""
    with transaction(conn):
        require_login(conn, login, Permission.DUNNING)
        row = store.step_row(conn, step_id)
        if row is None or row["status"] != "sending":
            return False
        store.set_step_status(
            conn, step_id, "done" if sent else "failed", batch=str(row["batch"]),
            from_status=("sending",), note=f"settled by {login}",
            **({"done_at": utc_now_iso()} if sent else {}),
        )  # fmt: skip
        append_audit(
            conn, agent=login, action="dunning.settle", entity="dunning_step", entity_id=step_id,
            after={"sent": sent, "message_id": row["message_id"]},
        )  # fmt: skip
    return True
