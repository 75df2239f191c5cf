"""`relance` in a real SSH session, on a database shared through the agents' group."""

from __future__ import annotations

import getpass
import shutil
import stat
from pathlib import Path

import pytest
from sshd_harness import SshServer, Terminal

from relance_tui.cli import main

pytestmark = pytest.mark.ssh


def test_agent_runs_relance_over_ssh_on_a_group_shared_database(
    ssh_server: SshServer, terminal: type[Terminal], capsys: pytest.CaptureFixture[str]
) -> None:
    db = ssh_server.shared_dir / "cli.db"
    assert main(["--db", str(db), "init"]) == 0
    assert main(["--db", str(db), "agents", "add", ssh_server.user]) == 0
    capsys.readouterr()
    shutil.chown(db, group=ssh_server.group)
    assert stat.S_IMODE(db.stat().st_mode) == 0o660
    term = terminal(
        "ssh-cli",
        ssh_server.command(f"{ssh_server.relance} --db {db} agents list; sleep 30"),
        100,
        20,
    )
    screen = term.wait_for(ssh_server.user)
    assert getpass.getuser() in screen  # the admin who created the database is listed
    for path in (db, Path(f"{db}-wal")):
        if path.exists():
            assert path.stat().st_gid == ssh_server.shared_dir.stat().st_gid
