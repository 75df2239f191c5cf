"""A shared server set up by `relance admin install-server` with real OS users and real sudo.

Everything lives under a temporary directory (data, server configuration, wrapper, a venv whose
`relance` is the entry point), except the sudo rule, which sudo reads only from
/etc/sudoers.d: a file of this run's own name, removed afterwards with the users and groups.
Names carry a random suffix, so two runs (or two xdist workers) never meet. Needs root.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import relance_tui
from relance_tui.cli import main
from relance_tui.config import unsafe_component

NEEDED = ("sudo", "visudo", "runuser", "useradd", "userdel", "groupdel", "usermod", "sqlite3")
SEEDING = ["--debtors", "80", "--invoices", "400", "--quiet", "--today", "2026-11-24"]


def _skip(reason: str) -> None:
    print(f"\nshared-server tests skipped: {reason}", file=sys.stderr)
    pytest.skip(reason)


@dataclass
class Server:
    base: Path
    account: str
    group: str
    admin: str
    supervisor: str
    agents: tuple[str, str]
    data_dir: Path
    config: Path
    sudoers: Path
    wrapper: Path
    entry_point: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "relance.db"

    def install_argv(self) -> list[str]:
        return [
            "admin", "install-server", "--service-account", self.account,
            "--agents-group", self.group, "--data-dir", str(self.data_dir),
            "--server-config", str(self.config), "--sudoers", str(self.sudoers),
            "--wrapper", str(self.wrapper), "--entry-point", str(self.entry_point),
            "--admin", self.admin, "--supervisor", self.supervisor,
        ]  # fmt: skip

    def run_as(self, login: str, *command: str, **env: str) -> subprocess.CompletedProcess[str]:
        """COMMAND as the OS user `login`, from a clean environment plus `env`."""
        variables = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "fr_FR.UTF-8",
            "TERM": "xterm",
            "HOME": pwd.getpwnam(login).pw_dir,
            **env,
        }
        argv = ["runuser", "-u", login, "--", "env", "-i"]
        argv += [f"{name}={value}" for name, value in variables.items()]
        return subprocess.run(
            [*argv, *command], capture_output=True, text=True, timeout=120, cwd=self.base
        )

    def relance(self, login: str, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
        """`relance ARGV` typed by `login`: the wrapper, i.e. sudo to the service account."""
        return self.run_as(login, str(self.wrapper), *argv, **env)


def _entry_point(base: Path) -> Path:
    """A venv of the system Python (the service account cannot reach a Python under /root)
    seeing this run's packages, and a `relance` console script in it, all root's."""
    system_python = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system_python.exists():
        _skip(f"{system_python} is missing: the service account needs a Python {sys.version[:4]}")
    venv = base / "venv"
    subprocess.run([str(system_python), "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next(venv.glob("lib/python*/site-packages"))
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    lines = "".join(f"import site; site.addsitedir({p!r})\n" for p in ours)
    (site_packages / "relance_under_test.pth").write_text(lines)
    script = venv / "bin" / "relance"
    script.write_text(
        f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom relance_tui.cli import main\n"
        "sys.exit(main())\n"
    )
    script.chmod(0o755)
    return script


def _add_user(login: str) -> None:
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", login], check=True)


def _cleanup(server: Server, users: list[str]) -> None:
    server.sudoers.unlink(missing_ok=True)  # first: no rule may outlive the run
    for login in users:
        subprocess.run(["userdel", "--remove", login], capture_output=True)
    subprocess.run(["userdel", server.account], capture_output=True)
    for group in (server.group, server.account):
        subprocess.run(["groupdel", group], capture_output=True)
    shutil.rmtree(server.base, ignore_errors=True)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    if os.geteuid() != 0:
        _skip("creating OS users, a service account and a sudo rule needs root")
    missing = [tool for tool in NEEDED if shutil.which(tool) is None]
    if missing or not Path("/etc/sudoers.d").is_dir():
        _skip(f"missing: {', '.join(missing) or '/etc/sudoers.d'} (scripts/system-packages.sh)")
    culprit = unsafe_component(Path(relance_tui.__file__).parent)
    if culprit is not None:
        _skip(f"{culprit} is writable by users other than root: install-server refuses that code")
    tag = f"rs{secrets.token_hex(3)}"
    base = Path(tempfile.mkdtemp(prefix=f"relance-{tag}-"))
    base.chmod(0o755)  # the service account and the agents go through it
    server = Server(
        base=base, account=tag, group=f"{tag}-agents", admin=f"{tag}-adm",
        supervisor=f"{tag}-sup", agents=(f"{tag}-a1", f"{tag}-a2"), data_dir=base / "data",
        config=base / "etc" / "server.toml", sudoers=Path(f"/etc/sudoers.d/relance-test-{tag}"),
        wrapper=base / "bin" / "relance", entry_point=_entry_point(base),
    )  # fmt: skip
    users = [server.admin, server.supervisor, *server.agents]
    try:
        for login in users:
            _add_user(login)
        assert main(server.install_argv()) == 0
        for agent in server.agents:
            subprocess.run(["usermod", "--append", "--groups", server.group, agent], check=True)
            done = server.relance(server.admin, "agents", "add", agent)
            assert done.returncode == 0, done.stderr
        seeded = server.relance(server.admin, "seed", *SEEDING)
        assert seeded.returncode == 0, seeded.stderr
        for number, agent in enumerate(server.agents, start=1):  # seeded agent1's cases, …
            moved = server.relance(server.supervisor, "assign", "--from", f"agent{number}",
                                   "--to", agent)  # fmt: skip
            assert moved.returncode == 0, moved.stderr
        yield server
    finally:
        _cleanup(server, users)
