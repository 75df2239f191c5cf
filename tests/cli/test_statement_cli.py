"""`relance import statement FILE`: a CFONB statement matched, then refused when it does not add
up (exit 1, the line named, nothing written)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from relance_tui.cli import main
from relance_tui.storage.db import connect
from statement_files import cfonb

DEBTORS = "Code client;Raison sociale\r\nC001;Boulangerie Martin\r\n"
INVOICES = (
    "N° facture;Code client;Date facture;Date d'échéance;Montant TTC\r\n"
    "F-2026-0012;C001;01/01/2026;31/01/2026;1 234,56\r\n"
)
DAY = date(2026, 3, 2)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_statement_imported_matched_and_refused_when_unbalanced(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(db_path)
    assert run(capsys, "--db", db, "init")[0] == 0
    for kind, text in (("debtors", DEBTORS), ("invoices", INVOICES)):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        assert run(capsys, "--db", db, "import", kind, str(path))[0] == 0
    good = tmp_path / "releve.txt"
    good.write_bytes(cfonb(0, [(DAY, 1234_56, "VIR FACT 2026/12", []), (DAY, 50_00, "VIR ?", [])]))
    code, out, err = run(capsys, "--db", db, "import", "statement", str(good))
    assert code == 0, err
    assert "1 relevé, 2 nouveaux mouvements" in out
    assert "1 encaissement rapproché" in out and "1 en attente de rapprochement" in out
    assert "n° de facture dans le libellé : 1" in out
    code, out, _ = run(capsys, "--db", db, "import", "statement", str(good))
    assert code == 0 and "0 nouveau mouvement (2 déjà importés, ignorés)" in out

    bad = tmp_path / "faux.txt"
    bad.write_bytes(cfonb(0, [(DAY, 10_00, "VIR", [])], closing=9_00))
    code, _, err = run(capsys, "--db", db, "import", "statement", str(bad))
    assert code == 1
    assert "faux.txt, ligne 1" in err and "ne tombe pas juste" in err
    conn = connect(db_path)
    assert conn.execute("SELECT count(*) FROM bank_movements").fetchone()[0] == 2
    paid = conn.execute("SELECT status FROM invoices WHERE number = 'F-2026-0012'").fetchone()[0]
    assert paid == "paid"


def test_fec_through_the_command(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(db_path)
    assert run(capsys, "--db", db, "init")[0] == 0
    fec = tmp_path / "123456789FEC20260331.txt"
    header = (
        "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|"
        "CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|"
        "Montantdevise|Idevise"
    )
    lines = [
        "VE|Ventes|1|20260105|411000|Clients|C1|Martin|FA-1|20260105|Facture|120,00|0,00||||",
        "VE|Ventes|1|20260105|706000|Ventes|||FA-1|20260105|Facture|0,00|120,00||||",
    ]
    fec.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", db, "import", "fec", str(fec))
    assert code == 0, err
    assert "1 client, 1 facture ouverte" in out and "120,00" in out


def test_list_fields_and_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import", "--list-fields", "invoices")
    assert code == 0
    assert "number" in out and "N° facture (obligatoire)" in out and "reste du" in out
    assert "Ordre d'import : debtors" in out
