"""SSH harness: a real OpenSSH server on loopback, a test user with a key, a tmux terminal.

Debian's openssh-server is installed when missing (root + apt only); otherwise the tests are
skipped with the reason printed. Nothing here touches the machine's own sshd.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SSH_USER = "relance-ssh-test"
SSH_GROUP = "relance-agents-test"
SSHD = "/usr/sbin/sshd"


# A shared server set up on the machine running the tests (/etc/relance/server.toml) must not
# apply to the test user's runs: the environment of the tests does not cross SSH or runuser.
NO_SERVER = "RELANCE_SERVER_CONFIG"
NO_SERVER_PATH = "/nonexistent/relance-tests/server.toml"


def _skip(reason: str) -> None:
    print(f"\nSSH tests skipped: {reason}", file=sys.stderr)
    pytest.skip(reason)


def _ensure_sshd() -> None:
    if Path(SSHD).exists() and shutil.which("ssh") and shutil.which("tmux"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        _skip("openssh-server/tmux missing and cannot be installed (needs root and apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    result = subprocess.run(
        "apt-get update -qq && apt-get install -y -qq openssh-server openssh-client tmux",
        shell=True, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if result.returncode != 0 or not Path(SSHD).exists():
        _skip(f"installing openssh-server failed: {result.stderr[-300:]}")


def _ensure_user() -> None:
    if os.geteuid() != 0:
        _skip("creating a test user needs root")
    try:
        grp.getgrnam(SSH_GROUP)
    except KeyError:
        subprocess.run(["groupadd", SSH_GROUP], check=True)
    try:
        pwd.getpwnam(SSH_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--create-home", "--shell", "/bin/bash", "--groups", SSH_GROUP, SSH_USER],
            check=True,
        )
    # useradd leaves the account locked ("!"); sshd without PAM refuses that. Key only, no password.
    subprocess.run(["usermod", "--password", "*", SSH_USER], check=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _agent_python(base: Path) -> Path:
    """A Python the test user can run, seeing this test run's packages.

    The running interpreter may live where other users cannot reach it (pyenv under /root), so a
    venv is made from the system Python of the same minor version, and our site-packages are
    added to it with `site.addsitedir` (which also honours the editable install's .pth file).
    """
    system_python = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system_python.exists():
        _skip(f"{system_python} is missing: the test user needs a Python {sys.version[:4]}")
    venv = base / "agent-venv"
    subprocess.run([str(system_python), "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next(venv.glob("lib/python*/site-packages"))
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    lines = "".join(f"import site; site.addsitedir({p!r})\n" for p in ours)
    (site_packages / "relance_under_test.pth").write_text(lines)
    return venv / "bin" / "python"


@dataclass
class SshServer:
    port: int
    key: Path
    user: str
    group: str
    shared_dir: Path  # setgid directory of the agents' group, holding the database
    python: Path  # runs `-m relance_tui` as the test user

    @property
    def relance(self) -> str:
        return f"env {NO_SERVER}={NO_SERVER_PATH} {self.python} -m relance_tui"

    def command(self, remote: str) -> list[str]:
        return [
            "ssh", "-tt", "-p", str(self.port), "-i", str(self.key),
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", f"{self.user}@127.0.0.1", remote,
        ]  # fmt: skip


@pytest.fixture(scope="session")
def ssh_server() -> Iterator[SshServer]:
    _ensure_sshd()
    _ensure_user()
    # Not under pytest's tmp dir: that one is private to root and the test user must reach it.
    base = Path(tempfile.mkdtemp(prefix="relance-sshd-"))
    os.chmod(base, 0o755)
    host_key, client_key = base / "host_key", base / "client_key"
    for key in (host_key, client_key):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    authorized = base / "authorized_keys"
    shutil.copy(client_key.with_suffix(".pub"), authorized)
    os.chmod(authorized, 0o644)
    port = _free_port()
    config = base / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile {base / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {authorized}\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPermitRootLogin no\n"
        f"AllowUsers {SSH_USER}\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    else:
        server.kill()
        _skip("sshd did not start listening")
    shared = base / "shared"
    shared.mkdir()
    shutil.chown(shared, group=SSH_GROUP)
    os.chmod(shared, 0o2770)  # setgid: the database and its -wal/-shm keep the agents' group
    try:
        yield SshServer(port, client_key, SSH_USER, SSH_GROUP, shared, _agent_python(base))
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(base, ignore_errors=True)


class Terminal:
    """A tmux session on a tmux server of its own: type keys, read the screen.

    Its own server (`tmux -L`), so that two runs of the suite at once (a clone in CI, a checkout
    being worked on) never type into or kill each other's session."""

    def __init__(self, name: str, command: list[str], width: int = 100, height: int = 30) -> None:
        self.name = name
        self.tmux = ["tmux", "-L", f"relance-test-{name}-{os.getpid()}-{time.monotonic_ns()}"]
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", name, "-x", str(width), "-y", str(height),
             *command],
            check=True,
        )  # fmt: skip

    def send(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def screen(self) -> str:
        result = subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return result.stdout

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared on screen:\n{screen}")

    def kill(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)


@pytest.fixture
def terminal() -> Iterator[type[Terminal]]:
    opened: list[Terminal] = []

    class Tracked(Terminal):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            opened.append(self)

    yield Tracked
    for term in opened:
        term.kill()
