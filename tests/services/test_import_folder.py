"""`relance import folder DIR`: each export's kind told by its headers, imported debtors first and
payments last, the whole folder in one transaction (one refused file and nothing lands)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from einvoice_files import FIXTURES as EINVOICES
from factories import add_agent
from relance_tui.services.importing.batch import ImportOptions
from relance_tui.services.importing.fields import ImportKind
from relance_tui.services.importing.folder import FolderRefused, import_folder, plan_folder
from relance_tui.services.importing.opening import ImportFileError
from relance_tui.storage.db import connect, transaction

PRESETS = Path(__file__).resolve().parents[2] / "fixtures" / "presets"
NOW = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    connection = connect(tmp_path / "relance.db")
    with transaction(connection):
        add_agent(connection, "tester", role="admin")
    return connection


def folder_of(tmp_path: Path, tool: str, **renamed: str) -> Path:
    """A tool's exports under names that say nothing of their kind (the order is not theirs)."""
    folder = tmp_path / tool
    folder.mkdir()
    for path in (PRESETS / tool).iterdir():
        shutil.copy(path, folder / renamed.get(path.stem, path.name))
    return folder


def counts(conn: sqlite3.Connection) -> tuple[int, ...]:
    return tuple(
        conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("debtors", "contacts", "invoices", "payments", "imports", "audit_events")
    )


def test_the_folder_is_imported_in_the_order_the_data_needs(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    folder = folder_of(tmp_path, "odoo", clients="z-export.csv", reglements="a-export.csv",
                       contacts="m-export.csv", factures="b-export.csv")  # fmt: skip
    assert [(p.path.name, p.kind, p.preset) for p in plan_folder(folder)] == [
        ("z-export.csv", ImportKind.DEBTORS, "Odoo"),
        ("m-export.csv", ImportKind.CONTACTS, "Odoo"),
        ("b-export.csv", ImportKind.INVOICES, "Odoo"),
        ("a-export.csv", ImportKind.PAYMENTS, "Odoo"),
    ]
    done = import_folder(conn, folder, ImportOptions(agent="tester"), now=NOW)
    assert all(report.committed for report in done.files) and done.einvoices is None
    assert counts(conn)[:5] == (2, 2, 2, 1, 4)
    paid = conn.execute("SELECT status FROM invoices WHERE number = 'FAC/2026/00101'").fetchone()
    assert paid[0] == "paid"


def test_e_invoices_come_after_the_invoices_and_before_the_payments(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    folder = folder_of(tmp_path, "sage")
    for path in EINVOICES.iterdir():
        shutil.copy(path, folder / path.name)
    plan = [(p.path.name, p.kind) for p in plan_folder(folder)]
    assert [kind for _, kind in plan] == ["debtors", "invoices", *["einvoices"] * 4, "payments"]
    done = import_folder(conn, folder, ImportOptions(agent="tester"), now=NOW,
                         creditor_siren="552200016")  # fmt: skip
    assert done.einvoices is not None and done.einvoices.invoices == 2
    owner = conn.execute(
        "SELECT d.reference, d.legal_name FROM invoices i JOIN debtors d ON d.id = i.debtor_id"
        " WHERE i.number = 'F2026-0101'"
    ).fetchone()
    assert tuple(owner) == ("CLMARTIN", "Boulangerie Martin")  # Sage's debtor, by its code
    assert counts(conn)[:4] == (3, 0, 5, 2)


def test_our_own_headers_tell_the_kind_too(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("debtors", "invoices", "payments", "contacts"):
        shutil.copy(PRESETS.parent / f"{name}.csv", folder / f"{name[::-1]}.csv")
    kinds = [p.kind for p in plan_folder(folder)]
    assert kinds == [ImportKind.DEBTORS, ImportKind.CONTACTS, ImportKind.INVOICES,
                     ImportKind.PAYMENTS]  # fmt: skip


def test_one_bad_file_and_nothing_of_the_folder_lands(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    folder = folder_of(tmp_path, "sage")
    payments = folder / "reglements.csv"
    payments.write_text(payments.read_text(encoding="utf-8").replace("CLLEROY", "INCONNU"),
                        encoding="utf-8")  # fmt: skip
    before = counts(conn)
    with pytest.raises(FolderRefused, match=r"reglements\.csv") as refused:
        import_folder(conn, folder, ImportOptions(agent="tester"), now=NOW)
    assert refused.value.failed is not None and refused.value.failed.errors
    assert counts(conn) == before  # the debtors and invoices imported first are undone too
    assert not conn.in_transaction


def test_a_file_of_unknown_kind_stops_the_folder_before_anything(
    conn: sqlite3.Connection, tmp_path: Path
) -> None:
    folder = folder_of(tmp_path, "ebp")
    (folder / "notes.csv").write_text("Sujet;Texte\r\nA faire;relancer\r\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"notes\.csv : ses en-têtes ne disent pas"):
        import_folder(conn, folder, ImportOptions(agent="tester"), now=NOW)
    assert counts(conn)[0] == 0
