"""`relance report daily|portfolio|promises`: the supervisor screen's figures, as text, CSV
(French Excel: `;`, UTF-8 with a BOM, `1 234,56`, `dd/mm/yyyy`) or JSON."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from relance_tui.cli import common
from relance_tui.cli.output import json_text, terminal
from relance_tui.i18n import t

if TYPE_CHECKING:
    from relance_tui.services.reports.tables import Table

FORMATS = ("table", "csv", "json")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("report", help=t("report.help"))
    kinds = parser.add_subparsers(dest="report_kind", metavar="REPORT", required=True)
    daily = kinds.add_parser("daily", help=t("report.help_daily"))
    daily.add_argument("--date", type=parse_day, metavar="DATE", help=t("report.help_date"))
    daily.add_argument("--from", dest="first", type=parse_day, metavar="DATE",
                       help=t("report.help_from"))  # fmt: skip
    daily.add_argument("--to", dest="last", type=parse_day, metavar="DATE",
                       help=t("report.help_to"))  # fmt: skip
    daily.add_argument("--agent", dest="report_agent", metavar="LOGIN",
                       help=t("report.help_agent"))  # fmt: skip
    portfolio = kinds.add_parser("portfolio", help=t("report.help_portfolio"))
    portfolio.add_argument("--date", type=parse_day, metavar="DATE", help=t("report.help_date"))
    promises = kinds.add_parser("promises", help=t("report.help_promises"))
    promises.add_argument("--date", type=parse_day, metavar="DATE", help=t("report.help_date"))
    for sub in (daily, portfolio, promises):
        common.add_db_option(sub)
        sub.add_argument("--format", choices=FORMATS, default="table", help=t("report.help_format"))
        sub.set_defaults(handler=run)


def parse_day(value: str) -> date:
    """`YYYY-MM-DD` or `DD/MM/YYYY`."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(t("report.bad_date", value=value))


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.clock import business_day
    from relance_tui.services.permissions import NotAllowedError
    from relance_tui.services.reports import activity, portfolio, tables

    now = datetime.now(UTC)
    today = business_day(now)
    conn = common.open_db(args)
    try:
        viewer = common.current_identity(args, conn).agent
        try:
            if args.report_kind == "daily":
                first, last = _period(args, today)
                lines = activity.agent_figures(
                    conn, viewer, first=first, last=last, now=now, agent=args.report_agent
                )
                if args.report_agent and not lines:
                    raise common.CliError(t("report.unknown_agent", login=args.report_agent))
                table = tables.daily_table(lines, activity.total(lines))
                _print_daily(table, args.format, first, last)
            elif args.report_kind == "portfolio":
                figures = portfolio.portfolio_figures(conn, viewer, today=args.date or today)
                _print(
                    [tables.portfolio_table(figures), tables.top_table(figures)],
                    args.format,
                    title=t(
                        "report.portfolio_title", day=(args.date or today).strftime("%d/%m/%Y")
                    ),
                )
            else:
                lines_p = portfolio.promises_per_agent(conn, viewer, today=args.date or today)
                _print(
                    [tables.promises_table(lines_p)],
                    args.format,
                    title=t("report.promises_title", first=lines_p[0][1].first.strftime("%d/%m/%Y"),
                            last=lines_p[0][1].last.strftime("%d/%m/%Y")),
                )  # fmt: skip
        except NotAllowedError as error:
            raise common.CliError(str(error)) from error
    finally:
        conn.close()
    return common.EXIT_OK


def _period(args: argparse.Namespace, today: date) -> tuple[date, date]:
    if args.date and (args.first or args.last):
        raise common.CliError(t("report.date_or_period"), common.EXIT_USAGE)
    if args.date:
        return args.date, args.date
    first = args.first or args.last or today
    last = args.last or (today if args.first else first)
    if last < first:
        raise common.CliError(t("report.period_backwards"), common.EXIT_USAGE)
    return first, last


def _print_daily(table: Table, fmt: str, first: date, last: date) -> None:
    if fmt == "json":
        # Deferred: each sub-command loads only what it runs.
        from relance_tui.services.reports.tables import table_json

        rows = table_json(table)
        assert isinstance(rows, list)
        total = {k: v for k, v in rows[-1].items() if k not in ("agent", "name")}
        payload = {"from": first.isoformat(), "to": last.isoformat(), "agents": rows[:-1]}
        print(json_text({**payload, "total": total}, indent=2))
        return
    if fmt == "csv":
        _print([table], fmt, title="")
        return
    # Agents across, figures down: the figures read down a column at 80 columns.
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.reports.tables import cell_text

    span = first.strftime("%d/%m/%Y")
    if last != first:
        span += " – " + last.strftime("%d/%m/%Y")
    print(t("report.daily_title", period=span))
    texts = table.texts(cell_text)
    header = [""] + [row[0] for row in texts]
    body = [[col.title] + [row[n] for row in texts] for n, col in enumerate(table.columns) if n > 1]
    print(_aligned([header, *body], left={0}))


def _print(tables: list[Table], fmt: str, *, title: str) -> None:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.reports.tables import cell_text, csv_text, table_json
    from relance_tui.services.spreadsheet import SpreadsheetWriter

    if fmt == "json":
        data = [table_json(table) for table in tables]
        print(json_text(data[0] if len(data) == 1 else data, indent=2))
        return
    if fmt == "csv":
        terminal(sys.stdout).write("\ufeff")
        writer = SpreadsheetWriter(sys.stdout, delimiter=";", lineterminator="\n")
        for n, table in enumerate(tables):
            if n:
                writer.writerow([])
            writer.writerow([col.title for col in table.columns])
            for row in table.texts(csv_text):
                writer.writerow(row)
        return
    print(title)
    for table in tables:
        print()
        left = {n for n, col in enumerate(table.columns) if col.kind == "text"}
        if table.value_kinds:
            left = {0}
        print(_aligned([[col.title for col in table.columns], *table.texts(cell_text)], left=left))


def _aligned(rows: list[list[str]], *, left: set[int]) -> str:
    """Columns padded to their widest cell; those in `left` flush left, numbers flush right."""
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(width) if n in left else cell.rjust(width)
            for n, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
