"""`relance import folder DIR` and `--preset` through the command: the kinds and tools named,
a refused folder leaves nothing; `--list-fields` lists the presets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from relance_tui.cli import main
from relance_tui.storage.db import connect

PRESETS = Path(__file__).resolve().parents[2] / "fixtures" / "presets"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_folder_then_a_refused_folder(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(db_path)
    assert run(capsys, "--db", db, "init")[0] == 0
    code, out, err = run(capsys, "--db", db, "import", "folder", str(PRESETS / "quickbooks"))
    assert code == 0, err
    assert "clients.csv : debtors (export QuickBooks)" in out
    assert out.index("clients.csv : debtors") < out.index("factures.csv : invoices")
    assert "3 fichiers importés, dans une seule transaction." in out

    bad = tmp_path / "cegid"
    shutil.copytree(PRESETS / "cegid", bad)
    factures = bad / "factures.csv"
    factures.write_text(factures.read_text(encoding="utf-8").replace("04/02/2026", "31/02/2026"),
                        encoding="utf-8")  # fmt: skip
    code, _, err = run(capsys, "--db", db, "import", "folder", str(bad))
    assert code == 1
    assert "factures.csv" in err and "ligne 2" in err and "rien n'a été importé" in err
    conn = connect(db_path)
    assert conn.execute("SELECT count(*) FROM debtors").fetchone()[0] == 2  # QuickBooks' only


def test_preset_forced_and_listed(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(db_path)
    assert run(capsys, "--db", db, "init")[0] == 0
    clients = str(PRESETS / "ebp" / "clients.csv")
    code, _, err = run(capsys, "--db", db, "import", "debtors", clients, "--preset", "sage")
    assert code == 1 and "n'a pas les colonnes d'un export Sage 100 : il manque CT_Num" in err
    code, out, _ = run(capsys, "--db", db, "import", "debtors", clients, "--preset", "EBP")
    assert code == 0 and "Export EBP reconnu" in out
    code, out, _ = run(capsys, "import", "--list-fields", "invoices")
    assert code == 0
    assert "--preset sage" in out and "DO_Piece" in out and "--preset odoo" in out
