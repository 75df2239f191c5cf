"""An import leaves in the audit trail, row by row, the invoices it changed and the cases it
closed or opened again (with before and after), so a supervisor sees what a file did."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from test_importing import DEBTORS, INVOICE_HEADER, importer_db, run, write

from relance_tui.services.importing import halves as import_halves
from relance_tui.services.importing import pipeline

FIRST = INVOICE_HEADER + (
    "F-1;C001;;;01/01/2026;31/01/2026;1 000,00;1 000,00;EUR\r\n"
    "F-2;C002;;;01/01/2026;31/01/2026;500,00;500,00;EUR\r\n"
    "F-3;C002;;;01/02/2026;28/02/2026;200,00;200,00;EUR\r\n"
)
# F-1 is paid off (its case closes), F-2 is now partly paid, F-3 is as it was
SECOND = INVOICE_HEADER + (
    "F-1;C001;;;01/01/2026;31/01/2026;1 000,00;0,00;EUR\r\n"
    "F-2;C002;;;01/01/2026;31/01/2026;500,00;120,00;EUR\r\n"
    "F-3;C002;;;01/02/2026;28/02/2026;200,00;200,00;EUR\r\n"
)


@pytest.fixture
def conn(db_path: Path, tmp_path: Path) -> sqlite3.Connection:
    connection = importer_db(db_path)
    assert run(connection, "debtors", write(tmp_path, "clients.csv", DEBTORS)).committed
    return connection


def events(conn: sqlite3.Connection, since: int = 0) -> list[tuple[str, ...]]:
    return [
        tuple(row)
        for row in conn.execute(
            "SELECT agent, action, entity, entity_id, before, after, detail FROM audit_events"
            " WHERE id > ? AND action LIKE 'import.%' AND entity <> 'import' ORDER BY id",
            (since,),
        )
    ]


def ids(conn: sqlite3.Connection, sql: str) -> dict[str, str]:
    return {str(row[0]): str(row[1]) for row in conn.execute(sql)}


def test_a_reimport_audits_each_changed_invoice_and_each_closed_case(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    first = run(conn, "invoices", write(tmp_path, "f1.csv", FIRST))
    assert first.committed and first.inserted == 3
    assert events(conn) == []  # new rows: the import's own event counts them
    before = conn.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    second = run(conn, "invoices", write(tmp_path, "f2.csv", SECOND))
    assert second.committed and second.updated == 3

    invoice = ids(conn, "SELECT number, id FROM invoices")
    case_of_c001 = conn.execute(
        "SELECT c.id FROM cases c JOIN debtors d ON d.id = c.debtor_id WHERE d.reference = 'C001'"
    ).fetchone()[0]
    found = events(conn, before)
    assert [(e[1], e[2], e[3]) for e in found] == [
        ("import.invoice_change", "invoice", invoice["F-1"]),
        ("import.invoice_change", "invoice", invoice["F-2"]),
        ("import.case_close", "case", str(case_of_c001)),
    ]
    assert {e[0] for e in found} == {"tester"}
    f1_before, f1_after = json.loads(found[0][4]), json.loads(found[0][5])
    assert (f1_before["outstanding_cents"], f1_before["status"]) == (100_000, "open")
    assert (f1_after["outstanding_cents"], f1_after["status"]) == (0, "paid")
    assert json.loads(found[1][5])["outstanding_cents"] == 12_000
    assert json.loads(found[2][4]) == {"status": "open"}
    assert json.loads(found[2][5]) == {"status": "closed"}
    import_id = second.import_id
    assert found[0][6] == f"import #{import_id}: F-1" and found[2][6] == f"import #{import_id}"
    summary = conn.execute(
        "SELECT after FROM audit_events WHERE entity = 'import' AND entity_id = ?",
        (str(import_id),),
    ).fetchone()[0]
    assert json.loads(summary)["changes"] == 3

    again = conn.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    assert run(conn, "invoices", write(tmp_path, "f3.csv", SECOND)).committed
    assert events(conn, again) == []  # the same file again changes nothing: no event
    assert run(conn, "invoices", write(tmp_path, "f4.csv", FIRST)).committed
    assert [(e[1], e[3]) for e in events(conn, again)][-1] == (
        "import.case_reopen",
        str(case_of_c001),
    )


def test_a_payments_import_audits_the_invoices_it_pays(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    assert run(conn, "invoices", write(tmp_path, "f1.csv", FIRST)).committed
    before = conn.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    payments = write(
        tmp_path,
        "reglements.csv",
        "Code client;N° facture;Date de règlement;Montant;Référence\r\n"
        "C001;F-1;05/03/2026;1 000,00;VIR-1\r\n",
    )
    assert run(conn, "payments", payments).committed
    found = events(conn, before)
    assert [(e[1], e[2]) for e in found] == [
        ("import.invoice_change", "invoice"),
        ("import.case_close", "case"),
    ]
    assert json.loads(found[0][5])["status"] == "paid"


def test_an_import_that_does_not_land_audits_nothing(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    assert run(conn, "invoices", write(tmp_path, "f1.csv", FIRST)).committed
    before = conn.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    bad = SECOND + "F-9;C404;;;01/01/2026;31/01/2026;1,00;;EUR\r\n"
    assert not run(conn, "invoices", write(tmp_path, "bad.csv", bad)).committed
    assert conn.execute("SELECT max(id) FROM audit_events").fetchone()[0] == before
    assert conn.execute("SELECT outstanding_cents FROM invoices WHERE number = 'F-1'").fetchone()[
        0
    ] == (100_000)
    # the notes of that import are gone with it: the next import audits only its own changes
    assert run(conn, "invoices", write(tmp_path, "f2.csv", SECOND)).committed
    assert len(events(conn, before)) == 3


def test_an_import_written_in_halves_audits_the_same(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = importer_db(db_path)
    assert run(conn, "debtors", write(tmp_path, "clients.csv", DEBTORS)).committed
    assert run(conn, "invoices", write(tmp_path, "f1.csv", FIRST)).committed
    before = conn.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    monkeypatch.setattr(import_halves, "PARALLEL_FROM_CHARS", 0)
    written_in_halves: list[object] = []
    real = pipeline._write_halves

    def spy(*args: Any, **kwargs: Any) -> Any:
        written_in_halves.append(report := real(*args, **kwargs))
        return report

    monkeypatch.setattr(pipeline, "_write_halves", spy)
    assert run(conn, "invoices", write(tmp_path, "f2.csv", SECOND)).committed
    assert len(written_in_halves) == 1
    assert [e[1] for e in events(conn, before)] == [
        "import.invoice_change",
        "import.invoice_change",
        "import.case_close",
    ]
