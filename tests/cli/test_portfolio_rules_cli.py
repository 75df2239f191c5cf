import getpass
import sqlite3
from pathlib import Path

import pytest

from relance_tui.cli import main
from relance_tui.storage.db import connect


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def make_cases(conn: sqlite3.Connection) -> None:
    """Three open cases: a Paris SME, a Réunion SME and a large account, none assigned."""
    for ref, segment, postal, overdue in (
        ("D1", "sme", "75011", 50_000),
        ("D2", "sme", "97400", 900_000),
        ("D3", "large_account", "69001", 2_000_000),
    ):
        cursor = conn.execute(
            "INSERT INTO debtors (reference, legal_name, segment, postal_code, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, 'x', 'x')",
            (ref, ref, segment, postal),
        )
        conn.execute(
            "INSERT INTO cases (debtor_id, segment, overdue_cents, created_at, updated_at)"
            " VALUES (?, ?, ?, 'x', 'x')",
            (cursor.lastrowid, segment, overdue),
        )


def assignments(db_path: Path) -> dict[int, str | None]:
    conn = connect(db_path)
    rows = conn.execute(
        "SELECT c.id, a.login FROM cases c LEFT JOIN agents a ON a.id = c.assigned_agent_id"
    )
    return {row[0]: row[1] for row in rows}


def test_rules_assign_new_cases_and_supervisors_reassign(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", str(db_path))
    assert run(capsys, *db, "init")[0] == 0  # the OS user becomes admin of the new database
    make_cases(connect(db_path))
    for login in ("agent1", "agent2"):
        assert run(capsys, *db, "agents", "add", login)[0] == 0
    code, out, _ = run(capsys, *db, "agents", "rule", "add", "agent2", "--postal-prefix", "974")
    assert code == 0 and "1 dossier non attribué attribué" in out
    run(capsys, *db, "agents", "rule", "add", "agent1", "--segment", "sme")
    run(capsys, *db, "agents", "rule", "add", "agent1", "--min-amount", "10000")
    assert assignments(db_path) == {1: "agent1", 2: "agent2", 3: "agent1"}
    code, out, _ = run(capsys, *db, "agents", "rule", "list")
    assert "CP 974…" in out and "PME" in out and "10\u202f000,00\u00a0€" in out

    code, out, _ = run(capsys, *db, "assign", "--from", "agent1", "--to", "agent2")
    assert code == 0 and "2 dossiers attribués" in out
    assert set(assignments(db_path).values()) == {"agent2"}
    assert run(capsys, *db, "assign", "--case", "1", "--to", "agent1")[0] == 0
    assert assignments(db_path)[1] == "agent1"
    conn = connect(db_path)
    audited = conn.execute(
        "SELECT before, after FROM audit_events WHERE action = 'case.reassign' AND entity_id = '1'"
        " ORDER BY id"
    ).fetchall()
    assert len(audited) == 2

    code, _, err = run(capsys, *db, "assign", "--case", "99", "--to", "agent1")
    assert code == 1 and "99" in err
    assert run(capsys, *db, "assign", "--to", "agent1")[0] == 2


def test_agents_cannot_reassign(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ("--db", str(db_path))
    run(capsys, *db, "init")
    run(capsys, *db, "agents", "add", "boss", "--role", "admin")
    run(capsys, *db, "agents", "set-role", getpass.getuser(), "agent")
    code, _, err = run(capsys, *db, "assign", "--from", "boss", "--to", "boss")
    assert code == 1 and "ni superviseur ni administrateur" in err
