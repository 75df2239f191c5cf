"""`relance init`: create a new, empty database; the user running it becomes its admin."""

from __future__ import annotations

import argparse
import os
from typing import Any

from relance_tui.cli import common
from relance_tui.i18n import t


def register(subparsers: Any) -> None:
    parser = common.command(subparsers, "init", t("cli.init.help"), epilog=t("cli.init.epilog"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.identity import IdentityError, make_first_admin

    path = common.db_path(args)
    if os.path.lexists(path):
        raise common.CliError(t("init.exists", path=path))
    login = common.os_user(args)
    conn = common.open_db(args, create=True)
    try:
        make_first_admin(conn, login)
    except IdentityError as error:
        raise common.CliError(str(error)) from error
    finally:
        conn.close()
    print(t("init.done", path=path, login=login))
    return common.EXIT_OK
