"""Options shared by every sub-command, and the error type handlers raise for the user."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from relance_tui.config import ConfigError, Settings, load_settings, resolve_config_path
from relance_tui.i18n import t

if TYPE_CHECKING:
    from relance_tui.services.identity import Identity

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


class CliError(Exception):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def add_global_options(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument("--agent", metavar="LOGIN", help="act as this agent (default: OS user)")


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """--db, --lang and --config: accepted before the command and after it."""
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="SQLite database (default: $RELANCE_DB, else the user data directory)",
    )
    add_display_options(parser)


def add_display_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=("fr", "en"),
        default=argparse.SUPPRESS,
        help="interface language (default: $RELANCE_LANG, the config file, else the locale)",
    )
    parser.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="configuration file (TOML)"
    )


def db_path(args: argparse.Namespace) -> Path:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.storage.db import resolve_db_path

    return resolve_db_path(getattr(args, "db", None))


def open_db(args: argparse.Namespace, *, create: bool = False) -> sqlite3.Connection:
    """The database of `--db`; only the commands that create one pass `create` (init, seed)."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.storage.db import NotADatabaseError, connect
    from relance_tui.storage.schema import SchemaTooNewError

    path = db_path(args)
    try:
        return connect(path, create=create)
    except NotADatabaseError as error:
        raise CliError(not_a_database_message(error)) from error
    except SchemaTooNewError as error:
        raise CliError(t("error.db_too_new", path=path)) from error
    except sqlite3.DatabaseError as error:
        raise CliError(f"{path}: {error}") from error


def not_a_database_message(error: Exception) -> str:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.storage.db import NotADatabaseError

    assert isinstance(error, NotADatabaseError)
    if error.reason == "missing":
        return t("database.missing", path=error.path)
    if error.reason == "empty":
        return t("database.empty", path=error.path)
    return t("database.foreign", path=error.path)


def settings(args: argparse.Namespace) -> Settings:
    """The settings of this run, read once (main reads them for the language already)."""
    loaded: Settings | None = getattr(args, "_settings", None)
    if loaded is None:
        try:
            loaded = load_settings(resolve_config_path(getattr(args, "config", None)))
        except ConfigError as error:
            raise CliError(t("error.bad_config", detail=error), exit_code=2) from error
        args._settings = loaded
    return loaded


def os_user() -> str:
    """The login of the user running this process, as the kernel knows them."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.identity import IdentityError, process_user

    try:
        return process_user()
    except IdentityError as error:
        raise CliError(str(error)) from error


def current_identity(args: argparse.Namespace, conn: sqlite3.Connection) -> Identity:
    """The agent this command acts as (OS user, or `--agent` for supervisors and admins)."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.identity import IdentityError, resolve_identity

    try:
        return resolve_identity(conn, os_user(), getattr(args, "agent", None))
    except IdentityError as error:
        raise CliError(str(error)) from error
