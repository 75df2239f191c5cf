"""The SSH `ForceCommand` variant (docs/deployment.md): members of the agents' group who log in
get relance and nothing else. A throwaway sshd of its own (spare port, the harness's keys) with
a `Match Group` block forcing the app: the agent lands in the queue whatever command they ask
for, and when the app ends the session ends, with no shell in between."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sshd_harness import NO_SERVER, NO_SERVER_PATH, SSHD, SshServer, Terminal, _free_port

from relance_tui.cli import main

pytestmark = pytest.mark.ssh


def force_command_config(base: Path, port: int, group: str, command: Path) -> str:
    """The sshd_config of the test server: the documented block, the harness's keys."""
    return (
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {base / 'host_key'}\n"
        f"PidFile {base / f'sshd-force-{port}.pid'}\n"
        f"AuthorizedKeysFile {base / 'authorized_keys'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
        "PermitRootLogin no\n"
        f"Match Group {group}\n"
        f"    ForceCommand {command}\n"
        "    DisableForwarding yes\n"
        "    PermitTunnel no\n"
    )


@pytest.fixture
def forced(ssh_server: SshServer, tmp_path: Path) -> Iterator[tuple[SshServer, Path]]:
    base = ssh_server.key.parent  # the harness's directory: keys the test user can reach
    db = ssh_server.shared_dir / f"force-{time.monotonic_ns()}.db"
    assert main(["--db", str(db), "init"]) == 0
    assert main(["--db", str(db), "agents", "add", ssh_server.user]) == 0
    # What /usr/local/bin/relance is on a server (here without sudo: the test database is shared
    # through the agents' group, as in the other SSH tests).
    wrapper = base / f"relance-forced-{db.stem}"
    wrapper.write_text(
        f"#!/bin/sh\nexec env LANG=fr_FR.UTF-8 {NO_SERVER}={NO_SERVER_PATH} {ssh_server.python}"
        f' -m relance_tui --db {db} "$@"\n'
    )
    wrapper.chmod(0o755)
    port = _free_port()
    config = base / f"sshd_config-force-{port}"
    config.write_text(force_command_config(base, port, ssh_server.group, wrapper))
    checked = subprocess.run([SSHD, "-t", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    try:
        yield SshServer(port, ssh_server.key, ssh_server.user, ssh_server.group,
                        ssh_server.shared_dir, ssh_server.python), wrapper  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
        for path in (config, wrapper):
            path.unlink(missing_ok=True)


def test_an_agent_gets_relance_and_no_shell(
    forced: tuple[SshServer, Path], terminal: type[Terminal], capsys: pytest.CaptureFixture[str]
) -> None:
    server, _wrapper = forced
    capsys.readouterr()
    # The agent asks for a shell command (then a shell): the forced command runs instead.
    term = terminal("ssh-force", server.command("echo SHELL-$((6*7)); exec /bin/bash -i"), 100, 30)
    screen = term.wait_for("Aucun dossier dans cette file.", timeout=40)
    assert "SHELL-42" not in screen
    term.send("q")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # the app ends, the session with it: nothing to type into
        if "closed" in term.screen() or not term.screen().strip():
            break
        time.sleep(0.2)
    screen = term.screen()
    assert "SHELL-42" not in screen and "$" not in screen.replace("\u20ac", ""), screen
