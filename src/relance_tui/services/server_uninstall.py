"""`relance admin uninstall-server`: take the shared-server deployment apart, root only.

By default only the way in goes: the sudo rule (first, so that no agent starts relance as the
service account any more) and the wrapper agents type. The data directory (the database and its
history), the service account, the agents' group and the server configuration stay, so that
`install-server` puts everything back as it was. `--purge DIR`, with the data directory's path
typed back exactly, also deletes the data directory, the service account, the server
configuration and the variables sudo set; the agents' group stays (it may hold other rights).

Files are removed only when install-server wrote them (its marker is in them): a file of someone
else's at one of those paths is never touched.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from relance_tui.i18n import t
from relance_tui.services.server_install import (
    MARKER,
    InstallError,
    ServerInstall,
    Step,
    _run,
    _user,
    _visudo,
)


def uninstall(
    plan: ServerInstall, *, purge: Path | None, dry_run: bool, report: Callable[[str], None]
) -> None:
    """Check everything, then take each step still to do (or only say it, dry run)."""
    check(plan, purge)
    for step in steps(plan, purge=purge is not None):
        if step.done():
            report(t("server.uninstall.already", step=step.description))
        elif dry_run:
            report(t("server.install.would", step=step.description))
        else:
            step.apply()
            report(t("server.install.did", step=step.description))


def check(plan: ServerInstall, purge: Path | None) -> None:
    if os.geteuid() != 0:
        raise InstallError(t("server.uninstall.not_root"))
    for path in (plan.sudoers, plan.wrapper):
        _ours_or_absent(path)
    if purge is None:
        return
    if str(purge) != str(plan.data_dir):
        raise InstallError(t("server.uninstall.purge_mismatch", given=purge, path=plan.data_dir))
    for path in (plan.config, plan.sudo_env):
        _ours_or_absent(path)
    if plan.data_dir.is_symlink():
        raise InstallError(t("server.install.symlink", path=plan.data_dir))
    account = _user(plan.service_account)
    if plan.data_dir.exists():
        owner = plan.data_dir.stat().st_uid
        if not plan.data_dir.is_dir() or account is None or owner != account.pw_uid:
            raise InstallError(
                t("server.uninstall.not_service_dir", path=plan.data_dir,
                  account=plan.service_account)
            )  # fmt: skip
    if account is not None and account.pw_uid == 0:
        raise InstallError(t("server.install.account_is_root", account=plan.service_account))


def steps(plan: ServerInstall, *, purge: bool) -> list[Step]:
    gone = [
        Step(
            t("server.uninstall.step.sudoers", path=plan.sudoers),
            lambda: not os.path.lexists(plan.sudoers),
            lambda: _remove_sudoers(plan.sudoers),
        ),
        Step(
            t("server.uninstall.step.wrapper", path=plan.wrapper),
            lambda: not os.path.lexists(plan.wrapper),
            lambda: plan.wrapper.unlink(),
        ),
    ]
    if not purge:
        return gone
    account = plan.service_account
    return [
        *gone,
        Step(
            t("server.uninstall.step.data_dir", path=plan.data_dir),
            lambda: not plan.data_dir.exists(),
            lambda: shutil.rmtree(plan.data_dir),
        ),
        Step(
            t("server.uninstall.step.account", account=account),
            lambda: _user(account) is None,
            lambda: _run(["userdel", account]),
        ),
        Step(
            t("server.uninstall.step.config", path=plan.config),
            lambda: not os.path.lexists(plan.config),
            lambda: plan.config.unlink(),
        ),
        Step(
            t("server.uninstall.step.sudo_env", path=plan.sudo_env),
            lambda: not os.path.lexists(plan.sudo_env),
            lambda: plan.sudo_env.unlink(),
        ),
    ]


def _ours_or_absent(path: Path) -> None:
    if not os.path.lexists(path):
        return
    text = ""
    if path.is_file() and not path.is_symlink():
        with path.open("rb") as handle:
            text = handle.read(4096).decode("utf-8", errors="replace")
    if MARKER not in text:
        raise InstallError(t("server.uninstall.foreign_file", path=path))


def _remove_sudoers(path: Path) -> None:
    """Gone, then sudo's whole configuration checked again (it must still parse)."""
    path.unlink()
    _visudo(["-c"], path)
