"""`relance demo`: open the app on a demo database built from the fixture CSV files."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from relance_tui.cli import common
from relance_tui.i18n import t


def register(subparsers: Any) -> None:
    parser = common.command(
        subparsers, "demo", t("cli.demo.help"), epilog=t("cli.demo.epilog"), db=False
    )
    parser.add_argument("--reset", action="store_true", help=t("cli.demo.reset"))
    parser.add_argument("--no-open", action="store_true", help=t("cli.demo.no_open"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.cli.app_cmd import open_app
    from relance_tui.formatting import PARIS
    from relance_tui.services.seed.demo import (
        DemoError,
        demo_db_path,
        ensure_demo_database,
        is_built,
        remove_database,
    )

    common.refuse_on_server(args)
    path = demo_db_path()
    if args.reset:
        remove_database(path)
    if not is_built(path):
        print(t("demo.building", path=path), file=sys.stderr, flush=True)
    try:
        ensure_demo_database(path, today=datetime.now(PARIS).date(), os_user=common.os_user(args))
    except DemoError as error:
        raise common.CliError(str(error)) from error
    if args.no_open:
        print(path)
        return common.EXIT_OK
    return open_app(path, args)
