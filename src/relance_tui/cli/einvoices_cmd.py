"""`relance import einvoices PATH…`: Factur-X PDFs, CII and UBL XML files, or folders of them
(services/importing/einvoices.py). Reached through `relance import` (its kind `einvoices`)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from relance_tui.cli import common
from relance_tui.i18n import t, tn

if TYPE_CHECKING:
    from relance_tui.config import Settings
    from relance_tui.services.importing.einvoices import EInvoiceReport


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.importing.after import settle_after_import
    from relance_tui.services.importing.einvoices import import_einvoices

    paths: list[Path] = [args.file, *args.more]
    settings = common.settings(args)
    conn = common.open_db(args)
    with common.importing(conn):
        identity = common.current_identity(args, conn)
        report = import_einvoices(
            conn,
            paths,
            agent=identity.agent.login,
            now=datetime.now(UTC),
            creditor_siren=creditor_siren(settings),
        )
        settle_after_import(conn, settings, datetime.now(UTC))
    print_report(report)
    return common.EXIT_OK


def creditor_siren(settings: Settings) -> str:
    """Our SIREN, that e-invoices' seller must have ("" for an agency collecting for others)."""
    creditor = settings.dunning.creditor
    return "" if creditor.agency else creditor.siren.replace(" ", "")


def print_report(report: EInvoiceReport) -> None:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.formatting import money

    for note in report.notes:
        print(t("import.cli.warning", text=note))
    print(
        t(
            "einvoices.cli.summary",
            files=tn("einvoices.cli.files", report.files),
            invoices=tn("einvoices.cli.invoices", report.invoices),
            credit_notes=tn("einvoices.cli.credit_notes", report.credit_notes),
            debtors=tn("einvoices.cli.debtors", report.debtors),
            known=tn("einvoices.cli.known", report.known),
        )
    )
    print(t("einvoices.cli.money", owed=money(report.owed_cents),
            credited=money(report.credited_cents)))  # fmt: skip
    if report.credit_left_cents:
        print(t("einvoices.cli.credit_left", amount=money(report.credit_left_cents)))
