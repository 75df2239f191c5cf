"""Spreadsheets imported as they are (.xlsx here), through the CSV import's own checks."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from factories import add_agent
from relance_tui.services.importing.batch import ImportOptions, ImportReport
from relance_tui.services.importing.fields import ImportKind
from relance_tui.services.importing.pipeline import import_file
from relance_tui.services.importing.read import ImportFileError
from relance_tui.storage.db import connect, transaction
from workbooks import write_xlsx

TODAY = date(2026, 6, 30)
DEBTORS = [["Code client", "Raison sociale", "SIREN"], ["C001", "Boulangerie Martin", 732829320]]
INVOICES = [
    ["N° facture", "Code client", "Date facture", "Date d'échéance", "Montant TTC", "Reste dû"],
    ["F-1", "C001", "01/01/2026", "31/01/2026", 1234.56, 1234.56],
    ["F-2", "C001", "01/02/2026", "28/02/2026", 99.9, None],
]


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    connection = connect(tmp_path / "relance.db")
    with transaction(connection):
        add_agent(connection, "tester", role="admin")
    return connection


def run(conn: sqlite3.Connection, kind: str, path: Path, **options: object) -> ImportReport:
    return import_file(conn, ImportKind(kind), path, ImportOptions(agent="tester", **options),  # type: ignore[arg-type]
                       today=TODAY)  # fmt: skip


def test_xlsx_imports_like_csv(conn: sqlite3.Connection, tmp_path: Path) -> None:
    assert run(conn, "debtors", write_xlsx(tmp_path / "c.xlsx", {"Clients": DEBTORS})).committed
    report = run(conn, "invoices", write_xlsx(tmp_path / "f.xlsx", {"Factures": INVOICES}))
    assert report.committed and report.inserted == 2, report.errors
    rows = dict(conn.execute("SELECT number, outstanding_cents FROM invoices"))
    assert rows == {"F-1": 123456, "F-2": 9990}
    siren = conn.execute("SELECT siren FROM debtors").fetchone()[0]
    assert siren == "732829320"  # a number cell read back as the digits


def test_bad_rows_are_named_by_their_sheet_line(conn: sqlite3.Connection, tmp_path: Path) -> None:
    run(conn, "debtors", write_xlsx(tmp_path / "c.xlsx", {"Clients": DEBTORS}))
    bad = [*INVOICES, ["F-3", "C999", "01/02/2026", "28/02/2026", 10, 10]]
    report = run(conn, "invoices", write_xlsx(tmp_path / "f.xlsx", {"Factures": bad}))
    assert not report.committed
    assert [error.line for error in report.errors] == [4]


def test_several_sheets_need_sheet(conn: sqlite3.Connection, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", {"Notes": [["à lire"]], "Clients": DEBTORS})
    with pytest.raises(ImportFileError, match=r"plusieurs feuilles.*--sheet \"Notes\""):
        run(conn, "debtors", path)
    assert run(conn, "debtors", path, sheet="Clients").committed
    with pytest.raises(ImportFileError, match="pas de feuille « Autre »"):
        run(conn, "debtors", path, sheet="Autre")


def test_merged_cells_are_refused(conn: sqlite3.Connection, tmp_path: Path) -> None:
    rows = [*DEBTORS, ["C002", "Garage Leroy", None], [None, None, None]]
    path = write_xlsx(tmp_path / "c.xlsx", {"Clients": rows}, {"Clients": ["A3:A4"]})
    with pytest.raises(ImportFileError, match=r"ligne 3 : cellules fusionnées \(A3:A4\)"):
        run(conn, "debtors", path)


def test_a_zip_that_is_no_workbook(conn: sqlite3.Connection, tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(ImportFileError, match="pas un classeur lisible"):
        run(conn, "debtors", path)
