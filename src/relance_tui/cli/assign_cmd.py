"""`relance assign`: supervisors move cases between agents, one case or in bulk."""

from __future__ import annotations

import argparse
from typing import Any

from relance_tui.cli import common


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "assign", help="reassign cases to an agent (supervisors): --case ID… or --from LOGIN"
    )
    common.add_db_option(parser)
    parser.add_argument("--to", required=True, metavar="LOGIN", help="the agent who takes them")
    parser.add_argument("--case", type=int, action="append", default=[], metavar="ID")
    parser.add_argument("--from", dest="from_agent", metavar="LOGIN", help="all of this agent's")
    parser.add_argument("--segment", help="only cases of this segment (with --from)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from relance_tui.i18n import t, tn
    from relance_tui.storage import agents, assignment
    from relance_tui.storage.db import transaction

    if not args.case and not args.from_agent:
        raise common.CliError(t("assign.what"), exit_code=2)
    conn = common.open_db(args)
    identity = common.current_identity(args, conn)
    if not identity.agent.sees_everyone:
        raise common.CliError(t("assign.supervisors_only"))
    target = agents.get_agent(conn, args.to)
    if target is None or not target.active:
        raise common.CliError(t("agents.not_found", login=args.to))
    source_id = None
    if args.from_agent:
        source = agents.get_agent(conn, args.from_agent)
        if source is None:
            raise common.CliError(t("agents.not_found", login=args.from_agent))
        source_id = source.id
    with transaction(conn):
        cases = assignment.select_cases(
            conn, case_ids=args.case, from_agent_id=source_id, segment=args.segment
        )
        missing = sorted(set(args.case) - {case_id for case_id, _ in cases})
        if missing:
            raise common.CliError(t("assign.unknown_cases", ids=", ".join(map(str, missing))))
        moved = assignment.reassign(conn, cases, target.id, by=identity.agent.login)
    print(tn("assign.done", moved, login=target.login))
    return common.EXIT_OK
