"""`relance letters make REF [--kind K]`, `relance letters lrar REFERENCE NUMBER`,
`relance letters ack NUMBER DATE`: a letter by hand, and the registered letters' tracking."""

from __future__ import annotations

import argparse
from typing import Any

from relance_tui.cli import common
from relance_tui.i18n import t

KINDS = (
    "pre_reminder", "friendly_reminder", "second_reminder", "registered_reminder",
    "formal_notice", "formal_notice_consumer", "consumer_agency_first", "plan_confirmation",
    "promise_confirmation", "injonction_file",
)  # fmt: skip


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("letters", help=t("letters.cli.help"))
    common.add_db_option(parser)
    actions = parser.add_subparsers(dest="letters_action", metavar="ACTION", required=True)
    make = actions.add_parser("make", help=t("letters.cli.make"))
    common.add_db_option(make)
    make.add_argument("reference", metavar="REF", help=t("case_cli.reference"))
    make.add_argument(
        "--kind", choices=KINDS, metavar=t("cli.metavar.kind"), help=t("letters.cli.kind")
    )
    lrar = actions.add_parser("lrar", help=t("letters.cli.lrar"))
    common.add_db_option(lrar)
    lrar.add_argument("letter", metavar="REFERENCE", help=t("letters.cli.letter"))
    lrar.add_argument(
        "number", metavar=t("letters.cli.number_metavar"), help=t("letters.cli.number")
    )
    ack = actions.add_parser("ack", help=t("letters.cli.ack"))
    common.add_db_option(ack)
    ack.add_argument(
        "number", metavar=t("letters.cli.number_metavar"), help=t("letters.cli.number")
    )
    ack.add_argument("day", metavar=t("cli.metavar.date"), help=t("letters.cli.day"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.cli.dunning_cmd import _today
    from relance_tui.services import letter_actions
    from relance_tui.services.dunning_batch import letters_folder
    from relance_tui.services.letters import TemplateError
    from relance_tui.services.permissions import NotAllowedError
    from relance_tui.storage.dunning import case_id_for

    settings = common.settings(args)
    conn = common.open_db(args)
    me = common.current_identity(args, conn).agent
    try:
        if args.letters_action == "make":
            case_id = case_id_for(conn, args.reference)
            if case_id is None:
                raise common.CliError(t("case_cli.unknown", reference=args.reference))
            made = letter_actions.produce_letter(
                conn, case_id, today=_today(None), settings=settings, login=me.login,
                folder=letters_folder(settings), kind=args.kind,
            )  # fmt: skip
            print(made.preview)
            print(t("letters.made", path=made.path, reference=made.reference))
        elif args.letters_action == "lrar":
            if not letter_actions.record_lrar(conn, args.letter, args.number, login=me.login):
                raise common.CliError(t("letters.unknown_letter", reference=args.letter))
            print(t("letters.lrar_recorded", number=args.number, reference=args.letter))
        else:
            day = _today(args.day)
            if not letter_actions.record_acknowledgment(conn, args.number, day, login=me.login):
                raise common.CliError(t("letters.unknown_number", number=args.number))
            print(t("letters.ack_recorded", number=args.number, day=day.strftime("%d/%m/%Y")))
    except (NotAllowedError, TemplateError, letter_actions.LetterError) as error:
        raise common.CliError(str(error)) from error
    finally:
        conn.close()
    return common.EXIT_OK
