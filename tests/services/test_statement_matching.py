"""Bank statements imported and matched: one test per rule, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from factories import add_agent, add_debtor, add_invoice, add_promise, case_of, open_cases
from relance_tui.config import Settings
from relance_tui.services.casefile import load_case_file
from relance_tui.services.permissions import NotAllowedError
from relance_tui.services.statements import decisions
from relance_tui.services.statements.landing import StatementReport, import_statement
from relance_tui.services.statements.model import StatementError
from relance_tui.storage import statements as store
from relance_tui.storage.db import connect, transaction
from relance_tui.tui.widgets.case_views import summary_text
from statement_files import cfonb

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
DUE = date(2026, 1, 15)


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    connection = connect(tmp_path / "relance.db")
    with transaction(connection):
        add_agent(connection, "admin", role="admin")
        add_agent(connection, "chef", role="supervisor")
        add_agent(connection, "agent1")
    return connection


def book(conn: sqlite3.Connection, *invoices: tuple[str, str, int]) -> dict[str, int]:
    """(debtor reference, invoice number, cents) → invoice ids by number; cases opened."""
    ids: dict[str, int] = {}
    debtors: dict[str, int] = {}
    with transaction(conn):
        for reference, number, cents in invoices:
            if reference not in debtors:
                debtors[reference] = add_debtor(
                    conn, reference=reference, name=f"Société {reference}"
                )
            ids[number] = add_invoice(conn, debtors[reference], due=DUE, amount_cents=cents,
                                      number=number)  # fmt: skip
        open_cases(conn, NOW.date())
    return ids


def statement(
    tmp_path: Path, *credits: tuple[int, str, list[tuple[str, str]]], name: str = "r.txt"
) -> Path:
    path = tmp_path / name
    path.write_bytes(cfonb(0, [(DAY, cents, label, extras) for cents, label, extras in credits]))
    return path


def run(conn: sqlite3.Connection, path: Path) -> StatementReport:
    return import_statement(conn, path, agent="admin", settings=Settings(), now=NOW)


def invoice(conn: sqlite3.Connection, invoice_id: int) -> tuple[int, str]:
    row = conn.execute(
        "SELECT outstanding_cents, status FROM invoices WHERE id = ?", (invoice_id,)
    ).fetchone()
    return int(row[0]), str(row[1])


def movements(conn: sqlite3.Connection) -> list[tuple[str, str | None, str]]:
    return [
        (r[0], r[1], r[2])
        for r in conn.execute("SELECT status, rule, reason FROM bank_movements ORDER BY id")
    ]


@pytest.mark.parametrize(
    "label", ["VIR GARAGE F-2026-0012", "F2026 0012 MERCI", "FACT 2026/12", "REGLT FA 2026.000012"]
)
def test_invoice_number_in_the_label(conn: sqlite3.Connection, tmp_path: Path, label: str) -> None:
    ids = book(conn, ("C001", "F-2026-0012", 120_00), ("C002", "F-2026-0013", 120_00))
    report = run(conn, statement(tmp_path, (120_00, label, [])))
    assert report.matched == {"invoice_number": 1}
    assert invoice(conn, ids["F-2026-0012"]) == (0, "paid")
    assert invoice(conn, ids["F-2026-0013"]) == (120_00, "open")
    assert movements(conn) == [("matched", "invoice_number", "F-2026-0012")]


def test_number_in_the_remittance_complement(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("C001", "F-2026-0012", 120_00), ("C002", "F-2026-0013", 120_00))
    run(conn, statement(tmp_path, (120_00, "VIR SEPA", [("RCN", "FACTURE F 2026 0013")])))
    assert invoice(conn, ids["F-2026-0013"]) == (0, "paid")


def test_debtor_reference_in_the_label(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("CLI4521", "A-1", 50_00), ("CLI4521", "A-2", 70_00), ("C9", "B-1", 70_00))
    report = run(conn, statement(tmp_path, (70_00, "VIR CLIENT CLI 4521", [])))
    assert report.matched == {"debtor_reference": 1}
    assert invoice(conn, ids["A-2"]) == (0, "paid")  # the invoice of that amount
    assert invoice(conn, ids["B-1"]) == (70_00, "open")


def test_exact_amount_of_one_open_invoice(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("C001", "X-1", 123_45), ("C002", "X-2", 99_00))
    report = run(conn, statement(tmp_path, (123_45, "VIREMENT", [])))
    assert report.matched == {"amount": 1}
    assert invoice(conn, ids["X-1"]) == (0, "paid")


def test_two_invoices_of_that_amount_is_no_amount_match(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    book(conn, ("C001", "X-1", 123_45), ("C002", "X-2", 123_45))
    report = run(conn, statement(tmp_path, (123_45, "VIREMENT", [])))
    assert report.unmatched == 1
    assert movements(conn) == [("unmatched", None, "")]


def test_set_of_one_debtors_invoices(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("C001", "X-1", 100_00), ("C001", "X-2", 50_00), ("C002", "Y-1", 80_00))
    report = run(conn, statement(tmp_path, (150_00, "VIREMENT", [])))
    assert report.matched == {"invoice_set": 1}
    assert invoice(conn, ids["X-1"]) == (0, "paid")
    assert invoice(conn, ids["X-2"]) == (0, "paid")
    assert conn.execute("SELECT status FROM cases WHERE debtor_id = 1").fetchone()[0] == "closed"


def test_known_payer_by_iban(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("C001", "F-2026-0001", 100_00), ("C001", "F-2026-0002", 60_00),
               ("C002", "G-1", 60_00))  # fmt: skip
    iban = [("IPY", "FR7630006000011234567890189")]
    first = statement(tmp_path, (100_00, "F-2026-0001", iban), name="a.txt")
    run(conn, first)
    second = tmp_path / "b.txt"
    second.write_bytes(cfonb(0, [(date(2026, 3, 5), 60_00, "VIREMENT", iban)]))
    report = run(conn, second)
    assert report.matched == {"known_payer": 1}  # 60,00 alone would be two invoices: no match
    assert invoice(conn, ids["F-2026-0002"]) == (0, "paid")
    assert invoice(conn, ids["G-1"]) == (60_00, "open")


def test_unmatched_waits_with_nothing_paid(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("C001", "X-1", 100_00))
    report = run(conn, statement(tmp_path, (42_00, "VIR INCONNU", [("NPY", "M DUPONT")])))
    assert (report.unmatched, report.unmatched_cents) == (1, 42_00)
    assert invoice(conn, ids["X-1"]) == (100_00, "open")
    credits, count = decisions.unmatched(conn, "chef")
    assert count == 1 and credits[0].payer_name == "M DUPONT"
    with pytest.raises(NotAllowedError):
        decisions.unmatched(conn, "agent1")


def test_partial_payment(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("C001", "F-2026-0012", 100_00))
    run(conn, statement(tmp_path, (30_00, "FACT F-2026-0012", [])))
    assert invoice(conn, ids["F-2026-0012"]) == (70_00, "partially_paid")
    assert store.debtor_credit(conn, 1) == 0
    assert conn.execute("SELECT overdue_cents FROM cases").fetchone()[0] == 70_00


def test_over_payment_leaves_a_credit(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("C001", "F-2026-0012", 100_00))
    report = run(conn, statement(tmp_path, (130_00, "FACT F-2026-0012", [])))
    assert invoice(conn, ids["F-2026-0012"]) == (0, "paid")
    assert report.credit_cents == 30_00
    assert store.debtor_credit(conn, 1) == 30_00
    with transaction(conn):  # a case to show it on (the invoice is paid: the case is closed)
        add_invoice(conn, 1, due=DUE, amount_cents=5_00, number="F-2026-0099")
        open_cases(conn, NOW.date())
    case = load_case_file(conn, case_of(conn, 1), now=NOW, settings=Settings())
    assert case.summary.credit == Decimal("30.00")
    assert "Avoir (trop-perçu)" in summary_text(case, NOW).plain


def test_same_statement_twice_adds_nothing(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("C001", "F-2026-0012", 100_00))
    path = statement(tmp_path, (30_00, "FACT F-2026-0012", []), (30_00, "FACT F-2026-0012", []))
    first = run(conn, path)
    second = run(conn, path)
    assert (first.movements, second.movements, second.known) == (2, 0, 2)
    assert invoice(conn, ids["F-2026-0012"]) == (40_00, "partially_paid")  # both, once each
    assert conn.execute("SELECT count(*) FROM payments").fetchone()[0] == 2


def test_unbalanced_statement_writes_nothing(conn: sqlite3.Connection, tmp_path: Path) -> None:
    book(conn, ("C001", "F-2026-0012", 100_00))
    path = tmp_path / "bad.txt"
    path.write_bytes(cfonb(0, [(DAY, 100_00, "F-2026-0012", [])], closing=1))
    with pytest.raises(StatementError):
        run(conn, path)
    assert conn.execute("SELECT count(*) FROM bank_movements").fetchone()[0] == 0


def test_only_admins_import_statements(conn: sqlite3.Connection, tmp_path: Path) -> None:
    with pytest.raises(NotAllowedError):
        import_statement(conn, statement(tmp_path, (1_00, "x", [])), agent="chef",
                         settings=Settings(), now=NOW)  # fmt: skip


def test_split_by_a_supervisor_and_remembered(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("C001", "X-1", 100_00), ("C001", "X-2", 100_00), ("C002", "Y-1", 100_00))
    run(conn, statement(tmp_path, (150_00, "VIR GROUPE", [("NPY", "GROUPE MARTIN")])))
    credit = decisions.unmatched(conn, "chef")[0][0]
    decisions.resolve(
        conn, "chef", credit.id, debtor_id=1,
        shares=[(ids["X-1"], 100_00), (ids["Y-1"], 40_00)], settings=Settings(), now=NOW,
    )  # fmt: skip
    assert invoice(conn, ids["X-1"]) == (0, "paid")
    assert invoice(conn, ids["Y-1"]) == (60_00, "partially_paid")
    assert store.debtor_credit(conn, 1) == 10_00  # the rest: credit on the chosen debtor
    assert movements(conn)[0][:2] == ("matched", "manual")
    later = tmp_path / "later.txt"
    later.write_bytes(cfonb(0, [(date(2026, 3, 9), 100_00, "VIR", [("NPY", "Groupe Martin")])]))
    assert run(conn, later).matched == {"known_payer": 1}
    assert invoice(conn, ids["X-2"]) == (0, "paid")


def test_undo_gives_the_invoices_back(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("C001", "F-2026-0012", 100_00))
    run(conn, statement(tmp_path, (100_00, "FACT F-2026-0012", [("NPY", "SOC C001")])))
    movement_id = int(conn.execute("SELECT id FROM bank_movements").fetchone()[0])
    assert conn.execute("SELECT status FROM cases").fetchone()[0] == "closed"
    with pytest.raises(NotAllowedError):
        decisions.undo(conn, "agent1", movement_id, settings=Settings(), now=NOW)
    decisions.undo(conn, "chef", movement_id, settings=Settings(), now=NOW)
    assert invoice(conn, ids["F-2026-0012"]) == (100_00, "open")
    assert conn.execute("SELECT status FROM cases").fetchone()[0] == "open"
    assert conn.execute("SELECT count(*) FROM payments").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM payer_links").fetchone()[0] == 0
    assert movements(conn) == [("unmatched", None, "")]
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_events ORDER BY id")]
    assert "payment.unmatch" in actions


def test_promise_kept_in_the_same_transaction(conn: sqlite3.Connection, tmp_path: Path) -> None:
    ids = book(conn, ("C001", "F-2026-0012", 100_00))
    with transaction(conn):
        promise = add_promise(conn, case_of(conn, 1), due=date(2026, 3, 4), amount_cents=100_00)
    run(conn, statement(tmp_path, (100_00, "FACT F-2026-0012", [])))
    status = conn.execute("SELECT status FROM promises WHERE id = ?", (promise,)).fetchone()[0]
    assert status == "kept"
    assert invoice(conn, ids["F-2026-0012"]) == (0, "paid")
