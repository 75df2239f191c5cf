"""`relance` run as a real other OS user (runuser), with LOGNAME/USER/SUDO_* naming someone else:
the kernel's real user id decides who they are, and their role what they may run."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sshd_harness import NO_SERVER, NO_SERVER_PATH, SshServer

from relance_tui.cli import main
from relance_tui.config import Settings
from relance_tui.services.casework import record_note
from relance_tui.storage.db import connect

pytestmark = pytest.mark.ssh
SEED = ["--debtors", "40", "--invoices", "300", "--quiet", "--today", "2026-11-24"]
LIARS = {"LOGNAME": "root", "USER": "root", "SUDO_USER": "root", "SUDO_UID": "0"}


def as_agent(server: SshServer, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`relance ARGV` as the test user, whose environment claims to be someone else."""
    variables = {
        "PATH": "/usr/bin:/bin",
        "LANG": "fr_FR.UTF-8",
        "HOME": str(server.shared_dir),
        NO_SERVER: NO_SERVER_PATH,
        **LIARS,
        **env,
    }
    command = ["runuser", "-u", server.user, "--", "env", "-i"]
    command += [f"{name}={value}" for name, value in variables.items()]
    command += [str(server.python), "-m", "relance_tui", *argv]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def share(server: SshServer, *paths: Path) -> None:
    for path in paths:
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if file.exists():
                shutil.chown(file, group=server.group)
                file.chmod(0o660)


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


@pytest.fixture
def shared_db(ssh_server: SshServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A seeded database (root, running the tests, is its admin) in the agents' shared directory,
    where the test user is an agent with 3 cases."""
    db = ssh_server.shared_dir / f"{tmp_path.name}.db"  # tmp_path: private to root
    assert main(["seed", "--db", str(db), *SEED]) == 0
    assert main(["--db", str(db), "agents", "add", ssh_server.user]) == 0
    capsys.readouterr()
    conn = sqlite3.connect(db)
    with conn:
        me = conn.execute("SELECT id FROM agents WHERE login = ?", (ssh_server.user,)).fetchone()
        conn.execute(
            "UPDATE cases SET assigned_agent_id = ? WHERE id IN"
            " (SELECT id FROM cases WHERE status = 'open' ORDER BY id LIMIT 3)",
            (me[0],),
        )
    conn.close()
    share(ssh_server, db)
    return db


def test_the_kernel_says_who_runs_relance_not_the_environment(
    ssh_server: SshServer, shared_db: Path
) -> None:
    db = str(shared_db)
    for claimed in ("root", "superviseur", "admin"):
        result = as_agent(
            ssh_server,
            "--db",
            db,
            "queue",
            "--json",
            "--limit",
            "100",
            LOGNAME=claimed,
            USER=claimed,
        )
        assert result.returncode == 0, result.stderr
        queue = json.loads(result.stdout)
        assert queue["agent"] == ssh_server.user and queue["total"] == 3  # their own cases only
    agents = query(shared_db, "SELECT login, role FROM agents ORDER BY login")
    events = query(shared_db, "SELECT count(*) FROM audit_events")
    result = as_agent(ssh_server, "--db", db, "agents", "add", ssh_server.user, "--role", "admin")
    assert result.returncode == 1 and "administrateur" in result.stderr
    result = as_agent(ssh_server, "--db", db, "--agent", "superviseur", "queue")
    assert (
        result.returncode == 1 and ssh_server.user in result.stderr and "--agent" in result.stderr
    )
    assert query(shared_db, "SELECT login, role FROM agents ORDER BY login") == agents
    assert query(shared_db, "SELECT count(*) FROM audit_events") == events


def test_an_agent_cannot_seed_import_or_manage_agents(
    ssh_server: SshServer, shared_db: Path
) -> None:
    db = str(shared_db)
    inode = shared_db.stat().st_ino
    debtors = query(shared_db, "SELECT count(*) FROM debtors")
    invoice, reference = query(
        shared_db,
        "SELECT i.number, d.reference FROM invoices i JOIN debtors d ON d.id = i.debtor_id"
        " WHERE i.outstanding_cents > 0 ORDER BY i.id LIMIT 1",
    )[0]
    export = ssh_server.shared_dir / f"{shared_db.stem}.factures.csv"
    export.write_text(
        "N° facture;Code client;Date facture;Date d'échéance;Montant TTC;Reste dû\r\n"
        f"{invoice};{reference};01/01/2026;31/01/2026;100,00;0,00\r\n",
        encoding="utf-8",
    )
    share(ssh_server, export)
    for argv in (
        ["seed", "--db", db, *SEED, "--force"],
        ["seed", "--db", db, *SEED, "--force-overwrite", db],
        ["seed", "--db", db, *SEED],
    ):
        result = as_agent(ssh_server, *argv)
        assert result.returncode == 1 and "Seul un administrateur" in result.stderr, result.stderr
    result = as_agent(ssh_server, "--db", db, "import", "invoices", str(export))
    assert result.returncode == 1 and "Seul un administrateur peut importer" in result.stderr
    for argv in (["agents", "add", "complice"], ["agents", "set-role", ssh_server.user, "admin"]):
        result = as_agent(ssh_server, "--db", db, *argv)
        assert result.returncode == 1 and "administrateur" in result.stderr
    assert shared_db.stat().st_ino == inode  # never deleted and made again
    assert query(shared_db, "SELECT count(*) FROM debtors") == debtors
    outstanding = query(
        shared_db, "SELECT outstanding_cents FROM invoices WHERE number = ?", invoice
    )
    assert outstanding[0][0] > 0
    assert query(shared_db, "SELECT count(*) FROM imports") == [(0,)]
    assert query(shared_db, "SELECT count(*) FROM agents WHERE login = 'complice'") == [(0,)]


def test_an_agent_reads_the_audit_of_their_portfolio_only(
    ssh_server: SshServer, shared_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other_agent, other_cases = query(
        shared_db,
        "SELECT a.login, group_concat(c.id) FROM cases c JOIN agents a ON a.id ="
        " c.assigned_agent_id WHERE a.login LIKE 'agent%' AND c.status = 'open'"
        " GROUP BY a.login ORDER BY a.login LIMIT 1",
    )[0]
    conn = connect(shared_db)
    for case_id in str(other_cases).split(",")[:3]:  # another agent's notes on their cases
        recorded = record_note(
            conn, Settings(), int(case_id), text="récap confidentiel", agent_login=str(other_agent),
            now=datetime.now(UTC),
        )  # fmt: skip
        assert recorded.saved
    mine = {str(row[0]) for row in query(
        shared_db,
        "SELECT c.id FROM cases c JOIN agents a ON a.id = c.assigned_agent_id WHERE a.login = ?",
        ssh_server.user,
    )}  # fmt: skip
    noted = min(mine)  # and one of their own
    assert record_note(
        conn, Settings(), int(noted), text="mon récap", agent_login=ssh_server.user,
        now=datetime.now(UTC),
    ).saved  # fmt: skip
    conn.close()
    share(ssh_server, shared_db)
    others = {str(row[0]) for row in query(
        shared_db,
        "SELECT DISTINCT entity_id FROM audit_events WHERE entity = 'case'",
    )} - mine  # fmt: skip
    assert len(others) == 3
    result = as_agent(ssh_server, "--db", str(shared_db), "audit", "--json")
    assert result.returncode == 0, result.stderr
    seen = [json.loads(line) for line in result.stdout.splitlines()]
    assert ("case", noted) in {(event["entity"], event["entity_id"]) for event in seen}
    for event in seen:
        if event["entity"] == "case":
            assert event["entity_id"] in mine
    assert not {event["entity_id"] for event in seen if event["entity"] == "case"} & others
    capsys.readouterr()
    assert main(["--db", str(shared_db), "audit", "--json"]) == 0  # root, the admin: everything
    admin_sees = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {event["entity_id"] for event in admin_sees if event["entity"] == "case"} >= others


def test_an_empty_file_given_as_the_database_is_refused(
    ssh_server: SshServer, tmp_path: Path
) -> None:
    empty = ssh_server.shared_dir / f"{tmp_path.name}.db"
    empty.touch()
    share(ssh_server, empty)
    for argv in (["queue"], ["agents", "list"], ["agents", "add", ssh_server.user]):
        result = as_agent(ssh_server, "--db", str(empty), *argv)
        assert result.returncode == 1 and "fichier vide" in result.stderr
    assert empty.stat().st_size == 0
    result = as_agent(ssh_server, "--db", str(empty), "init")
    assert result.returncode == 1 and empty.stat().st_size == 0
