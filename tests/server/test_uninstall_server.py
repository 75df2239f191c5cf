"""`relance admin uninstall-server` on a real installation (real OS users, real sudo): the sudo
rule and the wrapper go, the data stays; `--purge` with the data directory's path typed back
deletes the data and the service account too. Root only; a file of someone else's is never
removed. This module has its own installation (the `server` fixture is per module)."""

from __future__ import annotations

import pwd
import subprocess

from server_harness import Server

from relance_tui.cli import main


def uninstall_argv(server: Server, *extra: str) -> list[str]:
    return [
        "admin", "uninstall-server", "--service-account", server.account,
        "--data-dir", str(server.data_dir), "--server-config", str(server.config),
        "--sudoers", str(server.sudoers), "--wrapper", str(server.wrapper), *extra,
    ]  # fmt: skip


def account_exists(login: str) -> bool:
    try:
        pwd.getpwnam(login)
    except KeyError:
        return False
    return True


def test_uninstall_removes_the_way_in_and_keeps_the_data_until_purged(
    server: Server, capsys: object
) -> None:
    agent = server.agents[0]
    assert server.relance(agent, "queue", "--limit", "1").returncode == 0
    # Not root: refused, whether typed as themselves or through the wrapper.
    for command in ([str(server.entry_point)], [str(server.wrapper)]):
        refused = server.run_as(server.admin, *command, *uninstall_argv(server)[0:2])
        assert refused.returncode == 1 and "root" in refused.stderr, refused.stderr
    # A file of someone else's where the wrapper goes: refused, and nothing is changed.
    ours = server.wrapper.read_text()
    server.wrapper.write_text("#!/bin/sh\necho the admin's own\n")
    assert main(uninstall_argv(server)) == 1
    assert server.wrapper.read_text() == "#!/bin/sh\necho the admin's own\n"
    assert server.sudoers.exists()
    server.wrapper.write_text(ours)
    inode = server.database.stat().st_ino
    dry = main([*uninstall_argv(server), "--dry-run"])
    assert dry == 0 and server.sudoers.exists() and server.wrapper.exists()

    assert main(uninstall_argv(server)) == 0
    assert not server.sudoers.exists() and not server.wrapper.exists()
    assert subprocess.run(["visudo", "-c"], capture_output=True).returncode == 0
    # The way in is gone: sudo has no rule for the agent any more.
    direct = server.run_as(agent, "sudo", "-n", "-u", server.account, "--",
                           str(server.entry_point), "queue")  # fmt: skip
    assert direct.returncode != 0 and "relance" not in direct.stdout
    # The data, the account and the configuration stay.
    assert server.database.stat().st_ino == inode and account_exists(server.account)
    assert server.config.exists()
    assert main(uninstall_argv(server)) == 0  # again: nothing left to do, no error

    # --purge needs the data directory's exact path.
    for wrong in ("data", str(server.base), "/", f"{server.data_dir}/../data"):
        assert main([*uninstall_argv(server), "--purge", wrong]) == 1
        assert server.database.stat().st_ino == inode and account_exists(server.account)
    assert main([*uninstall_argv(server), "--purge", str(server.data_dir)]) == 0
    assert not server.data_dir.exists() and not account_exists(server.account)
    assert not server.config.exists() and not server.config.with_suffix(".env").exists()
    assert main([*uninstall_argv(server), "--purge", str(server.data_dir)]) == 0
