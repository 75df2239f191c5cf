"""E-mail over STARTTLS and implicit TLS against a real server on loopback (aiosmtpd) with a
certificate made for the test: the configured CA file is trusted, the password comes from the
environment, and a certificate nobody vouches for is refused before anything is sent."""

from __future__ import annotations

import getpass
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from factories import add_agent, add_contact, add_debtor, add_invoice, open_cases
from relance_tui.config import DunningSettings, Settings, SmtpSettings
from relance_tui.services.dunning_batch import run_batch
from relance_tui.storage.db import connect, transaction
from smtp_server import Certificates, Mailbox, make_certificates, smtp_server

ME = getpass.getuser()
T = date(2026, 11, 2)
PASSWORD = "s3cret-from-env"
# aiosmtpd warns that implicit TLS is not TLS for its AUTH check: it is, from the first byte.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("certs"))


def seed(conn: sqlite3.Connection) -> None:
    """One SME 16 days late: its friendly reminder is due by e-mail."""
    with transaction(conn):
        add_agent(conn, ME, "supervisor")
        debtor = add_debtor(conn, name="Client TLS", reference="TLS1")
        contact = add_contact(conn, debtor, name="Compta", role="accounts_payable")
        conn.execute("UPDATE contacts SET email = 'compta@client.fr' WHERE id = ?", (contact,))
        add_invoice(conn, debtor, due=T - timedelta(days=16), number="F-TLS")
        open_cases(conn, T)


def settings(port: int, security: str, tmp_path: Path, **tls: object) -> Settings:
    smtp = SmtpSettings(
        host="127.0.0.1", port=port, security=security,  # type: ignore[arg-type]
        sender="relance@riviere.fr", user="relance", password_env="TEST_SMTP_PASSWORD",
        timeout_seconds=20, **tls,  # type: ignore[arg-type]
    )  # fmt: skip
    return Settings(dunning=DunningSettings(letters_dir=str(tmp_path / "letters"), smtp=smtp))


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_mail_goes_over_tls_with_the_configured_ca_and_the_password_from_the_environment(
    security: str,
    certificates: Certificates,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    conn = connect(db_path)
    seed(conn)
    box = Mailbox()
    with smtp_server(
        box, security=security, certificate=certificates.server, user="relance", password=PASSWORD
    ) as port:
        chosen = settings(port, security, tmp_path, ca_file=str(certificates.ca))
        report = run_batch(conn, today=T, settings=chosen, login=ME, perform=True)
    assert not report.failed and [c for _, c in report.performed] == ["email"]
    assert box.to() == ["compta@client.fr"]
    assert box.logins == [("relance", PASSWORD)]
    # Nothing of the password reaches the database.
    assert PASSWORD.encode() not in db_path.read_bytes()


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_a_certificate_nobody_vouches_for_is_refused_and_the_step_stays_due(
    security: str,
    certificates: Certificates,
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    conn = connect(db_path)
    seed(conn)
    box = Mailbox()
    with smtp_server(
        box, security=security, certificate=certificates.stranger, user="relance",
        password=PASSWORD,
    ) as port:  # fmt: skip
        for tls in ({"ca_file": str(certificates.ca)}, {}):  # our CA, then the system's
            chosen = settings(port, security, tmp_path, **tls)
            report = run_batch(conn, today=T, settings=chosen, login=ME, perform=True)
            [(step, why)] = report.failed
            assert "certificat refusé" in why and "127.0.0.1" in why and "ca_file" in why, why
        assert not box.messages and not box.logins  # the password never went out
        status = conn.execute("SELECT status FROM dunning_steps").fetchone()[0]
        assert status == "failed"
        listed = run_batch(conn, today=T, settings=chosen, login=ME)
        assert [s.key for s in listed.due] == [step.key]  # still due: the next run sends it
        # `verify = false` (a test server only) takes any certificate.
        trusting = settings(port, security, tmp_path, verify=False)
        report = run_batch(conn, today=T, settings=trusting, login=ME, perform=True)
    assert not report.failed and box.to() == ["compta@client.fr"]
