"""`relance import fec`: small FEC files written to the specification (LPF A47 A-1) and its
real-world variants (pipe separator, Montant + Sens, padded fields, odd header case)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from factories import add_agent
from relance_tui.services.importing.fec import FecError, import_fec
from relance_tui.storage.db import connect, transaction

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
HEADER = (
    "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\t"
    "CompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\t"
    "ValidDate\tMontantdevise\tIdevise"
)
JOURNALS = {"VE": "Ventes", "BQ": "Banque"}
ACCOUNTS = {"411": "Clients", "416": "Clients douteux", "706": "Ventes", "445": "TVA",
            "512": "Banque"}  # fmt: skip


def fec_line(
    journal: str, number: int, day: str, account: str, aux: str, piece: str, label: str,
    debit: str, credit: str, letter: str = "", lettered_on: str = "",
) -> str:  # fmt: skip
    names = {"CLMARTIN": "Boulangerie Martin", "CLLEROY": "Garage Leroy", "": ""}
    return "\t".join([
        journal, JOURNALS[journal], str(number), day, account, ACCOUNTS[account[:3]], aux,
        names[aux], piece, day, label, debit, credit, letter, lettered_on, day, "", "",
    ])  # fmt: skip


LINES = [
    # an invoice to Martin, lettered with its payment (paid 20 days after issue)
    fec_line("VE", 1, "20260105", "411000", "CLMARTIN", "FA-001", "Facture FA-001", "1200,00",
             "0,00", "A", "20260125"),
    fec_line("VE", 1, "20260105", "706000", "", "FA-001", "Facture FA-001", "0,00", "1000,00"),
    fec_line("VE", 1, "20260105", "445710", "", "FA-001", "Facture FA-001", "0,00", "200,00"),
    fec_line("BQ", 2, "20260125", "411000", "CLMARTIN", "VIR", "Reglement FA-001", "0,00",
             "1200,00", "A", "20260125"),
    fec_line("BQ", 2, "20260125", "512000", "", "VIR", "Reglement FA-001", "1200,00", "0,00"),
    # two open invoices to Leroy (one doubtful), and a payment on account not yet lettered
    fec_line("VE", 3, "20260201", "411000", "CLLEROY", "FA-002", "Facture FA-002", "600,00",
             "0,00"),
    fec_line("VE", 3, "20260201", "706000", "", "FA-002", "Facture FA-002", "0,00", "600,00"),
    fec_line("VE", 4, "20260210", "416000", "CLLEROY", "FA-003", "Facture FA-003", "300,00",
             "0,00"),
    fec_line("VE", 4, "20260210", "706000", "", "FA-003", "Facture FA-003", "0,00", "300,00"),
    fec_line("BQ", 5, "20260301", "411000", "CLLEROY", "VIR", "Acompte", "0,00", "250,00"),
    fec_line("BQ", 5, "20260301", "512000", "", "VIR", "Acompte", "250,00", "0,00"),
]  # fmt: skip


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    connection = connect(tmp_path / "relance.db")
    with transaction(connection):
        add_agent(connection, "admin", role="admin")
    return connection


def write(
    tmp_path: Path, header: str, lines: list[str], name: str = "123456789FEC20260331.txt"
) -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([header, *lines]) + "\r\n").encode("cp1252"))
    return path


def state(conn: sqlite3.Connection) -> dict[str, tuple[object, ...]]:
    return {
        row[0]: tuple(row[1:])
        for row in conn.execute(
            "SELECT i.number, d.reference, i.amount_cents, i.outstanding_cents, i.status,"
            " i.paid_on, i.due_date FROM invoices i JOIN debtors d ON d.id = i.debtor_id"
        )
    }


EXPECTED = {
    "FA-001": ("CLMARTIN", 1200_00, 0, "paid", "2026-01-25", "2026-02-04"),
    "FA-002": ("CLLEROY", 600_00, 350_00, "partially_paid", None, "2026-03-03"),
    "FA-003": ("CLLEROY", 300_00, 300_00, "open", None, "2026-03-12"),
}


def test_receivables_of_a_fec(conn: sqlite3.Connection, tmp_path: Path) -> None:
    report = import_fec(conn, write(tmp_path, HEADER, LINES), agent="admin", now=NOW)
    assert (report.debtors, report.invoices_open, report.invoices_paid, report.payments) == (
        2, 2, 1, 1,
    )  # fmt: skip
    assert report.owed_cents == 650_00
    assert state(conn) == EXPECTED
    names = dict(conn.execute("SELECT reference, legal_name FROM debtors"))
    assert names == {"CLMARTIN": "Boulangerie Martin", "CLLEROY": "Garage Leroy"}
    # lettered invoice: behaviour learned (paid 25/01, due 04/02: on time)
    row = conn.execute("SELECT history_invoices FROM debtors WHERE reference = 'CLMARTIN'")
    assert row.fetchone()[0] == 1
    again = import_fec(conn, write(tmp_path, HEADER, LINES), agent="admin", now=NOW)
    assert again.payments == 0 and state(conn) == EXPECTED  # nothing twice
    assert conn.execute("SELECT count(*) FROM payments").fetchone()[0] == 1


def test_pipes_montant_sens_padding_and_header_case(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    header = HEADER.replace("Debit\tCredit", "Montant\tSens").upper().replace("\t", " | ") + "|"
    lines = []
    for line in LINES:
        cells = line.split("\t")
        debit, credit = cells[11], cells[12]
        amount, sense = (debit, "D") if debit != "0,00" else (credit, "C")
        cells[11:13] = [amount, sense]
        lines.append(" | ".join(f"{c:<3}" for c in cells) + "|")
    import_fec(conn, write(tmp_path, header, lines), agent="admin", now=NOW)
    assert state(conn) == EXPECTED


def test_missing_columns_and_unbalanced_entries_refused(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    header = HEADER.replace("\tEcritureLet", "")
    with pytest.raises(FecError, match="colonnes du FEC manquantes : ecriturelet"):
        import_fec(conn, write(tmp_path, header, []), agent="admin", now=NOW)
    bad = [*LINES]
    bad[1] = bad[1].replace("1000,00", "999,00")
    with pytest.raises(FecError, match=r"écriture VE 1 \(lignes 2, 3, 4\) déséquilibrée de 1,00"):
        import_fec(conn, write(tmp_path, HEADER, bad), agent="admin", now=NOW)
    assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] == 0
