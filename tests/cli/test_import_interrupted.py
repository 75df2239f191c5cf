"""Ctrl-C while `relance import` writes: the transaction is rolled back, nothing lands.

tests/cli/test_import_cli.py interrupts a big import while it still reads its file; here the
interrupt comes once the importer holds the database's write lock, in the middle of its writes.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from relance_tui.cli import main
from relance_tui.storage.db import connect

HEADER = "N° facture;Code client;Date facture;Date d'échéance;Montant TTC;Reste dû\r\n"
ROWS = 200_000


def write_locked(db: str) -> bool:
    """Another connection cannot begin a write now (a probe, undone at once if it can)."""
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        assert "locked" in str(error) or "busy" in str(error)
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


@pytest.fixture
def db(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--db", str(db_path), "init"]) == 0
    debtors = tmp_path / "clients.csv"
    debtors.write_text("Code client;Raison sociale\r\nC001;Boulangerie Martin\r\n")
    assert main(["--db", str(db_path), "import", "debtors", str(debtors)]) == 0
    capsys.readouterr()
    return str(db_path)


def test_ctrl_c_while_the_import_writes_leaves_nothing(db: str, tmp_path: Path) -> None:
    lines = "".join(
        f"F-{n:07d};C001;01/01/2026;31/01/2026;{n % 900 + 100},00;\r\n" for n in range(ROWS)
    )
    path = tmp_path / "factures.csv"
    path.write_text(HEADER + lines, encoding="utf-8")
    imports_before = connect(db).execute("SELECT count(*) FROM imports").fetchone()[0]
    command = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("relance")),
            "--db",
            db,
            "import",
            "invoices",
            str(path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LANG": "fr_FR.UTF-8"},
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    deadline = time.monotonic() + 120
    held = 0
    # The import's transaction is the one that holds the lock for long: two probes 50 ms apart.
    while held < 2:
        assert command.poll() is None, "the import ended before it was seen writing"
        assert time.monotonic() < deadline, "the import never took the write lock"
        held = held + 1 if write_locked(db) else 0
        time.sleep(0.05 if held else 0.002)
    os.killpg(command.pid, signal.SIGINT)
    _out, err = command.communicate(timeout=60)
    assert command.returncode == 130, err
    assert "interrompu : rien n'a été importé" in err
    conn = connect(db)
    assert conn.execute("SELECT count(*) FROM invoices").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM imports").fetchone()[0] == imports_before
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not write_locked(db)
