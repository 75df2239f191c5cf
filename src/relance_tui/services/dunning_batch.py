"""The daily dunning batch: list the steps due, and perform them exactly once.

Never twice. Each step is first *reserved* in its own transaction: a row keyed by (case, cycle,
step) — unique — so two batches at once, or a rerun, find it taken. Then it is performed, then
marked done in a second transaction with its history line (interactions) and audit event.

A crash between the two (killed batch, lost power):
- a letter, an SMS not yet started, a phone task: the row stays `reserved`; the next run sees
  that its batch is dead (same host and its process gone, or reserved over six hours ago) and
  performs the step again — writing the same letter file again is harmless.
- an e-mail: the row is moved to `sending` (committed) just before the message is handed to the
  SMTP server. If the batch dies after that, nobody can know whether the server accepted it: the
  step is *not* resent by itself (a duplicate formal notice is worse than a late one); it is
  listed as uncertain, and a supervisor settles it with `relance dunning --settle ID sent|unsent`
  (services.dunning_review)
  (unsent: the next run sends it). So a message is sent at most once, and exactly once unless
  the batch dies inside that window.
- an e-mail the server refused (or no connection): `failed`, retried by the next run.

A payment imported meanwhile: the notice is built when sent, from the invoices still overdue;
a step whose invoices are all settled is cancelled, never sent.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from relance_tui.config import Settings
from relance_tui.domain.models import to_cents
from relance_tui.domain.permissions import Permission
from relance_tui.formatting import money
from relance_tui.i18n import t
from relance_tui.services.ladder import DueStep, due_steps
from relance_tui.services.letters import EmailTemplates, LetterWriter, letter_file_name
from relance_tui.services.mailer import Mail, Mailer, MailError, new_message_id
from relance_tui.services.notices import Notice, build_notice
from relance_tui.services.permissions import require_login
from relance_tui.storage import dunning as store
from relance_tui.storage.db import append_audit, data_dir, transaction, utc_now_iso

LEASE = timedelta(hours=6)  # a reservation older than this is stale whatever its host
CHANNELS = ("email", "letter", "registered_letter", "sms", "phone")
LETTER_CHANNELS = ("letter", "registered_letter")
BATCH_KIND_KEYS = {  # what the batch does by each channel ("E-mails à envoyer"…)
    "email": "dunning.kind.email",
    "letter": "dunning.kind.letter",
    "registered_letter": "dunning.kind.registered_letter",
    "sms": "dunning.kind.sms",
    "phone": "dunning.kind.phone",
}


@dataclass
class KindTotal:
    count: int = 0
    cents: int = 0


def totals(steps: Iterable[DueStep]) -> dict[str, KindTotal]:
    """Count and money per channel (e-mails, letters, registered letters, SMS, calls)."""
    found = {channel: KindTotal() for channel in CHANNELS}
    for step in steps:
        total = found[step.step.channel]
        total.count += 1
        total.cents += step.amount_cents
    return found


@dataclass
class BatchReport:
    due: list[DueStep]
    performed: list[tuple[DueStep, str]] = field(default_factory=list)  # (step, channel used)
    failed: list[tuple[DueStep, str]] = field(default_factory=list)  # (step, why)
    taken: int = 0  # performed already, or by another batch running now
    cancelled: int = 0  # paid meanwhile
    uncertain: list[sqlite3.Row] = field(default_factory=list)
    merged: Path | None = None


def channel_used(planned: str, *, email: str, mobile: str, settings: Settings) -> str:
    """The channel a step goes by: an e-mail with nobody to write to (or no SMTP server) is a
    letter; an SMS without a mobile number or an SMS command is a call."""
    dunning = settings.dunning
    if planned == "sms" and not (dunning.sms_command and mobile):
        return "phone"
    if planned == "email" and not (email and dunning.smtp.host and dunning.smtp.sender):
        return "letter"
    return planned


def batch_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_dead(batch: str, reserved_at: str, now: datetime) -> bool:
    host, _, rest = batch.partition(":")
    pid_text = rest.partition(":")[0]
    try:
        if now - datetime.fromisoformat(reserved_at) > LEASE:
            return True
    except ValueError:
        return True
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def letters_folder(settings: Settings) -> Path:
    configured = settings.dunning.letters_dir
    return Path(configured).expanduser() if configured else data_dir() / "letters"


class _Performer:
    """Performs the steps of one batch run."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        today: date,
        settings: Settings,
        login: str,
        batch: str,
        folder: Path,
        mailer: Mailer,
    ) -> None:
        self.conn = conn
        self.today = today
        self.settings = settings
        self.login = login
        self.batch = batch
        self.folder = folder
        self.mailer = mailer
        self.writer = LetterWriter()
        self.emails = EmailTemplates()
        self.letters: list[Path] = []

    def close(self) -> None:
        self.writer.close()
        self.mailer.close()

    def reserve(self, due: DueStep, stale: list[str]) -> tuple[int, tuple[int, ...]] | None:
        with transaction(self.conn):
            require_login(self.conn, self.login, Permission.DUNNING)
            invoices = due.invoices or tuple(
                int(r["id"]) for r in store.covered_invoices(self.conn, due.debtor_id, self.today)
            )
            step_id = store.reserve_step(
                self.conn,
                key=due.key,
                debtor_id=due.debtor_id,
                case_id=due.case_id,
                cycle=due.cycle,
                step=due.step.step,
                channel=due.step.channel,
                due_on=due.due_on,
                batch=self.batch,
                by=self.login,
                at=utc_now_iso(),
                amount_cents=due.amount_cents,
                invoices=invoices,
                stale_batches=stale,
            )
        return None if step_id is None else (step_id, invoices)

    def notice(self, due: DueStep, step_id: int, invoices: tuple[int, ...]) -> Notice:
        return build_notice(
            self.conn,
            debtor_id=due.debtor_id,
            case_id=due.case_id,
            step=due.step.step,
            channel=due.step.channel,
            reference=f"REL-{step_id:06d}",
            today=self.today,
            settings=self.settings,
            invoice_ids=invoices,
        )

    def finish(
        self,
        due: DueStep,
        step_id: int,
        notice: Notice,
        *,
        channel: str,
        from_status: tuple[str, ...] = ("reserved",),
        **values: object,
    ) -> None:
        """Mark the step done with its history line and audit event, in one transaction."""
        at = utc_now_iso()
        with transaction(self.conn):
            interaction = None
            if due.case_id is not None:
                history_channel = "note" if channel == "phone" else channel
                interaction = store.record_interaction(
                    self.conn,
                    case_id=due.case_id,
                    channel=history_channel,
                    at=at,
                    contact_id=None,
                    notes=t(
                        "dunning.history_note",
                        reference=notice.reference,
                        total=money(to_cents(notice.total)),
                    ),
                    letter_kind=due.step.step,
                    reference=notice.reference,
                )
                store.set_case_stage(self.conn, due.case_id, due.step.step, at)
                if channel == "phone":
                    store.set_phone_task(self.conn, due.case_id, self.today, at)
            moved = store.set_step_status(
                self.conn,
                step_id,
                "done",
                batch=self.batch,
                from_status=from_status,
                done_at=at,
                reference=notice.reference,
                interaction_id=interaction,
                channel=channel,
                **values,
            )
            if not moved:  # another run settled it meanwhile: keep theirs
                raise _Lost
            append_audit(
                self.conn,
                agent=self.login,
                action="dunning.step",
                entity="case" if due.case_id is not None else "debtor",
                entity_id=due.case_id if due.case_id is not None else due.debtor_id,
                after={
                    "step": due.step.step,
                    "channel": channel,
                    "reference": notice.reference,
                    "invoices": [i.number for i in notice.invoices],
                    "total": str(notice.total),
                    **{k: v for k, v in values.items() if k in ("recipient", "message_id")},
                },
            )

    def fail(self, step_id: int, why: str, *, from_status: tuple[str, ...]) -> None:
        with transaction(self.conn):
            store.set_step_status(
                self.conn, step_id, "failed", batch=self.batch, from_status=from_status, note=why
            )

    def cancel(self, step_id: int) -> None:
        with transaction(self.conn):
            store.set_step_status(
                self.conn, step_id, "cancelled", batch=self.batch, from_status=("reserved",),
                note="paid", done_at=utc_now_iso(),
            )  # fmt: skip

    def letter(self, due: DueStep, step_id: int, notice: Notice, channel: str) -> None:
        path = self.folder / self.today.isoformat() / letter_file_name(notice)
        self.writer.write(notice, path)
        self.letters.append(path)
        self.finish(due, step_id, notice, channel=channel, document=str(path))

    def email(self, due: DueStep, step_id: int, notice: Notice) -> str | None:
        """Send; None when sent, else why not."""
        body = self.emails.render(notice)
        attachment = self.writer.pdf(notice)
        message_id = new_message_id(self.settings.dunning.smtp.sender)
        with transaction(self.conn):
            if not store.set_step_status(
                self.conn, step_id, "sending", batch=self.batch, from_status=("reserved",),
                message_id=message_id, recipient=notice.contact_email,
            ):  # fmt: skip
                raise _Lost
        mail = Mail(
            to=notice.contact_email,
            subject=body.subject,
            text=body.text,
            html=body.html,
            attachment_name=letter_file_name(notice),
            attachment=attachment,
        )
        try:
            self.mailer.send(mail, message_id=message_id)
        except MailError as error:
            self.fail(step_id, str(error), from_status=("sending",))
            return str(error)
        self.finish(
            due, step_id, notice, channel="email", from_status=("sending",),
            message_id=message_id, recipient=notice.contact_email,
        )  # fmt: skip
        return None

    def sms(self, due: DueStep, step_id: int, notice: Notice) -> str | None:
        command = self.settings.dunning.sms_command
        text = t("dunning.sms_text", creditor=notice.creditor.name,
                 total=money(to_cents(notice.total)), reference=notice.reference)  # fmt: skip
        with transaction(self.conn):
            if not store.set_step_status(
                self.conn, step_id, "sending", batch=self.batch, from_status=("reserved",),
                recipient=notice.mobile,
            ):  # fmt: skip
                raise _Lost
        try:
            subprocess.run(
                [*command.split(), notice.mobile, text], check=True, timeout=60,
                capture_output=True,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError) as error:
            self.fail(step_id, str(error), from_status=("sending",))
            return str(error)
        self.finish(due, step_id, notice, channel="sms", from_status=("sending",),
                    recipient=notice.mobile)  # fmt: skip
        return None

    def perform(self, due: DueStep, step_id: int, invoices: tuple[int, ...]) -> tuple[str, str]:
        """('done', channel) or ('failed', why) or ('cancelled', '')."""
        notice = self.notice(due, step_id, invoices)
        if not notice.invoices:
            self.cancel(step_id)
            return "cancelled", ""
        channel = channel_used(
            due.step.channel,
            email=notice.contact_email if self.mailer.configured else "",
            mobile=notice.mobile,
            settings=self.settings,
        )
        if channel == "phone":
            self.finish(due, step_id, notice, channel="phone")
            return "done", channel
        if channel in LETTER_CHANNELS:
            self.letter(due, step_id, notice, channel)
            return "done", channel
        why = (
            self.email(due, step_id, notice)
            if channel == "email"
            else self.sms(due, step_id, notice)
        )
        return ("failed", why) if why else ("done", channel)


class _Lost(Exception):
    """The step was settled by someone else meanwhile."""


def run_batch(
    conn: sqlite3.Connection,
    *,
    today: date,
    settings: Settings,
    login: str,
    segment: str | None = None,
    perform: bool = False,
    mailer: Mailer | None = None,
    on_step: Callable[[DueStep, str], None] | None = None,
    only: Collection[str] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BatchReport:
    """List the steps due today; with `perform`, perform them (a supervisor's or admin's).

    `only`: perform just the steps of these keys (those a supervisor reviewed and approved; a
    step that fell due since is left for the next review). `should_stop`: asked before each
    step; True ends the run there (every step taken so far is finished).
    """
    now = datetime.now(UTC)
    stale: list[str] = []
    report = BatchReport(due=[])
    for row in store.unfinished_steps(conn):
        if _owner_dead(str(row["batch"]), str(row["reserved_at"]), now):
            if row["status"] == "sending":
                report.uncertain.append(row)
            elif row["batch"] not in stale:
                stale.append(str(row["batch"]))
    if perform:
        with transaction(conn):
            require_login(conn, login, Permission.DUNNING)
            report.cancelled += len(store.cancel_settled_steps(conn, utc_now_iso()))
    report.due = list(due_steps(conn, today, settings, segment=segment))
    if only is not None:
        report.due = [due for due in report.due if due.key in only]
    if not perform:
        return report
    performer = _Performer(
        conn, today=today, settings=settings, login=login, batch=batch_id(),
        folder=letters_folder(settings), mailer=mailer or Mailer(settings.dunning.smtp),
    )  # fmt: skip
    try:
        for due in report.due:
            if should_stop is not None and should_stop():
                break
            taken = performer.reserve(due, stale)
            if taken is None:
                report.taken += 1
                continue
            try:
                outcome, detail = performer.perform(due, *taken)
            except _Lost:
                report.taken += 1
                continue
            if outcome == "done":
                report.performed.append((due, detail))
            elif outcome == "failed":
                report.failed.append((due, detail))
            else:
                report.cancelled += 1
            if on_step is not None:
                on_step(due, outcome)
    finally:
        performer.close()
    report.merged = merge_letters(performer.letters, performer.folder, today)
    return report


def merge_letters(paths: list[Path], folder: Path, today: date) -> Path | None:
    """One file with the day's letters, for printing (poppler's pdfunite when installed)."""
    if not paths or shutil.which("pdfunite") is None:
        return None
    target = folder / f"{today.isoformat()}-a-imprimer.pdf"
    done = sorted({p for p in paths if p.exists()})
    if len(done) == 1:
        shutil.copyfile(done[0], target)
        return target
    subprocess.run(["pdfunite", *map(str, done), str(target)], check=True, capture_output=True)
    return target


def json_report(report: BatchReport) -> dict[str, object]:
    return {
        "due": [
            {
                "reference": s.reference,
                "name": s.name,
                "segment": s.segment,
                "step": s.step.step,
                "channel": s.step.channel,
                "due_on": s.due_on.isoformat(),
                "amount_cents": s.amount_cents,
                "prescription_close": s.prescription_close,
            }
            for s in report.due
        ],
        "totals": {k: {"count": v.count, "cents": v.cents} for k, v in totals(report.due).items()},
        "performed": len(report.performed),
        "failed": [{"reference": s.reference, "error": why} for s, why in report.failed],
        "taken": report.taken,
        "cancelled": report.cancelled,
        "uncertain": [dict(row) for row in report.uncertain],
        "merged": str(report.merged) if report.merged else None,
    }


__all__ = ["BatchReport", "json_report", "run_batch", "totals"]
