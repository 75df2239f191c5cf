"""`relance dunning [--date D] [--dry-run] [--segment S] [--approve] [--json]`: the daily batch.

Lists every case's due step with a count and a total per kind, then performs them (e-mails
sent, letters written, calls put in the queue) — with `--approve` when the configuration asks
for a supervisor's approval (the default). `--settle ID sent|unsent` settles an e-mail a dead
batch left uncertain.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from typing import Any

from relance_tui.cli import common
from relance_tui.cli.output import json_text
from relance_tui.i18n import t

SEGMENTS = ("large_account", "multi_site", "sme", "public_body", "consumer")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("dunning", help=t("dunning.cli.help"))
    common.add_db_option(parser)
    parser.add_argument("--date", metavar=t("cli.metavar.iso_date"), help=t("dunning.cli.date"))
    parser.add_argument("--dry-run", action="store_true", help=t("dunning.cli.dry_run"))
    parser.add_argument("--segment", choices=SEGMENTS, help=t("dunning.cli.segment"))
    parser.add_argument("--approve", action="store_true", help=t("dunning.cli.approve"))
    parser.add_argument("--json", action="store_true", help=t("dunning.cli.json"))
    parser.add_argument(
        "--settle",
        nargs=2,
        metavar=(t("cli.metavar.id"), "sent|unsent"),
        help=t("dunning.cli.settle"),
    )
    parser.add_argument(
        "--hold", nargs=2, metavar=("REF", t("dunning.cli.reason")), help=t("dunning.cli.hold")
    )
    parser.add_argument("--release", metavar="REF", help=t("dunning.cli.release"))
    parser.set_defaults(handler=run)


def _today(value: str | None) -> date:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.clock import business_day

    if not value:
        return business_day(datetime.now(UTC))
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise common.CliError(t("dunning.cli.bad_date", value=value), common.EXIT_USAGE)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.dunning_batch import json_report, run_batch
    from relance_tui.services.dunning_review import (
        hold_next_step,
        release_steps,
        settle_uncertain,
    )
    from relance_tui.services.letters import TemplateError
    from relance_tui.services.permissions import NotAllowedError
    from relance_tui.storage.dunning import case_id_for

    settings = common.settings(args)
    conn = common.open_db(args)
    me = common.current_identity(args, conn).agent
    try:
        if args.settle:
            step, verdict = args.settle
            if not step.isdigit() or verdict not in ("sent", "unsent"):
                raise common.CliError(t("dunning.cli.bad_settle"), common.EXIT_USAGE)
            if not settle_uncertain(conn, int(step), sent=verdict == "sent", login=me.login):
                raise common.CliError(t("dunning.cli.not_uncertain", id=step))
            print(t("dunning.settled", id=step))
            return common.EXIT_OK
        if args.hold or args.release:
            reference = args.hold[0] if args.hold else args.release
            case_id = case_id_for(conn, reference)
            if case_id is None:
                raise common.CliError(t("case_cli.unknown", reference=reference))
            if args.release:
                count = release_steps(conn, case_id, login=me.login)
                print(t("dunning.released", reference=reference, count=count))
                return common.EXIT_OK
            held = hold_next_step(
                conn, case_id, reason=args.hold[1], today=_today(args.date), settings=settings,
                login=me.login,
            )  # fmt: skip
            if held is None:
                raise common.CliError(t("dunning.nothing_to_hold", reference=reference))
            print(t("dunning.step_held", reference=reference, step=held))
            return common.EXIT_OK
        needs_approval = settings.dunning.require_approval and not args.approve
        perform = not args.dry_run and not needs_approval
        report = run_batch(
            conn,
            today=_today(args.date),
            settings=settings,
            login=me.login,
            segment=args.segment,
            perform=perform,
        )
    except (NotAllowedError, TemplateError) as error:
        raise common.CliError(str(error)) from error
    finally:
        conn.close()
    if args.json:
        print(json_text(json_report(report), indent=2))
        return common.EXIT_OK if not report.failed else common.EXIT_BAD_INPUT
    print_report(report, performed=perform, needs_approval=needs_approval and not args.dry_run)
    return common.EXIT_OK if not report.failed else common.EXIT_BAD_INPUT


def print_report(report: Any, *, performed: bool, needs_approval: bool) -> None:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.enums import Stage
    from relance_tui.domain.labels import STAGE_KEYS
    from relance_tui.formatting import day, money
    from relance_tui.services.dunning_batch import BATCH_KIND_KEYS, totals

    lines: list[str] = []
    stages = {stage: t(STAGE_KEYS[stage]) for stage in Stage}
    kinds = {channel: t(BATCH_KIND_KEYS[channel]) for channel in BATCH_KIND_KEYS}
    close = " " + t("dunning.prescription_flag")
    for step in report.due:
        label = stages[step.step.step]  # (a StrEnum finds its str)
        lines.append(
            f"{step.reference:<12} {step.name[:34]:<34} {label:<28}"
            f" {kinds[step.step.channel]:<22} {day(step.due_on)} "
            f"{money(step.amount_cents):>14}{close if step.prescription_close else ''}"
        )
    if lines:  # one write: the inert filter runs once over the whole list
        sys.stdout.write("\n".join(lines) + "\n")
    for channel, total in totals(report.due).items():
        if total.count:
            print(t("dunning.total", kind=t(BATCH_KIND_KEYS[channel]), count=total.count,
                    amount=money(total.cents)))  # fmt: skip
    if not report.due:
        print(t("dunning.nothing_due"))
    for row in report.uncertain:
        print(t("dunning.uncertain", id=row["id"], key=row["key"], message_id=row["message_id"]))
    if needs_approval and report.due:
        print(t("dunning.awaiting_approval", count=len(report.due)))
    if not performed:
        return
    print(t("dunning.done", performed=len(report.performed), failed=len(report.failed),
            taken=report.taken, cancelled=report.cancelled))  # fmt: skip
    for step, why in report.failed:
        print(t("dunning.failed", reference=step.reference, detail=why))
    if report.merged:
        print(t("dunning.merged", path=report.merged))
