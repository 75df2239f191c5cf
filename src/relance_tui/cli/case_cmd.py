"""`relance case REF [--json]`: a case file on the command line (debtor, invoices, ladder,
holds, penalties per invoice and in total, prescription)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from relance_tui.cli import common
from relance_tui.cli.output import json_text
from relance_tui.i18n import t

PROMISE_KIND_KEYS = {
    "promise": "casefile.commitment.promise",
    "payment_claimed": "casefile.commitment.payment_claimed",
}
REGIME_KEYS = {
    "b2b": "case_cli.regime.b2b",
    "public_body": "case_cli.regime.public_body",
    "consumer": "case_cli.regime.consumer",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("case", help=t("case_cli.help"))
    common.add_db_option(parser)
    parser.add_argument("reference", metavar="REF", help=t("case_cli.reference"))
    parser.add_argument("--json", action="store_true", help=t("case_cli.json"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.penalties import RateTableError
    from relance_tui.services.case_report import CaseLookupError, case_report
    from relance_tui.services.permissions import NotAllowedError

    conn = common.open_db(args)
    viewer = common.current_identity(args, conn).agent
    try:
        report = case_report(
            conn,
            args.reference,
            viewer=viewer,
            now=datetime.now(UTC),
            settings=common.settings(args),
        )
    except (CaseLookupError, NotAllowedError, RateTableError) as error:
        raise common.CliError(str(error)) from error
    finally:
        conn.close()
    if args.json:
        print(json_text(report, indent=2))
    else:
        print_report(report)
    return common.EXIT_OK


def _money(text: str) -> str:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.models import to_cents
    from relance_tui.formatting import money

    return money(to_cents(Decimal(text)))


def _day(text: str | None) -> str:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.formatting import day

    return day(text) if text else "—"


def print_report(report: dict[str, Any]) -> None:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.labels import SEGMENT_KEYS, STAGE_KEYS

    debtor = report["debtor"]
    print(t("case_cli.title", name=debtor["name"], reference=debtor["reference"],
            case=report["case_id"]))  # fmt: skip
    address = " ".join(x for x in (debtor["address"], debtor["postal_code"], debtor["city"]) if x)
    segment = t(SEGMENT_KEYS[debtor["segment"]])
    print(
        t("case_cli.debtor", segment=segment, siren=debtor["siren"] or "—", address=address or "—")
    )
    if debtor["insolvency_since"]:
        print(t("case_cli.insolvency", day=_day(debtor["insolvency_since"])))
    print(t("case_cli.amounts", overdue=_money(report["overdue"]),
            disputed=_money(report["disputed"]), balance=_money(report["balance"])))  # fmt: skip
    ladder = report.get("ladder")
    if ladder:
        if ladder["step_on"]:
            print(t("case_cli.step", step=ladder["step_label"], on=_day(ladder["step_on"])))
        else:
            print(t("case_cli.step_undated", step=ladder["step_label"]))
        if ladder["next_step"]:
            print(t("case_cli.next_step", step=ladder["next_step_label"],
                    channel=ladder["next_channel_label"], on=_day(ladder["next_on"])))  # fmt: skip
        for hold in ladder["holds"]:
            if hold["until"]:
                print(t("case_cli.hold", reason=hold["reason"], until=_day(hold["until"])))
            else:
                print(t("case_cli.hold_open", reason=hold["reason"]))
    else:
        print(t("case_cli.stage", stage=t(STAGE_KEYS[report["stage"]])))
    print(t("case_cli.invoices"))
    for item in report["invoices"]:
        flags = []
        if item["in_dispute"]:
            flags.append(t("case_cli.flag.dispute"))
        if item["estimated"]:
            flags.append(t("case_cli.flag.estimated"))
        if item["contract_rate_below_floor"]:
            flags.append(t("case_cli.flag.below_floor"))
        line = t("case_cli.invoice", number=item["number"], due=_day(item["due_date"]),
                 amount=_money(item["amount"]), outstanding=_money(item["outstanding"]),
                 days=item["days_late"], interest=_money(item["interest"]),
                 indemnity=_money(item["indemnity"]))  # fmt: skip
        print(line + (f"  [{', '.join(flags)}]" if flags else ""))
    p = report["penalties"]
    if p["applicable"]:
        total = t("case_cli.penalties", regime=t(REGIME_KEYS[p["regime"]]),
                  interest=_money(p["interest"]), indemnities=_money(p["indemnities"]),
                  total=_money(p["total"]))  # fmt: skip
        print(total + (" " + t("case_cli.estimate") if p["estimated"] else ""))
    else:
        print(t("case_cli.no_penalties"))
    for waiver in report["waivers"]:
        print(t("case_cli.waiver", number=waiver["invoice"], day=_day(waiver["on"]),
                by=waiver["by"], interest=_money(waiver["interest"]),
                indemnity=_money(waiver["indemnity"]), reason=waiver["reason"]))  # fmt: skip
    print(t("case_cli.prescription", day=_day(report["prescription_on"])))
    if report["promises"]:
        print(t("promises_partial.cli_title"))
    for promise in report["promises"]:
        status = promise["status_label"] + (f" — {promise['money']}" if promise["money"] else "")
        print(t("promises_partial.cli_line", kind=t(PROMISE_KIND_KEYS[promise["kind"]]),
                amount=_money(promise["amount"]), due=_day(promise["due_date"]),
                status=status))  # fmt: skip
    for warning in report["warnings"]:
        print(f"! {warning}")
