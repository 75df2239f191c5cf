"""`relance audit`: the append-only trail of writes, readable: actions in words, debtors'
references and names, euros, one line each (`--full` for everything), newest first.

`--json` keeps the raw events, one JSON object per line, as earlier versions printed them.

`relance audit verify` checks its hash chain instead (cli/audit_verify.py).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from datetime import datetime
from typing import Any

from relance_tui.cli import common
from relance_tui.cli.output import json_text, terminal
from relance_tui.i18n import t

FORMATS = ("table", "csv", "json")


def register(subparsers: Any) -> None:
    parser = common.command(subparsers, "audit", t("cli.audit.help"))
    parser.add_argument(
        "audit_verify", nargs="?", choices=("verify",), metavar="verify",
        help=t("audit_chain.verify_help"),
    )  # fmt: skip
    login = t("cli.metavar.login")
    date = t("cli.metavar.date")
    parser.add_argument("--agent", dest="audit_agent", metavar=login, help=t("cli.audit.agent"))
    parser.add_argument("--case", type=_case, metavar="REF", help=t("cli.audit.case"))
    parser.add_argument("--since", metavar=date, help=t("cli.audit.since"))
    parser.add_argument("--until", metavar=date, help=t("audit.help_until"))
    parser.add_argument("--action", metavar="ACTION", help=t("audit.help_action"))
    parser.add_argument(
        "--limit", type=common.integer(1, common.MAX_COUNT), metavar="N", help=t("cli.audit.limit")
    )
    parser.add_argument("--full", action="store_true", help=t("audit.help_full"))
    parser.add_argument("--oldest-first", action="store_true", help=t("audit.help_oldest_first"))
    parser.add_argument("--format", choices=FORMATS, default="table", help=t("audit.help_format"))
    parser.add_argument("--json", action="store_true", help=t("cli.audit.json"))
    parser.set_defaults(handler=run)


def _case(text: str) -> str:
    """A debtor's reference (C000166) or a case number (a whole number in range)."""
    if text.strip().isdigit():
        return str(common.integer()(text.strip()))
    return text


def _parse_day(value: str, option: str) -> str:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    if option == "--since":
        raise common.CliError(t("audit.bad_since", value=value), exit_code=2)
    raise common.CliError(t("audit.bad_until", value=value), exit_code=2)


def run(args: argparse.Namespace) -> int:
    if args.audit_verify:
        from relance_tui.cli.audit_verify import verify  # deferred like the services below

        return verify(args)
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.audit_lines import UnknownCaseError, audit_lines

    since = _parse_day(args.since, "--since") if args.since else None
    until = _parse_day(args.until, "--until") if args.until else None
    conn = common.open_db(args)
    viewer = common.current_identity(args, conn).agent
    try:
        lines = list(
            audit_lines(
                conn, viewer, agent=args.audit_agent, case=args.case, since=since, until=until,
                action=args.action, newest_first=not args.oldest_first, limit=args.limit,
                full=args.full,
            )
        )  # fmt: skip
    except UnknownCaseError as error:
        raise common.CliError(t("audit.unknown_case", case=str(error))) from error
    finally:
        conn.close()
    if args.json:  # the raw events, as before
        for line in lines:
            if line.id is not None:
                raw = {k: getattr(line, k) for k in ("id", "at", "agent", "action", "entity",
                       "entity_id", "before", "after", "detail")}  # fmt: skip
                print(json_text(raw))
        return common.EXIT_OK
    if args.format == "json":
        keep = ("at", "agent", "action", "label", "reference", "debtor", "case_id", "summary")
        rows = [{k: v for k, v in asdict(line).items() if k in keep} for line in lines]
        print(json_text(rows, indent=2))
        return common.EXIT_OK
    if args.format == "csv":
        _print_csv(lines)
        return common.EXIT_OK
    if not lines:
        print(t("audit.none"))
    for line in lines:
        print(_text(line))
    return common.EXIT_OK


def _text(line: Any) -> str:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.formatting import moment

    case = f"  {line.reference} {line.debtor}" if line.reference else ""
    text = f"  {line.summary}" if line.summary else ""
    return f"{moment(line.at)}  {line.agent:<10} {line.label}{case}{text}"


def _print_csv(lines: list[Any]) -> None:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.formatting import moment
    from relance_tui.services.spreadsheet import SpreadsheetWriter

    terminal(sys.stdout).write("\ufeff")
    writer = SpreadsheetWriter(sys.stdout, delimiter=";", lineterminator="\n")
    header = [t("audit.col.at"), t("audit.col.agent"), t("audit.col.action")]
    header += [t("audit.col.reference"), t("audit.col.debtor"), t("audit.col.summary")]
    writer.writerow(header)
    for line in lines:
        writer.writerow(
            [moment(line.at), line.agent, line.label, line.reference, line.debtor, line.summary]
        )
