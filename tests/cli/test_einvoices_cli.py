"""`relance import einvoices PATH…` through the command: a folder of e-invoices imported, then a
bad file refused (exit 1, the file and the element named, nothing written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from einvoice_files import FIXTURES, UBL_INVOICE, variant, write
from relance_tui.cli import main
from relance_tui.storage.db import connect


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_einvoices_folder_then_a_bad_file(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(db_path)
    assert run(capsys, "--db", db, "init")[0] == 0
    code, out, err = run(capsys, "--db", db, "import", "einvoices", str(FIXTURES))
    assert code == 0, err
    assert "4 fichiers lus : 2 nouvelles factures, 2 nouveaux avoirs, 2 nouveaux clients" in out
    assert "vendeur non vérifié (Minoterie du Val SAS (552200016))" in out
    code, out, _ = run(capsys, "--db", db, "import", "einvoices", str(FIXTURES / UBL_INVOICE))
    assert code == 0 and "1 déjà importé, inchangé" in out

    bad = write(tmp_path, "sans-echeance.xml",
                variant(UBL_INVOICE, ("<cbc:DueDate>2026-04-04</cbc:DueDate>", ""),
                        ("<cbc:ID>F2026-0102", "<cbc:ID>F2026-0103")))  # fmt: skip
    code, out, err = run(capsys, "--db", db, "import", "einvoices", str(bad))
    assert code == 1
    assert "sans-echeance.xml, BT-9 (cbc:DueDate) : date d'échéance absente" in err
    assert "rien n'a été importé" in err
    conn = connect(db_path)
    assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] == 2


def test_other_kinds_take_one_file(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(db_path)
    assert run(capsys, "--db", db, "init")[0] == 0
    code, _, err = run(capsys, "--db", db, "import", "invoices", "a.csv", "b.csv")
    assert code == 2 and "un seul fichier" in err
