"""`relance penalties waive REF [--invoice N] --reason TEXT`: stop claiming late penalties on a
case's invoices (supervisors and admins; services.penalty_waivers)."""

from __future__ import annotations

import argparse
from typing import Any

from relance_tui.cli import common
from relance_tui.i18n import t


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("penalties", help=t("waiver.cli.help"))
    common.add_db_option(parser)
    actions = parser.add_subparsers(dest="penalties_action", metavar="ACTION", required=True)
    waive = actions.add_parser("waive", help=t("waiver.cli.waive"))
    common.add_db_option(waive)
    waive.add_argument("reference", metavar="REF", help=t("case_cli.reference"))
    waive.add_argument("--invoice", metavar="N", help=t("waiver.cli.invoice"))
    waive.add_argument("--reason", required=True, help=t("waiver.cli.reason"))
    waive.add_argument("--date", metavar=t("cli.metavar.iso_date"), help=t("waiver.cli.date"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.cli.dunning_cmd import _today
    from relance_tui.domain.models import to_cents
    from relance_tui.domain.penalties import RateTableError
    from relance_tui.formatting import money
    from relance_tui.services.penalty_waivers import WaiverError, waive_penalties
    from relance_tui.services.permissions import NotAllowedError
    from relance_tui.storage.dunning import case_id_for

    common.settings(args)
    conn = common.open_db(args)
    me = common.current_identity(args, conn).agent
    try:
        case_id = case_id_for(conn, args.reference)
        if case_id is None:
            raise common.CliError(t("case_cli.unknown", reference=args.reference))
        waived = waive_penalties(
            conn, case_id, reason=args.reason, login=me.login, today=_today(args.date),
            invoice=args.invoice,
        )  # fmt: skip
    except (WaiverError, NotAllowedError, RateTableError) as error:
        raise common.CliError(str(error)) from error
    finally:
        conn.close()
    for item in waived:
        print(t("waiver.done", number=item.number, interest=money(to_cents(item.interest)),
                indemnity=money(to_cents(item.indemnity))))  # fmt: skip
    return common.EXIT_OK
