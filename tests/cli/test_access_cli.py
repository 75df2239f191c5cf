"""Who may run which command, and the files commands refuse to touch (in-process, as the OS user
running the tests: their role is set in the database). tests/ssh/test_os_identity.py runs the
same commands as a real other OS user."""

from __future__ import annotations

import json
import os
import pwd
import sqlite3
from pathlib import Path

import pytest

from relance_tui.cli import main

ME = pwd.getpwuid(os.getuid()).pw_name
SEED = ["--debtors", "30", "--invoices", "200", "--quiet", "--today", "2026-11-24"]
INVOICES = (
    "N° facture;Code client;Date facture;Date d'échéance;Montant TTC;Reste dû\r\n"
    "F-1;C001;01/01/2026;31/01/2026;100,00;100,00\r\n"
    "F-2;C404;01/01/2026;31/01/2026;100,00;100,00\r\n"  # unknown debtor: a rejected line
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def set_my_role(db: Path, role: str) -> None:
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE agents SET role = ? WHERE login = ?", (role, ME))
    conn.close()


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def seeded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "relance.db"
    assert run(capsys, "seed", "--db", str(db), *SEED)[0] == 0
    return db


def test_init_creates_a_database_with_me_as_admin_and_never_touches_an_existing_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "relance.db"
    code, out, _ = run(capsys, "--db", str(db), "init")
    assert code == 0 and ME in out
    code, out, _ = run(capsys, "--db", str(db), "agents", "list")
    assert ME in out and "Administrateur" in out
    code, _, err = run(capsys, "--db", str(db), "init")
    assert code == 1 and "existe déjà" in err
    empty = tmp_path / "empty.db"
    empty.touch()
    assert run(capsys, "--db", str(empty), "init")[0] == 1
    assert empty.stat().st_size == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["queue"],
        ["agents", "add", "intrus", "--role", "admin"],
        ["audit"],
        ["import", "debtors", "{csv}"],
        ["seed", "--force", *SEED],
        ["seed", "--force-overwrite", "{db}", *SEED],
    ],
)
def test_an_empty_file_is_never_made_a_database(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "relance.db"
    db.touch()
    csv = tmp_path / "clients.csv"
    csv.write_text("Code client;Raison sociale\nC001;X\n", encoding="utf-8")
    args = [arg.format(csv=csv, db=db) for arg in argv]
    code, _, err = run(capsys, "--db", str(db), *args)
    assert code == 1 and "fichier vide" in err and "relance --db" in err
    assert db.stat().st_size == 0
    assert not Path(f"{db}-wal").exists()


def test_a_missing_database_is_created_only_by_the_commands_that_create(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "relance.db"
    for argv in (["queue"], ["agents", "add", "x"], ["audit"], ["agents", "list"]):
        code, _, err = run(capsys, "--db", str(db), *argv)
        assert code == 1 and "Aucune base" in err and "init" in err
        assert not db.exists()


def test_agents_and_supervisors_cannot_seed_an_existing_database(
    seeded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = count(seeded, "SELECT count(*) FROM debtors")
    for role in ("agent", "supervisor"):
        set_my_role(seeded, role)
        for extra in (["--force"], ["--force-overwrite", str(seeded)], []):
            code, _, err = run(capsys, "seed", "--db", str(seeded), *SEED, *extra)
            assert code == 1 and "Seul un administrateur" in err, err
            assert "--force" not in err
    assert count(seeded, "SELECT count(*) FROM debtors") == before


def test_seed_force_replaces_only_a_database_nobody_worked_in(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "seed", "--db", str(seeded), *SEED)
    assert code == 1 and "--force-overwrite" in err and "administrateur" in err
    assert run(capsys, "seed", "--db", str(seeded), *SEED, "--force")[0] == 0  # untouched
    # someone works in it: an admin adds an agent (any audited write counts)
    assert run(capsys, "--db", str(seeded), "agents", "add", "nouvel")[0] == 0
    events = count(seeded, "SELECT count(*) FROM audit_events")
    code, _, err = run(capsys, "seed", "--db", str(seeded), *SEED, "--force")
    assert code == 1
    assert "1 événement(s)" in err and f"--force-overwrite {seeded}" in err
    other = tmp_path / "other.db"
    code, _, err = run(capsys, "seed", "--db", str(seeded), *SEED, "--force-overwrite", str(other))
    assert code == 1 and "rien n'a été effacé" in err
    assert count(seeded, "SELECT count(*) FROM audit_events") == events
    assert count(seeded, "SELECT count(*) FROM agents WHERE login = 'nouvel'") == 1
    # its own path, typed another way, is the confirmation
    typed = tmp_path / "." / seeded.name
    code, _, _ = run(capsys, "seed", "--db", str(seeded), *SEED, "--force-overwrite", str(typed))
    assert code == 0
    assert count(seeded, "SELECT count(*) FROM agents WHERE login = 'nouvel'") == 0


def test_only_admins_import(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    number, debtor = (
        sqlite3.connect(seeded)
        .execute(
            "SELECT i.number, d.reference FROM invoices i JOIN debtors d ON d.id = i.debtor_id"
            " WHERE i.outstanding_cents > 0 LIMIT 1"
        )
        .fetchone()
    )
    paid = tmp_path / "factures.csv"
    paid.write_text(
        "N° facture;Code client;Date facture;Date d'échéance;Montant TTC;Reste dû\r\n"
        f"{number};{debtor};01/01/2026;31/01/2026;100,00;0,00\r\n",
        encoding="utf-8",
    )
    for role in ("agent", "supervisor"):
        set_my_role(seeded, role)
        code, _, err = run(capsys, "--db", str(seeded), "import", "invoices", str(paid))
        assert code == 1 and "Seul un administrateur peut importer" in err
    assert count(seeded, "SELECT count(*) FROM imports") == 0
    unpaid = f"SELECT count(*) FROM invoices WHERE number = '{number}' AND outstanding_cents > 0"
    assert count(seeded, unpaid) == 1
    set_my_role(seeded, "admin")
    assert run(capsys, "--db", str(seeded), "import", "invoices", str(paid))[0] == 0
    changed = count(
        seeded, "SELECT count(*) FROM audit_events WHERE action = 'import.invoice_change'"
    )
    assert changed == 1


@pytest.fixture
def importable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    db = tmp_path / "relance.db"
    assert run(capsys, "--db", str(db), "init")[0] == 0
    clients = tmp_path / "clients.csv"
    clients.write_text("Code client;Raison sociale\nC001;Boulangerie\n", encoding="utf-8")
    assert run(capsys, "--db", str(db), "import", "debtors", str(clients))[0] == 0
    invoices = tmp_path / "factures.csv"
    invoices.write_text(INVOICES, encoding="utf-8")
    return db, invoices


def test_rejects_never_overwrite_a_file(
    importable: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, invoices = importable
    precious = tmp_path / "export.csv"
    precious.write_text("do not touch\n", encoding="utf-8")
    argv = ["--db", str(db), "import", "invoices", str(invoices), "--skip-bad"]
    code, _, err = run(capsys, *argv, "--rejects", str(precious))
    assert code == 1 and "existe déjà" in err and "rien n'a été importé" in err
    assert precious.read_text(encoding="utf-8") == "do not touch\n"
    assert count(db, "SELECT count(*) FROM invoices") == 0
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "nowhere.csv")  # a dangling link is refused too
    assert run(capsys, *argv, "--rejects", str(link))[0] == 1
    assert not (tmp_path / "nowhere.csv").exists()


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_rejects_are_never_the_database(
    suffix: str, importable: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, invoices = importable
    target = Path(f"{db}{suffix}")
    existed = target.exists()
    before = target.read_bytes() if existed else b""
    code, _, err = run(
        capsys,
        *("--db", str(db), "import", "invoices", str(invoices), "--skip-bad"),
        *("--rejects", str(db.parent / "." / target.name)),
    )
    assert code == 1 and "base de données" in err
    assert count(db, "SELECT count(*) FROM invoices") == 0
    if not existed:
        assert not target.exists()
    elif suffix == "":
        assert target.read_bytes()[:16] == before[:16] == b"SQLite format 3\x00"


def test_the_default_rejects_file_takes_a_free_name(
    importable: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, invoices = importable
    first = tmp_path / "factures.rejets.csv"
    first.write_text("an earlier run\n", encoding="utf-8")
    code, out, _ = run(capsys, "--db", str(db), "import", "invoices", str(invoices), "--skip-bad")
    assert code == 0 and "factures.rejets-2.csv" in out
    assert first.read_text(encoding="utf-8") == "an earlier run\n"
    assert "C404" in (tmp_path / "factures.rejets-2.csv").read_text(encoding="utf-8")
    assert count(db, "SELECT count(*) FROM invoices") == 1


def test_an_agent_reads_only_their_portfolio_in_the_audit(
    seeded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(seeded)
    with conn:
        me = conn.execute("SELECT id FROM agents WHERE login = ?", (ME,)).fetchone()[0]
        conn.execute("UPDATE agents SET role = 'agent' WHERE id = ?", (me,))
        mine = conn.execute("SELECT id FROM cases WHERE status = 'open' LIMIT 1").fetchone()[0]
        conn.execute("UPDATE cases SET assigned_agent_id = ? WHERE id = ?", (me, mine))
        # what the seeded history wrote about the cases, as a supervisor would read it
        for case_id in (mine, mine + 1):
            conn.execute(
                "INSERT INTO audit_events (at, agent, action, entity, entity_id, detail)"
                " VALUES ('2026-11-24T10:00:00+00:00', 'agent1', 'call.record', 'case', ?,"
                " 'récapitulatif')",
                (str(case_id),),
            )
    conn.close()
    code, out, _ = run(capsys, "--db", str(seeded), "audit", "--json")
    assert code == 0
    seen = [json.loads(line) for line in out.splitlines()]
    assert ("case", str(mine)) in {(event["entity"], event["entity_id"]) for event in seen}
    assert ("case", str(mine + 1)) not in {(event["entity"], event["entity_id"]) for event in seen}
    others = [e for e in seen if e["entity"] == "agent" and e["entity_id"] != str(me)]
    assert others == []  # the other agents' creation is not theirs to read
    set_my_role(seeded, "supervisor")
    code, out, _ = run(capsys, "--db", str(seeded), "audit", "--json")
    assert any(f'"entity_id": "{mine + 1}"' in line for line in out.splitlines())
