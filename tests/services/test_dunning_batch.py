"""The daily batch against a real SMTP server on loopback (aiosmtpd): messages parsed back, sent
once only — rerun, failure and retry, a batch killed in the middle, two batches at once."""

import getpass
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from factories import add_agent, add_contact, add_debtor, add_invoice, case_of, open_cases
from relance_tui.config import DunningSettings, LadderStep, Settings, SmtpSettings
from relance_tui.services.dunning_batch import run_batch
from relance_tui.services.dunning_review import (
    hold_next_step,
    perform_reviewed,
    release_steps,
    review_batch,
    settle_uncertain,
)
from relance_tui.services.ladder import case_decision
from relance_tui.storage.cases import sync_cases
from relance_tui.storage.db import connect, transaction
from smtp_server import Mailbox, smtp_server

ME = getpass.getuser()
T = date(2026, 11, 2)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    with smtp_server(box) as port:
        yield box, port


def settings_for(port: int, tmp_path: Path) -> Settings:
    return Settings(
        dunning=DunningSettings(
            letters_dir=str(tmp_path / "letters"),
            smtp=SmtpSettings(
                host="127.0.0.1", port=port, security="none", sender="relance@riviere.fr"
            ),
        )
    )


def seed(conn: sqlite3.Connection, count: int) -> list[int]:
    """`count` SMEs 16 days late (their friendly reminder is due by e-mail); the first owes two
    invoices (one notice for both)."""
    cases = []
    with transaction(conn):
        add_agent(conn, ME, "supervisor")
        for n in range(count):
            debtor = add_debtor(conn, name=f"Client {n}", reference=f"C{n:03d}")
            add_contact(conn, debtor, name=f"Compta {n}", role="accounts_payable")
            add_contact(conn, debtor, name=f"Patron {n}", role="decision_maker")
            conn.execute(
                "UPDATE contacts SET email = ? WHERE debtor_id = ? AND role = 'accounts_payable'",
                (f"compta{n}@client{n}.fr", debtor),
            )
            add_invoice(conn, debtor, due=T - timedelta(days=16), number=f"F-{n}-A")
            if n == 0:
                add_invoice(conn, debtor, due=T - timedelta(days=3), number="F-0-B")
        open_cases(conn, T)
        cases = [case_of(conn, d) for (d,) in conn.execute("SELECT id FROM debtors ORDER BY id")]
    return cases


def test_a_batch_sends_each_notice_once_with_its_pdf(
    db_path: Path, tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = settings_for(port, tmp_path)
    conn = connect(db_path)
    seed(conn, 3)
    listed = run_batch(conn, today=T, settings=settings, login=ME)
    assert [s.step.step for s in listed.due] == ["friendly_reminder"] * 3 and not box.messages
    report = run_batch(conn, today=T, settings=settings, login=ME, perform=True)
    assert len(report.performed) == 3 and not report.failed
    assert box.to() == ["compta0@client0.fr", "compta1@client1.fr", "compta2@client2.fr"]
    first = next(m for m in box.messages if m["To"] == "compta0@client0.fr")
    assert str(first["Subject"]).startswith("Rappel de factures échues")
    text = first.get_body(("plain",))
    assert text is not None and "F-0-A" in text.get_content() and "F-0-B" in text.get_content()
    assert first.get_body(("html",)) is not None
    [attachment] = list(first.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = tmp_path / "attached.pdf"
    pdf.write_bytes(attachment.get_content())
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Rappel de factures échues" in out and "F-0-A" in out and "F-0-B" in out
    step = conn.execute(
        "SELECT status, message_id, recipient, reference FROM dunning_steps"
        " WHERE recipient = 'compta0@client0.fr'"
    ).fetchone()
    assert step["status"] == "done" and step["message_id"] == first["Message-ID"]
    history = conn.execute(
        "SELECT channel, letter_kind, reference FROM interactions WHERE reference = ?",
        (step["reference"],),
    ).fetchone()
    assert tuple(history) == ("email", "friendly_reminder", step["reference"])
    assert (
        conn.execute("SELECT count(*) FROM audit_events WHERE action = 'dunning.step'").fetchone()[
            0
        ]
        == 3
    )
    assert conn.execute("SELECT DISTINCT stage FROM cases").fetchall()[0][0] == "friendly_reminder"
    # A second run the same day sends nothing.
    again = run_batch(conn, today=T, settings=settings, login=ME, perform=True)
    assert not again.due and not again.performed and len(box.messages) == 3


def test_a_refused_message_stays_due_and_the_next_run_sends_it(
    db_path: Path, tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = settings_for(port, tmp_path)
    conn = connect(db_path)
    seed(conn, 2)
    box.refuse = {"compta1@client1.fr"}
    report = run_batch(conn, today=T, settings=settings, login=ME, perform=True)
    assert len(report.performed) == 1 and [s.reference for s, _ in report.failed] == ["C001"]
    assert "451" in report.failed[0][1]
    assert (
        conn.execute(
            "SELECT status FROM dunning_steps WHERE recipient = 'compta1@client1.fr'"
        ).fetchone()[0]
        == "failed"
    )
    box.refuse = set()
    retry = run_batch(conn, today=T + timedelta(days=1), settings=settings, login=ME, perform=True)
    assert [s.reference for s, _ in retry.performed] == ["C001"]
    assert box.to() == ["compta0@client0.fr", "compta1@client1.fr"]


def test_a_payment_cancels_the_step_still_waiting(
    db_path: Path, tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = settings_for(port, tmp_path)
    conn = connect(db_path)
    seed(conn, 2)
    box.refuse = {"compta1@client1.fr"}
    run_batch(conn, today=T, settings=settings, login=ME, perform=True)
    box.refuse = set()
    with transaction(conn):  # the payment for C001's invoice is imported
        conn.execute(
            "UPDATE invoices SET outstanding_cents = 0, status = 'paid', paid_on = ?"
            " WHERE number = 'F-1-A'",
            ((T + timedelta(days=1)).isoformat(),),
        )
        sync_cases(conn, T + timedelta(days=1))
    retry = run_batch(conn, today=T + timedelta(days=1), settings=settings, login=ME, perform=True)
    assert retry.cancelled == 1 and not retry.performed
    assert box.to() == ["compta0@client0.fr"]
    assert (
        conn.execute(
            "SELECT status FROM dunning_steps WHERE recipient = 'compta1@client1.fr'"
        ).fetchone()[0]
        == "cancelled"
    )


def batch_process(db_path: Path, config: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "RELANCE_CONFIG": str(config), "RELANCE_LANG": "en"}
    return subprocess.Popen(
        [sys.executable, "-m", "relance_tui", "--db", str(db_path), "dunning", "--approve",
         "--date", T.isoformat()],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def write_config(tmp_path: Path, port: int) -> Path:
    config = tmp_path / "conf" / "config.toml"
    config.parent.mkdir()
    config.write_text(
        f'[dunning]\nletters_dir = "{tmp_path / "letters"}"\n'
        f'[dunning.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
        'sender = "relance@riviere.fr"\n',
        "utf-8",
    )
    return config


def test_a_batch_killed_midway_then_rerun_sends_each_message_once(
    db_path: Path, tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    config = write_config(tmp_path, port)
    conn = connect(db_path)
    seed(conn, 5)
    process = batch_process(db_path, config)
    box.victim, box.kill_at = process.pid, 2  # killed as the server takes the 2nd message
    process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert len(box.messages) == 2
    rerun = batch_process(db_path, config)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    # Exactly once each: the message the server took as the batch died is not sent again…
    assert box.to() == [f"compta{n}@client{n}.fr" for n in range(5)]
    # …it is reported for a supervisor to settle.
    [uncertain] = conn.execute(
        "SELECT id, message_id FROM dunning_steps WHERE status = 'sending'"
    ).fetchall()
    assert f"step #{uncertain['id']}" in out
    assert uncertain["message_id"] in {m["Message-ID"] for m in box.messages}
    assert settle_uncertain(conn, int(uncertain["id"]), sent=True, login=ME)
    assert (
        conn.execute("SELECT count(*) FROM dunning_steps WHERE status = 'done'").fetchone()[0] == 5
    )


def test_two_batches_at_once_send_each_message_once(
    db_path: Path, tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    config = write_config(tmp_path, port)
    conn = connect(db_path)
    seed(conn, 6)
    first, second = batch_process(db_path, config), batch_process(db_path, config)
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert box.to() == [f"compta{n}@client{n}.fr" for n in range(6)]


def test_a_supervisor_holds_a_step_at_the_review_then_releases_it(
    db_path: Path, tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = settings_for(port, tmp_path)
    conn = connect(db_path)
    cases = seed(conn, 2)
    held = hold_next_step(
        conn, cases[1], reason="adresse à vérifier", today=T, settings=settings, login=ME
    )
    assert held == "friendly_reminder"
    decision = case_decision(conn, cases[1], T, settings)
    assert decision is not None and decision.holds[0].reason == "adresse à vérifier"
    report = run_batch(conn, today=T, settings=settings, login=ME, perform=True)
    assert [s.reference for s, _ in report.performed] == ["C000"]
    assert release_steps(conn, cases[1], login=ME) == 1
    later = run_batch(conn, today=T, settings=settings, login=ME, perform=True)
    assert [s.reference for s, _ in later.performed] == ["C001"]
    assert box.to() == ["compta0@client0.fr", "compta1@client1.fr"]


def test_sms_steps_run_the_configured_command_or_become_calls(
    db_path: Path, tmp_path: Path
) -> None:
    conn = connect(db_path)
    with transaction(conn):
        add_agent(conn, ME, "supervisor")
        debtor = add_debtor(conn, name="Client SMS", reference="SMS1")
        add_contact(conn, debtor, name="Compta", role="accounts_payable", phones=["06 12 34 56 78"])
        add_invoice(conn, debtor, due=T - timedelta(days=16), number="F-SMS")
        open_cases(conn, T)
    script = tmp_path / "send-sms"
    out = tmp_path / "sent.txt"
    script.write_text(f'#!/bin/sh\nprintf "%s|%s\\n" "$1" "$2" >> {out}\n', "utf-8")
    script.chmod(0o755)
    sms = (LadderStep("friendly_reminder", "sms", 15),)
    without = Settings(dunning=DunningSettings(sequences={"sme": sms}))
    # No command configured: the step becomes a call in the queue.
    report = run_batch(conn, today=T, settings=without, login=ME, perform=True)
    assert [channel for _, channel in report.performed] == ["phone"]
    case = conn.execute("SELECT next_action, next_action_on FROM cases").fetchone()
    assert tuple(case) == ("phone_reminder", T.isoformat())
    with transaction(conn):  # a new cycle of the ladder (the case was closed and reopened)
        conn.execute(
            "UPDATE cases SET dunning_cycle = dunning_cycle + 1, stage = 'friendly_reminder'"
        )
    with_command = Settings(
        dunning=DunningSettings(sequences={"sme": sms}, sms_command=str(script))
    )
    report = run_batch(conn, today=T, settings=with_command, login=ME, perform=True)
    assert [channel for _, channel in report.performed] == ["sms"]
    number, text = out.read_text("utf-8").strip().split("|")
    assert number == "+33612345678" and "REL-" in text
    assert (
        conn.execute("SELECT count(*) FROM interactions WHERE channel = 'sms'").fetchone()[0] == 1
    )


def test_approving_a_review_performs_the_steps_reviewed_only(
    db_path: Path, tmp_path: Path, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    settings = settings_for(port, tmp_path)
    conn = connect(db_path)
    seed(conn, 2)
    review = review_batch(conn, today=T, settings=settings, login=ME)
    assert [line.recipient for line in review.lines] == ["compta0@client0.fr", "compta1@client1.fr"]
    with transaction(conn):  # a debtor falls due after the supervisor looked
        debtor = add_debtor(conn, name="Client tardif", reference="LATE")
        contact = add_contact(conn, debtor, name="Compta", role="accounts_payable")
        conn.execute("UPDATE contacts SET email = 'late@client.fr' WHERE id = ?", (contact,))
        add_invoice(conn, debtor, due=T - timedelta(days=16), number="F-LATE")
        open_cases(conn, T)
    report = perform_reviewed(conn, review, settings=settings, login=ME)
    assert len(report.performed) == 2
    assert box.to() == ["compta0@client0.fr", "compta1@client1.fr"]  # not late@client.fr
    assert [line.due.reference for line in review_batch(
        conn, today=T, settings=settings, login=ME).lines] == ["LATE"]  # fmt: skip
