"""After `relance admin install-server`, agents reach the database only through relance, as
themselves (sudo's record), with their role's rights: real OS users, real sudo, the wrapper.

Each test fails on a deployment where agents share the database file's group (the README's
setup before install-server) or where the identity comes from an environment variable.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import shlex
import shutil
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

import pytest
from server_harness import Server

from relance_tui.cli import main

LIARS = {"LOGNAME": "root", "USER": "root", "SUDO_USER": "root", "SUDO_UID": "0"}


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Read the database as root, who runs the tests (read-only: the service account owns it)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [tuple(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_installation_is_in_place_and_sudo_accepts_its_rule(server: Server) -> None:
    assert subprocess.run(["visudo", "-c", "-f", str(server.sudoers)]).returncode == 0
    assert subprocess.run(["visudo", "-c"], capture_output=True).returncode == 0
    account = pwd.getpwnam(server.account)
    assert account.pw_shell.endswith(("nologin", "false"))
    data = server.data_dir.stat()
    assert (data.st_uid, data.st_gid, stat.S_IMODE(data.st_mode)) == (
        account.pw_uid, account.pw_gid, 0o2770,
    )  # fmt: skip
    db = server.database.stat()
    assert (db.st_uid, db.st_gid, stat.S_IMODE(db.st_mode)) == (
        account.pw_uid, account.pw_gid, 0o660,
    )  # fmt: skip
    for path, mode in ((server.sudoers, 0o440), (server.wrapper, 0o755), (server.config, 0o644)):
        info = path.stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, mode), path
    rule = server.sudoers.read_text()
    grant = f"%{server.group} ALL = ({server.account}) NOPASSWD: NOSETENV: {server.entry_point}"
    assert f"\n{grant}\n" in rule
    assert "!setenv" in rule and "env_reset" in rule
    logins = dict(query(server.database, "SELECT login, role FROM agents"))
    assert logins[server.admin] == "admin" and logins[server.supervisor] == "supervisor"
    assert logins[server.agents[0]] == "agent"


def test_an_agent_cannot_open_the_database_file(server: Server) -> None:
    agent = server.agents[0]
    events = query(server.database, "SELECT count(*) FROM audit_events")
    for sql in ("SELECT count(*) FROM agents", "DELETE FROM audit_events"):
        result = server.run_as(agent, "sqlite3", str(server.database), sql)
        assert result.returncode != 0
        assert "unable to open" in result.stderr or "denied" in result.stderr, result.stderr
    listing = server.run_as(agent, "ls", str(server.data_dir))
    assert listing.returncode != 0 and "denied" in listing.stderr.lower()
    # relance itself, not through sudo: the kernel says no, and relance says what to type
    # (the server configuration is found where the installer put it).
    here = {"RELANCE_SERVER_CONFIG": str(server.config)}
    direct = server.run_as(agent, str(server.entry_point), "queue", **here)
    assert direct.returncode == 1 and "tapez relance" in direct.stderr, direct.stderr
    direct = server.run_as(agent, str(server.entry_point), "--db", str(server.database), "queue")
    assert direct.returncode == 1 and "tapez relance" in direct.stderr, direct.stderr
    assert query(server.database, "SELECT count(*) FROM audit_events") == events


def test_who_the_agent_is_comes_from_sudo_not_from_their_environment(server: Server) -> None:
    agent, other = server.agents
    mine = query(
        server.database,
        "SELECT count(*) FROM cases c JOIN agents a ON a.id = c.assigned_agent_id"
        " WHERE a.login = ? AND c.status = 'open'",
        agent,
    )[0][0]
    assert mine
    for claimed in ("root", server.supervisor, server.admin, other):
        supervisor_uid = str(pwd.getpwnam(claimed).pw_uid)
        result = server.relance(
            agent, "queue", "--json", "--limit", "500",
            **{**LIARS, "LOGNAME": claimed, "USER": claimed, "SUDO_USER": claimed,
               "SUDO_UID": supervisor_uid},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        queue = json.loads(result.stdout)
        assert queue["agent"] == agent and queue["total"] == mine
    # sudo itself: no variable may be set, the environment may not be kept, nothing else runs.
    entry = str(server.entry_point)
    refusals = (
        ["sudo", "-n", "-u", server.account, f"SUDO_UID={pwd.getpwnam(server.admin).pw_uid}",
         "--", entry, "queue"],
        ["sudo", "-n", "-E", "-u", server.account, "--", entry, "queue"],
        ["sudo", "-n", "-u", server.account, "--", "/bin/sh", "-c", "id"],
        ["sudo", "-n", "-u", "root", "--", entry, "queue"],
    )  # fmt: skip
    for argv in refusals:
        result = server.run_as(agent, *argv)
        assert result.returncode != 0 and "sudo:" in result.stderr, (argv, result.stdout)
    result = server.relance(agent, "--agent", server.supervisor, "queue")
    assert result.returncode == 1 and "--agent" in result.stderr


def test_a_server_configuration_of_the_agents_own_is_not_believed(server: Server) -> None:
    """An agent who writes a server configuration naming themselves as the service account,
    then claims to be the admin through SUDO_UID, is refused before anything is opened."""
    agent = server.agents[0]
    home = Path(pwd.getpwnam(agent).pw_dir)
    forged = home / "server.toml"
    forged.write_text(f'[server]\nservice_account = "{agent}"\ndatabase = "{home}/x.db"\n')
    info = pwd.getpwnam(agent)
    subprocess.run(["chown", f"{info.pw_uid}:{info.pw_gid}", str(forged)], check=True)
    admin_uid = str(pwd.getpwnam(server.admin).pw_uid)
    result = server.run_as(
        agent, str(server.entry_point), "init",
        RELANCE_SERVER_CONFIG=str(forged), SUDO_UID=admin_uid, SUDO_USER=server.admin,
    )  # fmt: skip
    assert result.returncode == 2 and "root" in result.stderr, result.stderr
    assert not (home / "x.db").exists()


def test_an_agent_cannot_seed_import_or_manage_agents(server: Server) -> None:
    agent = server.agents[0]
    inode, before = server.database.stat().st_ino, digest_tables(server)
    invoices = server.base / "factures.csv"
    invoices.write_text(
        "N° facture;Code client;Date facture;Date d'échéance;Montant TTC;Reste dû\r\n"
        "F-1;C-1;01/01/2026;31/01/2026;100,00;0,00\r\n",
        encoding="utf-8",
    )
    invoices.chmod(0o644)
    db = str(server.database)
    for argv in (
        ["seed", *SEED_AGAIN, "--force"],
        ["seed", *SEED_AGAIN, "--force-overwrite", db],
        ["import", "invoices", str(invoices)],
        ["agents", "add", "complice"],
        ["agents", "set-role", agent, "admin"],
        ["init"],
    ):
        result = server.relance(agent, *argv, **LIARS)
        assert result.returncode == 1, (argv, result.stderr)
    assert server.database.stat().st_ino == inode
    assert digest_tables(server) == before


SEED_AGAIN = ["--debtors", "5", "--invoices", "10", "--quiet"]


def test_an_export_the_service_account_cannot_read_is_refused_with_what_to_do(
    server: Server,
) -> None:
    """The admin's own file, in a folder only they can enter: relance runs as the service
    account, which cannot read it. Said in words (and how to fix it), not a traceback."""
    home = Path(pwd.getpwnam(server.admin).pw_dir)
    private = home / "exports"
    private.mkdir(mode=0o700, exist_ok=True)
    debtors = private / "clients.csv"
    debtors.write_text("Code client;Raison sociale\r\nC-1;Garage Martin\r\n", encoding="utf-8")
    for path in (private, debtors):
        shutil.chown(path, server.admin, server.admin)
    before = digest_tables(server)
    result = server.relance(server.admin, "import", "debtors", str(debtors))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "Lecture refusée" in result.stderr and f"compte {server.account}" in result.stderr
    assert digest_tables(server) == before
    private.chmod(0o711)  # what the message says to do: the account may now read it
    debtors.chmod(0o644)
    result = server.relance(server.admin, "import", "debtors", str(debtors))
    assert result.returncode == 0, result.stderr


def digest_tables(server: Server) -> list[tuple[object, ...]]:
    return query(
        server.database,
        "SELECT (SELECT count(*) FROM debtors), (SELECT count(*) FROM imports),"
        " (SELECT group_concat(login || ':' || role) FROM agents),"
        " (SELECT sum(outstanding_cents) FROM invoices)",
    )


def test_an_agent_reads_the_audit_of_their_portfolio_only(server: Server) -> None:
    agent, other = server.agents
    result = server.relance(agent, "audit", "--json", **LIARS)
    assert result.returncode == 0, result.stderr
    seen = [json.loads(line) for line in result.stdout.splitlines()]
    theirs = {
        str(row[0])
        for row in query(
            server.database,
            "SELECT c.id FROM cases c JOIN agents a ON a.id = c.assigned_agent_id"
            " WHERE a.login = ?",
            other,
        )
    }
    about_cases = {str(event["entity_id"]) for event in seen if event["entity"] == "case"}
    reassigned = query(
        server.database,
        "SELECT count(*) FROM audit_events WHERE entity = 'case'"
        f" AND entity_id IN ({','.join('?' * len(theirs))})",
        *theirs,
    )[0][0]
    assert reassigned  # the trail holds events about the other agent's cases…
    assert about_cases and not about_cases & theirs  # …which this agent does not see
    supervisor = server.relance(server.supervisor, "audit", "--json")
    everyone = {
        str(json.loads(line)["entity_id"])
        for line in supervisor.stdout.splitlines()
        if json.loads(line)["entity"] == "case"
    }
    assert everyone & theirs


def test_rejects_never_overwrite_a_file_or_the_database(server: Server) -> None:
    bad = server.base / "mauvais.csv"
    bad.write_text(
        "N° facture;Code client;Date facture;Date d'échéance;Montant TTC;Reste dû\r\n"
        "F-X;INCONNU;pas une date;31/01/2026;abc;0,00\r\n",
        encoding="utf-8",
    )
    bad.chmod(0o644)
    existing = server.base / "rejets.csv"
    existing.write_text("précieux\n")
    existing.chmod(0o666)
    before_db, before_file = digest_tables(server), digest(existing)
    for target in (existing, server.database, Path(f"{server.database}-wal")):
        result = server.relance(
            server.admin, "import", "invoices", str(bad), "--skip-bad", "--rejects", str(target)
        )
        assert result.returncode == 1, (target, result.stdout, result.stderr)
    assert digest(existing) == before_file
    assert digest_tables(server) == before_db
    assert query(server.database, "PRAGMA integrity_check") == [("ok",)]


def test_installing_again_changes_nothing_and_a_dry_run_nothing_at_all(
    server: Server, capsys: object
) -> None:
    inode, rule = server.database.stat().st_ino, server.sudoers.read_text()
    events = query(server.database, "SELECT count(*) FROM audit_events")
    sudo_env = server.config.with_suffix(".env")
    with sudo_env.open("a") as handle:
        handle.write("RELANCE_WRITE_WAIT=300\n")  # the admin's own: kept
    assert main(server.install_argv()) == 0
    assert "RELANCE_WRITE_WAIT=300\n" in sudo_env.read_text()
    assert server.database.stat().st_ino == inode and server.sudoers.read_text() == rule
    assert query(server.database, "SELECT count(*) FROM audit_events") == events
    other = Server(**{**server.__dict__, "account": f"{server.account}x",
                      "data_dir": server.base / "dry", "config": server.base / "dry.toml",
                      "wrapper": server.base / "dry-relance",
                      "sudoers": Path(f"{server.sudoers}-dry")})  # fmt: skip
    assert main([*other.install_argv(), "--dry-run"]) == 0
    for path in (other.data_dir, other.config, other.wrapper, other.sudoers):
        assert not path.exists()
    missing = subprocess.run(["id", other.account], capture_output=True)
    assert missing.returncode != 0


def test_install_server_is_refused_to_anyone_but_root(server: Server) -> None:
    for command in ([str(server.entry_point)], [str(server.wrapper)]):  # as themselves, as relance
        result = server.run_as(server.admin, *command, "admin", "install-server", "--dry-run")
        assert result.returncode == 1 and "root" in result.stderr, result.stderr


def test_the_app_opens_through_sudo_as_the_agent_who_typed_relance(server: Server) -> None:
    """The TUI itself, in a real terminal (tmux), through the wrapper and sudo's pty."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    agent = server.agents[1]
    tmux = ["tmux", "-L", f"relance-{server.account}-{os.getpid()}"]
    variables = {
        **LIARS,
        "LOGNAME": server.supervisor,
        "USER": server.supervisor,
        "PATH": "/usr/bin:/bin",
        "LANG": "fr_FR.UTF-8",
        "TERM": "xterm-256color",
    }
    command = ["runuser", "-u", agent, "--", "env", "-i"]
    command += [f"{name}={value}" for name, value in variables.items()]
    command += [str(server.wrapper)]  # fmt: skip
    subprocess.run([*tmux, "new-session", "-d", "-s", "app", "-x", "100", "-y", "30",
                    shlex.join(command)], check=True, cwd=server.base)  # fmt: skip
    try:
        screen = ""
        deadline = time.monotonic() + 30
        while f"File de travail — {agent}" not in screen and time.monotonic() < deadline:
            time.sleep(0.2)
            screen = subprocess.run([*tmux, "capture-pane", "-p", "-t", "app"],
                                    capture_output=True, text=True).stdout  # fmt: skip
        assert f"File de travail — {agent}" in screen, screen
        subprocess.run([*tmux, "send-keys", "-t", "app", "q"], check=True)
        while time.monotonic() < deadline:
            if subprocess.run([*tmux, "has-session", "-t", "app"], capture_output=True).returncode:
                break  # the app quit, and with it the session
            time.sleep(0.2)
        else:
            raise AssertionError("the app did not quit on q")
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
