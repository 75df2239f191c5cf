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
    path = common.db_path(args)
    common.open_db(args).close()  # create and migrate before the UI starts, errors on stderr
    return open_app(path, args)


def open_app(path: Any, args: argparse.Namespace) -> int:
    from relance_tui.tui.app import RelanceApp

    app = RelanceApp(
        db_path=path, agent_login=common.agent_login(args), settings=common.settings(args)
    )
    app.run()
    return int(app.return_code or 0)
