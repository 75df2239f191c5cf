"""Letters produced by hand (the case screen's `l`, `relance letters make`), and the registered
letters' tracking: the LRAR number, then the date on the acknowledgment of receipt (from which a
formal notice's deadline runs)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from relance_tui.config import Settings
from relance_tui.domain.penalties import regime_for
from relance_tui.domain.permissions import Permission
from relance_tui.services.ladder import case_decision
from relance_tui.services.letters import EmailTemplates, LetterWriter, letter_file_name
from relance_tui.services.notices import KINDS, STEP_KINDS, Notice, build_notice, notice_kind
from relance_tui.services.permissions import require_login
from relance_tui.storage import dunning as store
from relance_tui.storage.casework import case_header
from relance_tui.storage.db import append_audit, transaction, utc_now_iso


class LetterError(ValueError):
    """The letter cannot be produced (no case, nothing overdue, unknown kind); says why."""


@dataclass(frozen=True, slots=True)
class ProducedLetter:
    path: Path
    kind: str
    reference: str
    preview: str  # the plain text of the notice, for the terminal


def default_kind(conn: sqlite3.Connection, case_id: int, today: date, settings: Settings) -> str:
    """The letter of the case's next step (else of the step it reached, else a reminder)."""
    decision = case_decision(conn, case_id, today, settings)
    step = "friendly_reminder"
    if decision is not None and decision.next is not None and decision.next.step in STEP_KINDS:
        step = decision.next.step
    elif decision is not None and decision.reached is not None:
        step = decision.reached.value
    head = case_header(conn, case_id)
    segment = str(head["segment"]) if head else "sme"
    return notice_kind(step, regime_for(segment), settings, first=False)


def _notice(
    conn: sqlite3.Connection, case_id: int, *, today: date, settings: Settings, kind: str | None
) -> Notice:
    head = case_header(conn, case_id)
    if head is None:
        raise LetterError(case_id)
    kind = kind or default_kind(conn, case_id, today, settings)
    if kind not in KINDS:
        raise LetterError(kind)
    step = next((s for s, k in STEP_KINDS.items() if k == kind), "friendly_reminder")
    first = store.first_letter(conn, case_id)
    return build_notice(
        conn, debtor_id=int(head["debtor_id"]), case_id=case_id, step=step, channel="letter",
        reference=f"REL-{case_id}-{today:%Y%m%d}-{kind}", today=today, settings=settings,
        kind=kind,
        first_letter=(str(first["reference"]), date.fromisoformat(first["day"])) if first else None,
    )  # fmt: skip


def preview_letter(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    today: date,
    settings: Settings,
    kind: str | None = None,
) -> tuple[str, str]:
    """(kind, the notice as plain text) without writing anything."""
    notice = _notice(conn, case_id, today=today, settings=settings, kind=kind)
    return notice.kind, EmailTemplates().render(notice).text


def produce_letter(
    conn: sqlite3.Connection,
    case_id: int,
    *,
    today: date,
    settings: Settings,
    login: str,
    folder: Path,
    kind: str | None = None,
) -> ProducedLetter:
    """Write the letter's PDF into `folder` and record it in the case's history."""
    notice = _notice(conn, case_id, today=today, settings=settings, kind=kind)
    path = folder / today.isoformat() / letter_file_name(notice)
    with LetterWriter() as writer:
        writer.write(notice, path)
    preview = EmailTemplates().render(notice).text
    with transaction(conn):
        agent = require_login(conn, login, Permission.WORK_OWN_PORTFOLIO)
        store.record_interaction(
            conn, case_id=case_id, channel="letter", at=utc_now_iso(), contact_id=None,
            notes=str(path), letter_kind=notice.kind, reference=notice.reference,
            agent_id=agent.id,
        )  # fmt: skip
        append_audit(
            conn, agent=login, action="letter.produce", entity="case", entity_id=case_id,
            after={"kind": notice.kind, "reference": notice.reference, "file": str(path)},
        )  # fmt: skip
    return ProducedLetter(path, notice.kind, notice.reference, preview)


def record_lrar(conn: sqlite3.Connection, reference: str, number: str, *, login: str) -> bool:
    with transaction(conn):
        require_login(conn, login, Permission.WORK_OWN_PORTFOLIO)
        row = store.set_lrar(conn, reference, number.strip())
        if row is None:
            return False
        append_audit(
            conn, agent=login, action="letter.lrar", entity="case", entity_id=row["case_id"],
            after={"reference": reference, "lrar": number},
        )  # fmt: skip
    return True


def record_acknowledgment(conn: sqlite3.Connection, number: str, day: date, *, login: str) -> bool:
    with transaction(conn):
        require_login(conn, login, Permission.WORK_OWN_PORTFOLIO)
        row = store.set_acknowledged(conn, number.strip(), day)
        if row is None:
            return False
        append_audit(
            conn, agent=login, action="letter.ack", entity="case", entity_id=row["case_id"],
            after={"lrar": number, "acknowledged_on": day.isoformat()},
        )  # fmt: skip
    return True
