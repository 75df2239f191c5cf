"""The supervisor's side of the dunning batch: hold a case's next step at the review (the
batch skips it until released), and settle an e-mail a dead batch left uncertain."""

from __future__ import annotations

import sqlite3
from datetime import date

from relance_tui.config import Settings
from relance_tui.domain.permissions import Permission
from relance_tui.services.ladder import case_decision, step_key
from relance_tui.services.permissions import require_login
from relance_tui.storage import dunning as store
from relance_tui.storage.db import append_audit, transaction, utc_now_iso


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
