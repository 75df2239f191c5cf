"""`relance import statement FILE`: a bank statement (CFONB 120, camt.053, MT940) whose credits
are matched to invoices. Reached through `relance import` (its kind `statement`)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from relance_tui.cli import common
from relance_tui.i18n import t, tn


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.domain.matching import MATCH_RULE_KEYS
    from relance_tui.formatting import money
    from relance_tui.services.statements.landing import import_statement

    if not args.file.exists():
        raise common.CliError(t("error.file_not_found", path=args.file))
    conn = common.open_db(args)
    with common.importing(conn):
        identity = common.current_identity(args, conn)
        report = import_statement(
            conn,
            args.file,
            agent=identity.agent.login,
            settings=common.settings(args),
            now=datetime.now(UTC),
        )
    print(
        t(
            "statement.cli.summary",
            file=report.path.name,
            statements=tn("statement.cli.statements", report.statements),
            movements=tn("statement.cli.movements", report.movements),
            known=tn("statement.cli.known", report.known),
        )
    )
    matched = sum(report.matched.values())
    print(
        t(
            "statement.cli.matched",
            matched=tn("statement.cli.credits", matched),
            amount=money(report.matched_cents),
            unmatched=tn("statement.cli.unmatched", report.unmatched),
            unmatched_amount=money(report.unmatched_cents),
        )
    )
    for rule, count in sorted(report.matched.items()):
        print(f"  {t(MATCH_RULE_KEYS[rule])} : {count}")
    if report.credit_cents:
        print(t("statement.cli.credit", amount=money(report.credit_cents)))
    return common.EXIT_OK
