"""Payment behaviour learned from a small ledger, figures computed by hand."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from factories import add_agent, add_debtor, add_invoice, case_of, open_cases
from relance_tui.config import Settings
from relance_tui.domain.behaviour import learn_behaviour
from relance_tui.services.casefile import load_case_file
from relance_tui.services.statements.landing import import_statement
from relance_tui.storage.db import connect, transaction
from relance_tui.tui.widgets.case_views import summary_text
from statement_files import cfonb

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def test_recency_weighted_days_late_by_hand() -> None:
    # most recently paid first: 10 days late, on time, 30 days late
    paid = [
        (date(2026, 3, 1), date(2026, 3, 11)),
        (date(2026, 2, 1), date(2026, 2, 1)),
        (date(2026, 1, 1), date(2026, 1, 31)),
    ]
    learned = learn_behaviour(paid)
    # (10×1 + 0×0.85 + 30×0.7225) / (1 + 0.85 + 0.7225) = 31.675 / 2.5725 = 12.31…
    assert (learned.invoices, learned.avg_days_late, learned.share_late) == (3, 12.3, 0.67)
    assert learned.recent_days_late == "10 0 30"  # the queue's unpaid chance reads these
    assert learn_behaviour([]).invoices == 0


def test_only_the_last_twelve_count() -> None:
    paid = [(date(2026, 1, 1), date(2026, 1, 1))] * 12 + [(date(2026, 1, 1), date(2026, 3, 1))]
    assert learn_behaviour(paid).avg_days_late == 0.0


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    connection = connect(tmp_path / "relance.db")
    with transaction(connection):
        add_agent(connection, "admin", role="admin")
    return connection


def test_learned_from_a_statement_and_shown_on_the_case(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    with transaction(conn):
        debtor = add_debtor(conn, reference="C001", name="Garage Leroy", avg_days_late=99.0)
        other = add_debtor(conn, reference="C002", name="Autre", avg_days_late=7.0)
        for number, due in (
            ("F-2026-0001", date(2026, 1, 1)),
            ("F-2026-0002", date(2026, 2, 1)),
            ("F-2026-0003", date(2026, 3, 1)),
            ("F-2026-0004", date(2026, 3, 5)),
        ):
            add_invoice(conn, debtor, due=due, amount_cents=100_00, number=number)  # fmt: skip
        add_invoice(conn, other, due=date(2026, 1, 1), amount_cents=55_00, number="Z-9")
        open_cases(conn, NOW.date())
    statement = tmp_path / "r.txt"
    statement.write_bytes(
        cfonb(
            0,
            [
                (date(2026, 1, 31), 100_00, "FACT 2026/1", []),
                (date(2026, 2, 1), 100_00, "FACT 2026/2", []),
                (date(2026, 3, 11), 100_00, "FACT 2026/3", []),
                (date(2026, 3, 12), 40_00, "FACT 2026/4", []),  # partly: not yet paid
            ],
        )
    )
    import_statement(conn, statement, agent="admin", settings=Settings(), now=NOW)
    row = conn.execute(
        "SELECT avg_days_late, share_paid_late, history_invoices FROM debtors WHERE id = ?",
        (debtor,),
    ).fetchone()
    assert tuple(row) == (12.3, 0.67, 3)
    stored = conn.execute("SELECT recent_days_late FROM debtors WHERE id = ?", (debtor,))
    assert stored.fetchone()[0] == "10 0 30"
    untouched = conn.execute("SELECT avg_days_late FROM debtors WHERE id = ?", (other,)).fetchone()
    assert untouched[0] == 7.0  # not touched by the statement: not recomputed
    case = load_case_file(conn, case_of(conn, debtor), now=NOW, settings=Settings())
    text = summary_text(case, NOW).plain
    assert "paie en moyenne 12 jours après l'échéance sur ses 3 dernières factures" in text
    assert "67" in text
    assert case.summary.score_parts["history"] > 0  # the queue's score reads it
