"""`relance` / `relance app`: open the TUI on a database."""

from __future__ import annotations

import argparse
from typing import Any

from relance_tui.cli import common


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("app", help="open the application (the default command)")
    common.add_db_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return open_app(common.db_path(args), args)


def open_app(path: Any, args: argparse.Namespace) -> int:
    """Check the database and who is asking before the UI starts, so errors land on stderr."""
    args.db = str(path)
    settings = common.settings(args)
    conn = common.open_db(args)
    try:
        login = common.current_identity(args, conn).agent.login
    finally:
        conn.close()
    from relance_tui.tui.app import RelanceApp

    app = RelanceApp(db_path=path, agent_login=login, settings=settings)
    app.run()
    return int(app.return_code or 0)
