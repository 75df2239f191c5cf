"""Header presets: the exports of Sage, Cegid, EBP, Pennylane, Odoo and QuickBooks
(fixtures/presets/, a header and a few lines each) imported without `--map`, and the preset
named in the report."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from factories import add_agent
from relance_tui.services.importing.batch import ImportOptions, ImportReport
from relance_tui.services.importing.fields import ImportKind
from relance_tui.services.importing.opening import ImportFileError
from relance_tui.services.importing.pipeline import import_file
from relance_tui.services.importing.presets import PRESETS, recognise
from relance_tui.services.importing.read import normalise_label
from relance_tui.storage.db import connect, transaction
from workbooks import write_xlsx

PRESET_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "presets"
TODAY = date(2026, 6, 30)
FILES = (("clients", "debtors"), ("contacts", "contacts"), ("factures", "invoices"),
         ("reglements", "payments"))  # fmt: skip
TOOLS = {"sage": "Sage 100", "cegid": "Cegid", "ebp": "EBP", "pennylane": "Pennylane",
         "odoo": "Odoo", "quickbooks": "QuickBooks"}  # fmt: skip


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    connection = connect(tmp_path / "relance.db")
    with transaction(connection):
        add_agent(connection, "tester", role="admin")
    return connection


def run(conn: sqlite3.Connection, kind: str, path: Path, **options: object) -> ImportReport:
    return import_file(conn, ImportKind(kind), path, ImportOptions(agent="tester", **options),  # type: ignore[arg-type]
                       today=TODAY)  # fmt: skip


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_each_tools_export_imports_without_map(conn: sqlite3.Connection, tool: str) -> None:
    for name, kind in FILES:
        path = PRESET_FIXTURES / tool / f"{name}.csv"
        if not path.exists():
            continue
        report = run(conn, kind, path)
        assert report.committed, (path, [str(e) for e in report.errors])
        assert report.preset == TOOLS[tool], path
        assert report.rejected == 0 and report.inserted == report.rows_read > 0
    rows = conn.execute(
        "SELECT d.legal_name, d.city, i.amount_cents FROM invoices i"
        " JOIN debtors d ON d.id = i.debtor_id ORDER BY i.issue_date"
    ).fetchall()
    assert tuple(rows[0]) == ("Boulangerie Martin" + (" SARL" if tool == "quickbooks" else ""),
                              "Lyon", 120000)  # fmt: skip
    paid = conn.execute("SELECT status FROM invoices ORDER BY issue_date").fetchone()[0]
    assert paid == "paid" or tool == "pennylane"  # Pennylane: no payments file, 1 200 € due


def test_every_preset_has_a_fixture_that_it_recognises() -> None:
    for preset in PRESETS:
        name = next(name for name, kind in FILES if kind == preset.kind)
        path = PRESET_FIXTURES / preset.name / f"{name}.csv"
        if not path.exists():
            continue
        headers = path.read_text(encoding="utf-8").splitlines()[0]
        separator = ";" if ";" in headers else ","
        assert recognise(headers.split(separator), [preset.kind]) == preset


def test_a_plain_export_is_read_by_our_own_headers(conn: sqlite3.Connection) -> None:
    fixtures = PRESET_FIXTURES.parent
    assert run(conn, "debtors", fixtures / "debtors.csv").preset == ""
    assert run(conn, "invoices", fixtures / "invoices.csv").preset == ""


def test_the_preset_reads_the_column_the_aliases_would_miss(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    # Pennylane's "Client" is the customer's name: the preset takes "Référence client" as the
    # debtor, where our aliases alone would take "Client" first
    assert normalise_label("Client") == "client"
    run(conn, "debtors", PRESET_FIXTURES / "pennylane" / "clients.csv")
    book = write_xlsx(tmp_path / "factures.xlsx", {"Factures": [
        ["Numéro de facture", "Client", "Référence client", "Date de facturation",
         "Date d'échéance", "Montant TTC", "Reste à payer", "Devise"],
        ["F-9", "Boulangerie Martin", "CLI-0001", "05/01/2026", "04/02/2026", 100.0, 40.0, "EUR"],
    ]})  # fmt: skip
    report = run(conn, "invoices", book)
    assert report.committed and report.preset == "Pennylane", report.errors
    assert report.columns["debtor_reference"] == "Référence client"
    assert conn.execute("SELECT outstanding_cents FROM invoices").fetchone()[0] == 4000


def test_map_wins_over_the_preset(conn: sqlite3.Connection) -> None:
    run(conn, "debtors", PRESET_FIXTURES / "sage" / "clients.csv",
        mapping={"legal_name": "CT_Telephone"})  # fmt: skip
    names = {row[0] for row in conn.execute("SELECT legal_name FROM debtors")}
    assert names == {"04 78 12 34 56", "03 80 22 11 00"}


def test_a_forced_preset_must_fit_the_file(conn: sqlite3.Connection) -> None:
    sage = PRESET_FIXTURES / "sage" / "clients.csv"
    with pytest.raises(ImportFileError, match="n'a pas les colonnes d'un export Odoo"):
        run(conn, "debtors", sage, preset="odoo")
    with pytest.raises(ImportFileError, match="pas de préréglage « pennylane » pour un import"):
        run(conn, "payments", sage, preset="pennylane")
    assert run(conn, "debtors", sage, preset="sage").preset == "Sage 100"
