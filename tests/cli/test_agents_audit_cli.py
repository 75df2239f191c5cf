import getpass
import os
import pwd
from pathlib import Path

import pytest

from factories import add_agent
from relance_tui.cli import main
from relance_tui.storage.db import connect, transaction


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_agents_lifecycle_and_audit(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    me = getpass.getuser()
    assert run(capsys, "--db", str(db_path), "init")[0] == 0
    code, out, _ = run(capsys, "--db", str(db_path), "agents", "list")
    assert code == 0 and me in out and "Administrateur" in out
    assert run(capsys, "--db", str(db_path), "agents", "add", "agent1", "--name", "Léa")[0] == 0
    assert run(capsys, "--db", str(db_path), "agents", "set-role", "agent1", "supervisor")[0] == 0
    assert run(capsys, "--db", str(db_path), "agents", "disable", "agent1")[0] == 0
    code, out, _ = run(capsys, "--db", str(db_path), "agents", "list")
    assert "Léa" in out and "Superviseur" in out and "non" in out
    code, out, _ = run(capsys, "--db", str(db_path), "audit", "--agent", me)
    assert code == 0
    lines = out.splitlines()  # newest first, actions in words
    assert [" ".join(line.split()[3:5]) for line in lines] == [
        "Agent désactivé", "Agent modifié", "Agent ajouté", "Agent ajouté",
    ]  # fmt: skip
    assert "role=Superviseur" in lines[1] and "Léa" in lines[2]
    code, _, err = run(capsys, "--db", str(db_path), "agents", "set-role", "ghost", "agent")
    assert code == 1 and "ghost" in err


def test_non_admin_cannot_manage_agents(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    me = getpass.getuser()
    run(capsys, "--db", str(db_path), "init")
    run(capsys, "--db", str(db_path), "agents", "add", "boss", "--role", "supervisor")
    run(capsys, "--db", str(db_path), "agents", "set-role", me, "supervisor")
    code, _, err = run(capsys, "--db", str(db_path), "agents", "add", "x")
    assert code == 1 and "administrateur" in err


def test_audit_since_must_be_a_date(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", str(db_path), "audit", "--since", "hier")
    assert code == 2 and "hier" in err
    run(capsys, "--db", str(db_path), "init")
    code, out, _ = run(capsys, "--db", str(db_path), "audit", "--since", "01/01/2099")
    assert code == 0 and "Aucun événement" in out


def test_unknown_os_user_is_refused_before_the_app_opens(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = connect(db_path)
    with transaction(conn):
        add_agent(conn, "someone_else", role="admin")
    conn.close()
    me = pwd.getpwuid(os.getuid()).pw_name
    code, _, err = run(capsys, "--db", str(db_path))  # would open the TUI
    assert code == 1
    assert me in err and f"relance agents add {me}" in err
