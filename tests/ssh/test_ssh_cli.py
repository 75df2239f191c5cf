"""`relance` in a real SSH session, on a database shared through the agents' group.

Nothing here is given its group or mode by hand: `relance init` creates the database in the
agents' setgid directory (as an administrator does), and the test checks what the files then
are, before and after an agent wrote through them over SSH.
"""

from __future__ import annotations

import getpass
import grp
import stat
from pathlib import Path

import pytest
from sshd_harness import SshServer, Terminal

from relance_tui.cli import main
from relance_tui.storage.db import database_files

pytestmark = pytest.mark.ssh


def shared_files(db: Path) -> dict[str, tuple[str, int]]:
    """Each database file there is: its group's name and its mode."""
    return {
        path.name: (grp.getgrgid(path.stat().st_gid).gr_name, stat.S_IMODE(path.stat().st_mode))
        for path in database_files(db)
        if path.exists()
    }


def test_agent_runs_relance_over_ssh_on_a_group_shared_database(
    ssh_server: SshServer, terminal: type[Terminal], capsys: pytest.CaptureFixture[str]
) -> None:
    db = ssh_server.shared_dir / "cli.db"
    assert main(["--db", str(db), "init"]) == 0
    assert main(["--db", str(db), "agents", "add", ssh_server.user]) == 0
    capsys.readouterr()
    made = shared_files(db)
    assert {"cli.db", "cli.db-writer"} <= made.keys()  # the writes took the write lock
    assert set(made.values()) == {(ssh_server.group, 0o660)}
    remote = f"{ssh_server.relance} --lang fr --db {db}"
    term = terminal(
        "ssh-cli",
        # `queue` writes (it ranks the agent's cases first): the agent can write to the files.
        ssh_server.command(f"{remote} queue && {remote} agents list; echo fini; sleep 30"),
        100,
        20,
    )
    screen = term.wait_for("fini")
    assert f"File de travail — {ssh_server.user} : aucun dossier" in screen
    assert getpass.getuser() in screen  # the admin who created the database is listed
    after = shared_files(db)
    assert after.keys() >= made.keys()
    assert set(after.values()) == {(ssh_server.group, 0o660)}
