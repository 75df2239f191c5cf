"""Who runs relance on a shared server: SUDO_UID is believed only when the process runs as the
configured service account; the server configuration only when root alone can change it."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

import relance_tui
from relance_tui.cli import main
from relance_tui.config import (
    ServerSettings,
    UntrustedConfigError,
    load_server_config,
    unsafe_component,
)
from relance_tui.services.identity import IdentityError, process_user
from relance_tui.services.server_install import (
    InstallError,
    ServerInstall,
    install,
    sudoers_text,
    write_sudoers,
)

ME = pwd.getpwuid(os.getuid()).pw_name
SOMEONE_ELSE = next(p for p in pwd.getpwall() if p.pw_uid not in (os.getuid(), 0))
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="root-owned files need root")


def test_sudo_uid_counts_only_under_the_service_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUDO_UID", str(SOMEONE_ELSE.pw_uid))
    monkeypatch.setenv("SUDO_USER", SOMEONE_ELSE.pw_name)
    assert process_user() == ME  # a single-user machine: no service account at all
    elsewhere = ServerSettings(service_account=SOMEONE_ELSE.pw_name)
    assert process_user(elsewhere) == ME  # not running as the service account: a mere variable
    mine = ServerSettings(service_account=ME)
    assert process_user(mine) == SOMEONE_ELSE.pw_name  # sudo ran the service account for them
    monkeypatch.setenv("SUDO_UID", str(os.getuid()))
    assert process_user(mine) == ME
    monkeypatch.delenv("SUDO_UID")
    assert process_user(mine) == ME  # the service account itself (root used runuser)
    monkeypatch.setenv("SUDO_UID", "0; rm")
    with pytest.raises(IdentityError):
        process_user(mine)


def test_a_missing_server_configuration_is_a_single_user_machine(tmp_path: Path) -> None:
    assert load_server_config(tmp_path / "none.toml") is None
    assert load_server_config() is None  # conftest points RELANCE_SERVER_CONFIG at nothing


def write_config(path: Path, account: str, database: Path) -> Path:
    path.write_text(f'[server]\nservice_account = "{account}"\ndatabase = "{database}"\n')
    path.chmod(0o644)
    return path


def test_a_server_configuration_someone_else_can_write_is_refused(tmp_path: Path) -> None:
    config = write_config(tmp_path / "server.toml", ME, tmp_path / "relance.db")
    if os.geteuid() == 0:
        os.chown(config, SOMEONE_ELSE.pw_uid, -1)
    with pytest.raises(UntrustedConfigError) as refused:
        load_server_config(config)
    assert refused.value.culprit == config
    if os.geteuid() == 0:
        os.chown(config, 0, 0)
        config.chmod(0o664)
        with pytest.raises(UntrustedConfigError):
            load_server_config(config)
        config.chmod(0o644)
        tmp_path.chmod(0o777)  # a directory anyone may write in: the file could be swapped
        with pytest.raises(UntrustedConfigError) as refused:
            load_server_config(config)
        assert refused.value.culprit == tmp_path
        tmp_path.chmod(0o700)
        assert unsafe_component(config) is None
        assert load_server_config(config) is not None


@needs_root
def test_the_cli_on_a_server_takes_its_database_settings_and_identity_from_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "relance.db"
    config = write_config(tmp_path / "server.toml", "root", db)
    monkeypatch.setenv("RELANCE_SERVER_CONFIG", str(config))
    monkeypatch.delenv("SUDO_UID", raising=False)
    assert main(["init"]) == 0  # as the service account (root here), on the server's database
    assert db.exists()
    capsys.readouterr()
    assert main(["--db", str(tmp_path / "other.db"), "queue"]) == 1
    assert not (tmp_path / "other.db").exists()
    assert main(["--config", str(config), "queue"]) == 2
    # A valid settings file of the caller's (it would shorten claims, point letters elsewhere)
    # is refused wherever it stands, and a file the service account alone could read is never
    # read on its behalf: not a line of it in an error.
    mine = tmp_path / "mine.toml"
    mine.write_text('language = "en"\n[claims]\nexpiry_minutes = 1\n')
    assert main(["--config", str(mine), "queue"]) == 2
    assert main(["queue", "--config", str(mine)]) == 2
    assert main([f"--config={mine}", "queue"]) == 2
    secret = tmp_path / "secret.toml"
    secret.write_text("the service account's secret line\n")
    assert main(["--config", str(secret), "queue"]) == 2
    refused = capsys.readouterr().err
    assert "secret line" not in refused and "--config" in refused
    assert main(["demo", "--no-open"]) == 1
    assert "serveur" in capsys.readouterr().err
    monkeypatch.setenv("SUDO_UID", str(SOMEONE_ELSE.pw_uid))  # sudo ran it for them
    assert main(["queue"]) == 1
    assert SOMEONE_ELSE.pw_name in capsys.readouterr().err  # unknown agent: they, not root
    write_config(config, SOMEONE_ELSE.pw_name, db)  # root is not the service account
    assert main(["queue"]) == 1
    assert "tapez relance" in capsys.readouterr().err


@needs_root
@pytest.mark.skipif(shutil.which("visudo") is None, reason="visudo (sudo) is not installed")
def test_a_rule_sudo_refuses_is_never_put_in_place(tmp_path: Path) -> None:
    target = Path(f"/etc/sudoers.d/relance-test-bad-{os.getpid()}")
    assert not target.exists()
    before = sorted(Path("/etc/sudoers.d").iterdir())
    try:
        with pytest.raises(InstallError, match=r"sudo"):
            write_sudoers(target, "%relance-agents ALL = (relance NOPASSWD /x\n")
        assert not target.exists()
        assert sorted(Path("/etc/sudoers.d").iterdir()) == before  # no draft left either
        plan = ServerInstall(entry_point=Path("/opt/relance/bin/relance"))
        write_sudoers(target, sudoers_text(plan))
        assert subprocess.run(["visudo", "-c", "-f", str(target)]).returncode == 0
    finally:
        target.unlink(missing_ok=True)


@needs_root
def test_the_installer_refuses_what_would_leave_the_database_open(tmp_path: Path) -> None:
    if unsafe_component(Path(relance_tui.__file__).parent) is not None:
        pytest.skip("this checkout is not root's alone: the installer refuses its code anyway")
    entry = tmp_path / "relance"
    entry.write_text("#!/bin/sh\nexit 0\n")
    entry.chmod(0o755)
    lines: list[str] = []
    (tmp_path / "sudoers.d").mkdir()

    def dry_run(**options: object) -> None:
        # Every path of its own: a real server set up on this machine must not answer for it.
        chosen = {
            "entry_point": entry,
            "data_dir": tmp_path / "data",
            "config": tmp_path / "etc" / "server.toml",
            "sudoers": tmp_path / "sudoers.d" / "relance",
            "wrapper": tmp_path / "bin" / "relance",
            **options,
        }
        plan = ServerInstall(**chosen)  # type: ignore[arg-type]
        install(plan, dry_run=True, report=lines.append)

    dry_run(service_account="rel-test-none", agents_group="rel-test-agents")
    assert any("→" in line for line in lines) and not any("✓" in line for line in lines)
    assert not (tmp_path / "data").exists()
    assert subprocess.run(["getent", "group", "rel-test-agents"]).returncode != 0
    refusals = {
        "celui du compte de service": {"service_account": "relx", "agents_group": "relx"},
        "minuscules": {"service_account": "Relance;id"},
        "point": {"sudoers": Path("/etc/sudoers.d/relance.conf")},
        "chemin absolu": {"data_dir": Path("/var/lib/re lance")},
        "pas un programme": {"entry_point": tmp_path / "missing"},
    }
    for message, options in refusals.items():
        with pytest.raises(InstallError, match=message):
            dry_run(**options)
    entry.chmod(0o777)  # anyone could put their code there
    with pytest.raises(InstallError, match="autre utilisateur que root"):
        dry_run()
