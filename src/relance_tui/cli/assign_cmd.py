"""`relance assign`: supervisors move cases between agents, one case or in bulk."""

from __future__ import annotations

import argparse
from typing import Any

from relance_tui.cli import common
from relance_tui.i18n import t, tn


def register(subparsers: Any) -> None:
    parser = common.command(subparsers, "assign", t("cli.assign.help"))
    login = t("cli.metavar.login")
    parser.add_argument("--to", required=True, metavar=login, help=t("cli.assign.to"))
    parser.add_argument(
        "--case",
        type=common.integer(),
        action="append",
        default=[],
        metavar=t("cli.metavar.id"),
        help=t("cli.assign.case"),
    )
    parser.add_argument("--from", dest="from_agent", metavar=login, help=t("cli.assign.from"))
    parser.add_argument("--segment", metavar=t("cli.metavar.segment"), help=t("cli.assign.segment"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.reassignment import (
        ReassignmentError,
        reassign_cases,
        reassign_portfolio,
    )

    if not args.case and not args.from_agent:
        raise common.CliError(t("assign.what"), exit_code=2)
    conn = common.open_db(args)
    try:
        by_login = common.current_identity(args, conn).agent.login
        if args.from_agent:
            if args.case:
                raise common.CliError(t("assign.what"), exit_code=2)
            moved = reassign_portfolio(
                conn,
                from_login=args.from_agent,
                to_login=args.to,
                by_login=by_login,
                segment=args.segment,
            )
        else:
            moved = reassign_cases(
                conn, case_ids=args.case, to_login=args.to, by_login=by_login, refuse_missing=True
            )
    except ReassignmentError as error:
        raise common.CliError(str(error)) from error
    finally:
        conn.close()
    print(tn("assign.done", moved, login=args.to))
    return common.EXIT_OK
