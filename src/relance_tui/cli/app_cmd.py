"""`relance` / `relance app`: open the TUI on a database."""

from __future__ import annotations

import argparse
from typing import Any

from relance_tui.cli import common
from relance_tui.config import ConfigError, Settings, resolve_config_path
from relance_tui.i18n import t


def register(subparsers: Any) -> None:
    parser = common.command(subparsers, "app", t("cli.app.help"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return open_app(common.db_path(args), args)


def open_app(path: Any, args: argparse.Namespace) -> int:
    """Check the database and who is asking before the UI starts, so errors land on stderr."""
    args.db = str(path)
    settings = common.settings(args)
    if settings.keymap:
        check_keymap(settings, args)
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.permissions import Permission
    from relance_tui.services.permissions import NotAllowedError, require

    conn = common.open_db(args)
    try:
        agent = common.current_identity(args, conn).agent
        require(agent, Permission.WORK_OWN_PORTFOLIO)
    except NotAllowedError as error:
        raise common.CliError(str(error)) from error
    finally:
        conn.close()
    login = agent.login
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.tui.app import RelanceApp

    app = RelanceApp(db_path=path, agent_login=login, settings=settings)
    app.run()
    return int(app.return_code or 0)


def check_keymap(settings: Settings, args: argparse.Namespace) -> None:
    """Only the app knows its bindings: it checks `[keymap]`, and a mistake is said here."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.tui.keymap import checked_keymap

    try:
        checked_keymap(settings.keymap)
    except ConfigError as error:
        deployment = common.server(args)
        path = deployment.path if deployment else resolve_config_path(getattr(args, "config", None))
        detail = f"{path}: {error}"
        raise common.CliError(t("error.bad_config", detail=detail), exit_code=2) from error
