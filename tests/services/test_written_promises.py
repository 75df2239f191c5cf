"""A promise received in writing acknowledges the debt and restarts the prescription (C. civ.
2240); a promise made on the phone, or in a word, does not; nor does a formal notice.

Hand computation: an SME invoice due 10/01/2024 is time-barred on 10/01/2029 (5 years,
C. com. L110-4). A written promise received on 24/11/2026 restarts it in full: 24/11/2031.
"""

import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from factories import add_agent, add_debtor, add_invoice, open_cases, paris_noon
from relance_tui.config import Settings
from relance_tui.services.casefile import load_case_file
from relance_tui.services.casework import record_promise
from relance_tui.services.penalties import case_figures
from relance_tui.storage.db import connect, transaction

TODAY = date(2026, 11, 24)
NOW = paris_noon(TODAY)
SETTINGS = Settings()


@pytest.fixture
def conn(db_path: Path) -> sqlite3.Connection:
    return connect(db_path)


@pytest.fixture
def case_id(conn: sqlite3.Connection) -> int:
    with transaction(conn):
        add_agent(conn, "agent1")
        debtor = add_debtor(conn, name="Vieux Client", reference="OLD1")
        add_invoice(conn, debtor, due=date(2024, 1, 10), amount_cents=80_000, number="F-2024")
        open_cases(conn, TODAY)
    return int(conn.execute("SELECT id FROM cases").fetchone()[0])


def prescription(conn: sqlite3.Connection, case_id: int) -> date | None:
    debtor = conn.execute("SELECT debtor_id FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
    figures = case_figures(
        conn, case_id=case_id, debtor_id=debtor, segment="sme", insolvency=False, today=TODAY
    )
    return figures.prescription_on


def promise(conn: sqlite3.Connection, case_id: int, *, written: bool) -> None:
    result = record_promise(
        conn, SETTINGS, case_id, amount=Decimal("100.00"), due_date=date(2026, 12, 4),
        agent_login="agent1", now=NOW, written=written,
    )  # fmt: skip
    assert result.saved, result


def test_an_oral_promise_leaves_the_prescription_where_it_was(
    conn: sqlite3.Connection, case_id: int
) -> None:
    assert prescription(conn, case_id) == date(2029, 1, 10)
    promise(conn, case_id, written=False)
    assert prescription(conn, case_id) == date(2029, 1, 10)


def test_a_written_promise_restarts_it_from_the_day_it_was_received(
    conn: sqlite3.Connection, case_id: int
) -> None:
    promise(conn, case_id, written=True)
    assert prescription(conn, case_id) == date(2031, 11, 24)
    # The case file shows it, and the audit says the promise came in writing.
    assert load_case_file(
        conn, case_id, now=NOW, settings=SETTINGS
    ).summary.prescription_on == date(2031, 11, 24)
    after = conn.execute(
        "SELECT after FROM audit_events WHERE action = 'promise.create'"
    ).fetchone()[0]
    assert '"written_on": "2026-11-24"' in after


def test_a_formal_notice_does_not_restart_it(conn: sqlite3.Connection, case_id: int) -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO interactions (case_id, channel, occurred_at, notes, letter_kind)"
            " VALUES (?, 'registered_letter', '2026-11-20T10:00:00+00:00', '', 'formal_notice')",
            (case_id,),
        )
    assert prescription(conn, case_id) == date(2029, 1, 10)
