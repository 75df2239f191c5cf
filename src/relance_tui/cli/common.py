"""Options shared by every sub-command, and the error type handlers raise for the user.

A new sub-command: its own module `cli/<name>_cmd.py` with `register(subparsers)`, which calls
`command(subparsers, "name", t("cli.name.help"))` and adds its options with `help=t("…")` and
`metavar=t("…")`. `main` knows the language before it builds the parser (cli/parser_text.py),
so help texts are translated as they are added; argparse's own words are translated too.
Numbers are read with `integer(…)` (never `type=int`: 10**20 is no SQLite integer).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from relance_tui.config import (
    ConfigError,
    ServerConfig,
    Settings,
    UntrustedConfigError,
    load_server_config,
    load_settings,
    resolve_config_path,
)
from relance_tui.i18n import number, t

if TYPE_CHECKING:
    from relance_tui.services.identity import Identity

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a reader that went away
MAX_ID = 2**63 - 1  # SQLite's largest integer
MAX_COUNT = 1_000_000_000
MAX_EUROS = Decimal(10) ** 12


class CliError(Exception):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def command(
    subparsers: Any,
    name: str,
    help_text: str,
    *,
    description: str | None = None,
    epilog: str | None = None,
    db: bool = True,
) -> argparse.ArgumentParser:
    """A sub-command's parser, with --db, --lang and --config (only --lang and --config when
    not `db`). `help_text` (a `t(…)`) is its line in `relance --help` and, without a
    `description`, the top of `relance NAME --help`."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=description or help_text, epilog=epilog
    )
    if db:
        add_db_option(parser)
    else:
        add_display_options(parser)
    return parser


def add_global_options(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)
    parser.add_argument("--agent", metavar=t("cli.metavar.login"), help=t("cli.option.agent"))


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """--db, --lang and --config: accepted before the command and after it."""
    parser.add_argument(
        "--db", metavar=t("cli.metavar.path"), default=argparse.SUPPRESS, help=t("cli.option.db")
    )
    add_display_options(parser)


def add_display_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang", choices=("fr", "en"), default=argparse.SUPPRESS, help=t("cli.option.lang")
    )
    parser.add_argument(
        "--config",
        metavar=t("cli.metavar.path"),
        default=argparse.SUPPRESS,
        help=t("cli.option.config"),
    )


def integer(minimum: int = 1, maximum: int = MAX_ID) -> Callable[[str], int]:
    """An argparse `type`: a whole number from `minimum` to `maximum`, else a usage error."""

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(
                t("cli.bad_integer", value=text, minimum=number(minimum), maximum=number(maximum))
            )
        return value

    return whole_number


def euros(text: str) -> Decimal:
    """An argparse `type`: an amount in euros, `1234.5` or `1 234,50`."""
    try:
        value = Decimal("".join(text.split()).replace(",", "."))  # spaces of 1 234,50
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 <= value <= MAX_EUROS:
        raise argparse.ArgumentTypeError(t("cli.bad_amount", value=text))
    return value


@dataclass(frozen=True, slots=True)
class EarlyRead:
    """What is read before parsing, to know the language; kept for the run (`remember`)."""

    settings: Settings | None  # None: they cannot be read (parsing goes on, and says why later)
    server: ServerConfig | None
    server_read: bool  # False: the server configuration was refused (`server` says why)

    def remember(self, args: argparse.Namespace) -> None:
        if self.server_read:
            args._server = self.server
        if self.settings is not None:
            args._settings = self.settings


def early_settings(argv: Sequence[str]) -> EarlyRead:
    """The settings of the `--config` in `argv` (or the default file), read before parsing to
    know the language. On a shared server, the server's: nothing the caller names is read as
    the service account (`settings` refuses the option once the command line is parsed)."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.cli.parser_text import option_value

    try:
        deployment = load_server_config()
    except ConfigError:
        return EarlyRead(None, None, server_read=False)
    if deployment is not None:
        return EarlyRead(deployment.settings, deployment, server_read=True)
    try:
        settings = load_settings(resolve_config_path(option_value(argv, "--config")))
    except ConfigError:
        settings = None
    return EarlyRead(settings, None, server_read=True)


def db_path(args: argparse.Namespace) -> Path:
    """`--db`, `RELANCE_DB` or the default; on a shared server its database only, and only when
    running as its service account (through the agents' `relance` wrapper, i.e. sudo)."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.storage.db import resolve_db_path

    deployment = server(args)
    if deployment is None:
        return resolve_db_path(getattr(args, "db", None))
    account, database = deployment.server.service_account, deployment.server.database
    if os.getuid() != _account_uid(account):
        raise CliError(t("server.use_wrapper", account=account, database=database))
    asked = getattr(args, "db", None)
    if asked and os.path.realpath(Path(asked).expanduser()) != os.path.realpath(database):
        raise CliError(t("server.other_db", path=asked, database=database))
    return database


def server(args: argparse.Namespace) -> ServerConfig | None:
    """The shared-server configuration (None on a single-user machine), read once."""
    if not hasattr(args, "_server"):
        try:
            args._server = load_server_config()
        except UntrustedConfigError as error:
            raise CliError(
                t("server.untrusted", path=error.path, culprit=error.culprit), exit_code=2
            ) from error
        except ConfigError as error:
            raise CliError(t("error.bad_config", detail=error), exit_code=2) from error
    found: ServerConfig | None = args._server
    return found


def permission_refused(args: argparse.Namespace, error: PermissionError) -> str:
    """Why a file could not be read or written, and on a shared server what to do about it:
    relance runs there as the service account, not as the agent who named the file."""
    path = error.filename or error.strerror
    try:
        deployment = server(args)
    except CliError:
        deployment = None
    if deployment is not None:
        return t("server.cannot_read", path=path, account=deployment.server.service_account)
    return t("error.cannot_read", path=path)


def refuse_on_server(args: argparse.Namespace) -> None:
    """For what only makes sense on one's own machine (the demo)."""
    deployment = server(args)
    if deployment is not None:
        raise CliError(t("server.not_here", database=deployment.server.database))


def _account_uid(login: str) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.identity import IdentityError, account_uid

    try:
        return account_uid(login)
    except IdentityError as error:
        raise CliError(str(error), exit_code=2) from error


def open_db(args: argparse.Namespace, *, create: bool = False) -> sqlite3.Connection:
    """The database of `--db`; only the commands that create one pass `create` (init, seed)."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.storage.db import NotADatabaseError, connect
    from relance_tui.storage.schema import SchemaTooNewError

    path = db_path(args)
    try:
        return connect(path, create=create)
    except NotADatabaseError as error:
        if error.reason == "missing" and not create:
            raise CliError(missing_database_message(args, path)) from error
        raise CliError(not_a_database_message(error)) from error
    except SchemaTooNewError as error:
        raise CliError(t("error.db_too_new", path=path)) from error
    except PermissionError as error:
        raise CliError(t("server.no_access", path=path, detail=error.strerror)) from error
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


def missing_database_message(args: argparse.Namespace, path: Path) -> str:
    """No database at `path`: where the demo is when the user asked for no database in
    particular and has one, else how an administrator creates one."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.seed.demo import demo_db_path
    from relance_tui.storage.db import default_db_path

    demo = demo_db_path()
    if path == default_db_path() and demo.exists():
        return t("cli.database.only_demo", path=path, demo=demo)
    return t("database.missing", path=path)


def settings(args: argparse.Namespace) -> Settings:
    """The settings of this run, read once (main reads them for the language already); on a
    shared server the server configuration's, the same for everyone."""
    deployment = server(args)
    if deployment is not None:
        if getattr(args, "config", None):
            raise CliError(t("server.no_config_option", path=deployment.path), exit_code=2)
        args._settings = deployment.settings
        return deployment.settings
    loaded: Settings | None = getattr(args, "_settings", None)
    if loaded is None:
        try:
            loaded = load_settings(resolve_config_path(getattr(args, "config", None)))
        except ConfigError as error:
            raise CliError(t("error.bad_config", detail=error), exit_code=2) from error
        args._settings = loaded
    return loaded


def os_user(args: argparse.Namespace) -> str:
    """The login of the user running this process, as the kernel knows them (on a shared server,
    as sudo recorded them)."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.identity import IdentityError, process_user

    deployment = server(args)
    try:
        return process_user(deployment.server if deployment else None)
    except IdentityError as error:
        raise CliError(str(error)) from error


def current_identity(args: argparse.Namespace, conn: sqlite3.Connection) -> Identity:
    """The agent this command acts as (OS user, or `--agent` for supervisors and admins)."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.identity import IdentityError, resolve_identity

    try:
        identity = resolve_identity(conn, os_user(args), getattr(args, "agent", None))
    except IdentityError as error:
        raise CliError(str(error)) from error
    if getattr(args, "command", None) not in (None, "app") and not getattr(
        args, "audit_verify", None
    ):
        warn_if_tampered(conn, identity)
    return identity


@contextmanager
def importing(conn: sqlite3.Connection) -> Iterator[None]:
    """Run an import on `conn`, closed at the end: its refusals become the user's errors (a bad
    file, a role that may not import, a database another writer kept too long)."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.importing.opening import ImportFileError
    from relance_tui.services.permissions import NotAllowedError

    try:
        yield
    except (ImportFileError, NotAllowedError) as error:
        raise CliError(str(error)) from error
    except sqlite3.OperationalError as error:
        raise CliError(t("import.cli.database_busy", detail=error)) from error
    finally:
        conn.close()


def warn_if_tampered(conn: sqlite3.Connection, identity: Identity) -> None:
    """Tell a supervisor or an admin on stderr when the audit chain broke since its checkpoint
    (the TUI tells them in a notification instead)."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.audit_chain import describe, startup_check

    broken = startup_check(conn, identity.agent)
    if broken is not None:
        message = t("audit_chain.broken", id=broken.event_id, reason=describe(broken))
        print(t("audit_chain.warning", message=message), file=sys.stderr)
