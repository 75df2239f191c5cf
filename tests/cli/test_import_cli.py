"""`relance import`: exit codes and messages, in-process and as a real command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from relance_tui.cli import main
from relance_tui.storage import imports as store
from relance_tui.storage.db import connect

DEBTORS = "Code client;Raison sociale;SIREN\r\nC001;Boulangerie Martin;732 829 320\r\n"
INVOICES = (
    "N° facture;Code client;Date facture;Date d'échéance;Montant TTC;Reste dû;Remarque\r\n"
    "F-1;C001;01/01/2026;31/01/2026;1 234,56;1 234,56;urgent\r\n"
    "F-2;C001;01/02/2026;28/02/2026;99,90;;\r\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def db(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert run(capsys, "--db", str(db_path), "init")[0] == 0  # I am its admin: I may import
    code, out, _ = run(
        capsys,
        "--db",
        str(db_path),
        "import",
        "debtors",
        str(write(tmp_path, "clients.csv", DEBTORS, "cp1252")),
    )
    assert code == 0 and "1 ajoutée" in out
    return str(db_path)


def test_import_then_reimport(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(write(tmp_path, "factures.csv", INVOICES))
    code, out, err = run(capsys, "--db", db, "import", "invoices", path)
    assert code == 0, err
    assert "2 lignes lues, 2 ajoutées, 0 mise à jour, 0 rejetée" in out
    assert "Colonnes ignorées (non reconnues) : Remarque" in out
    code, out, _ = run(capsys, "--db", db, "import", "invoices", path)
    assert code == 0 and "0 ajoutée, 2 mises à jour" in out


def test_bad_lines_exit_1_with_line_numbers(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        INVOICES
        + "F-3;C001;01/03/2026;01/02/2026;-5,00;;\r\nF-4;C404;01/03/2026;31/03/2026;5;;\r\n"
    )
    path = write(tmp_path, "factures.csv", text)
    code, out, err = run(capsys, "--db", db, "import", "invoices", str(path))
    assert code == 1 and out == ""
    assert "2 lignes en erreur, rien n'a été importé" in err
    assert "ligne 4, Montant TTC « -5,00 »" in err
    assert "ligne 4, Date d'échéance « 01/02/2026 » : l'échéance est antérieure" in err
    assert "ligne 5, Code client « C404 »" in err
    assert "--skip-bad" in err
    assert connect(db).execute("SELECT count(*) FROM invoices").fetchone()[0] == 0
    code, out, err = run(capsys, "--db", db, "import", "invoices", str(path), "--skip-bad")
    assert code == 0
    rejects = tmp_path / "factures.rejets.csv"
    assert "2 rejetées" in out and str(rejects) in out
    assert len(rejects.read_text(encoding="utf-8-sig").splitlines()) == 3


def test_usage_and_file_errors(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", db, "import", "invoices", str(tmp_path / "absent.csv"))
    assert code == 1 and "Fichier introuvable" in err
    path = str(write(tmp_path, "f.csv", INVOICES))
    code, _, err = run(capsys, "--db", db, "import", "invoices", path, "--map", "number")
    assert code == 2 and "champ=Nom de colonne" in err
    code, _, err = run(capsys, "--db", db, "import", "invoices", path, "--rejects", "r.csv")
    assert code == 2 and "--skip-bad" in err
    code, _, err = run(capsys, "--db", db, "import", "invoices", path, "--map", "number=Absente")
    assert code == 1 and "Absente" in err
    empty = str(write(tmp_path, "vide.csv", "", "utf-8"))
    code, _, err = run(capsys, "--db", db, "import", "invoices", empty)
    assert code == 1 and "vide" in err
    code, _, err = run(capsys, "--db", db, "import", "factures", path)
    assert code == 2 and "argument TYPE : choix invalide : 'factures'" in err


def test_english_messages(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = INVOICES + "F-3;C001;01/03/2026;31/03/2026;abc;;\r\n"
    path = str(write(tmp_path, "f.csv", text))
    code, _, err = run(capsys, "--lang", "en", "--db", db, "import", "invoices", path)
    assert code == 1 and "line 4, Amount incl. VAT" not in err  # the header as written
    assert "line 4, Montant TTC « abc » : unreadable amount" in err


def test_bulk_path_keeps_indexes_and_foreign_keys(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BULK_ROWS", 2)
    code, _, err = run(
        capsys, "--db", db, "import", "invoices", str(write(tmp_path, "f.csv", INVOICES))
    )
    assert code == 0, err
    conn = connect(db)
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "invoices_debtor_due" in names
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_real_command(db: str, tmp_path: Path) -> None:
    path = write(tmp_path, "factures.csv", INVOICES.replace(";", "\t"), "cp1252")
    relance = Path(sys.executable).with_name("relance")
    env = {**os.environ, "LANG": "fr_FR.UTF-8"}
    done = subprocess.run(
        [str(relance), "--db", db, "import", "invoices", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "2 ajoutées" in done.stdout
    assert "\x1b" not in done.stdout + done.stderr  # no progress bar when not on a terminal
    bad = write(tmp_path, "bad.csv", "N° facture;Code client\r\nF;C\r\n")
    done = subprocess.run(
        [str(relance), "--db", db, "import", "invoices", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "Date facture (issue_date)" in done.stderr and "--map" in done.stderr


def test_ctrl_c_during_a_big_import_leaves_nothing(db: str, tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) while both processes of a
    big import are at work: exit 130, a message, no invoice written, no process left."""
    lines = "".join(
        f"F-{n:07d};C001;01/01/2026;31/01/2026;{n % 900 + 100},00;;\r\n" for n in range(200_000)
    )
    path = write(tmp_path, "factures.csv", INVOICES.split("\r\n")[0] + "\r\n" + lines)
    relance = Path(sys.executable).with_name("relance")
    command = subprocess.Popen(
        [str(relance), "--db", db, "import", "invoices", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LANG": "fr_FR.UTF-8"},
        start_new_session=True,
        # Ctrl-C as in a terminal, even when the tests run in the background (where the shell
        # leaves SIGINT ignored, and the command would then finish its import).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    children = Path(f"/proc/{command.pid}/task/{command.pid}/children")
    deadline = time.monotonic() + 30
    while not children.read_text().split() and command.poll() is None:
        assert time.monotonic() < deadline, "the import never made its second process"
        time.sleep(0.005)
    child = int(children.read_text().split()[0])
    os.killpg(command.pid, signal.SIGINT)
    _out, err = command.communicate(timeout=60)
    assert command.returncode == 130, err
    assert "interrompu : rien n'a été importé" in err
    assert not Path(f"/proc/{child}").exists()
    conn = connect(db)
    assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] == 0
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_ctrl_c_just_after_the_commit_says_the_import_is_complete(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from relance_tui.services.importing import pipeline as importing

    real_import = importing.import_file

    def import_then_interrupted(*args: object, **kwargs: object) -> object:
        real_import(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(importing, "import_file", import_then_interrupted)
    path = str(write(tmp_path, "f.csv", INVOICES))
    code, _, err = run(capsys, "--db", db, "import", "invoices", path)
    assert code == 130 and "interrompu après son enregistrement" in err
    assert connect(db).execute("SELECT count(*) FROM invoices").fetchone()[0] == 2
