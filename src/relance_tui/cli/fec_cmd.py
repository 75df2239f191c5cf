"""`relance import fec FILE`: the receivables of a FEC (services/importing/fec.py). Reached
through `relance import` (its kind `fec`)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from relance_tui.cli import common
from relance_tui.i18n import t, tn


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.formatting import money
    from relance_tui.services.importing.fec import import_fec

    if not args.file.exists():
        raise common.CliError(t("error.file_not_found", path=args.file))
    conn = common.open_db(args)
    with common.importing(conn):
        identity = common.current_identity(args, conn)
        report = import_fec(conn, args.file, agent=identity.agent.login, now=datetime.now(UTC))
    print(
        t(
            "fec.cli.summary",
            file=report.path.name,
            debtors=tn("fec.cli.debtors", report.debtors),
            open=tn("fec.cli.open", report.invoices_open),
            paid=tn("fec.cli.paid", report.invoices_paid),
            payments=tn("fec.cli.payments", report.payments),
            owed=money(report.owed_cents),
        )
    )
    return common.EXIT_OK
