"""`relance audit [--agent A] [--case C] [--since D] [--json]`: the append-only trail of writes."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import datetime
from typing import Any

from relance_tui.cli import common
from relance_tui.cli.output import json_text
from relance_tui.i18n import t


def register(subparsers: Any) -> None:
    parser = common.command(subparsers, "audit", t("cli.audit.help"))
    login = t("cli.metavar.login")
    parser.add_argument("--agent", dest="audit_agent", metavar=login, help=t("cli.audit.agent"))
    parser.add_argument(
        "--case", type=common.integer(), metavar=t("cli.metavar.id"), help=t("cli.audit.case")
    )
    parser.add_argument("--since", metavar=t("cli.metavar.date"), help=t("cli.audit.since"))
    parser.add_argument(
        "--limit", type=common.integer(1, common.MAX_COUNT), metavar="N", help=t("cli.audit.limit")
    )
    parser.add_argument("--json", action="store_true", help=t("cli.audit.json"))
    parser.set_defaults(handler=run)


def _parse_since(value: str) -> str:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    raise common.CliError(t("audit.bad_since", value=value), exit_code=2)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.formatting import moment

    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.audit import read_audit

    since = _parse_since(args.since) if args.since else None
    conn = common.open_db(args)
    viewer = common.current_identity(args, conn).agent
    printed = 0
    for event in read_audit(
        conn, viewer, agent=args.audit_agent, case_id=args.case, since=since, limit=args.limit
    ):
        printed += 1
        if args.json:
            print(json_text(asdict(event)))
            continue
        change = ""
        if event.before or event.after:
            change = f"  {event.before or '∅'} → {event.after or '∅'}"
        detail = f"  {event.detail}" if event.detail else ""
        print(f"{moment(event.at)}  {event.agent:<12} {event.action:<20} "
              f"{event.entity}#{event.entity_id}{change}{detail}")  # fmt: skip
    if not printed and not args.json:
        print(t("audit.none"))
    return common.EXIT_OK
