"""`relance rates [--json]`: the interest rate table in use, and the half-years it lacks."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from relance_tui.cli import common
from relance_tui.cli.output import json_text
from relance_tui.i18n import t


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("rates", help=t("rates.cli.help"))
    common.add_display_options(parser)
    parser.add_argument("--json", action="store_true", help=t("rates.cli.json"))
    parser.set_defaults(handler=run)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.config import resolve_config_path
    from relance_tui.domain.penalties import (
        B2B_MARGIN,
        CONTRACT_FLOOR_FACTOR,
        PUBLIC_MARGIN,
        RateTableError,
        semester_label,
    )
    from relance_tui.formatting import rate
    from relance_tui.services.penalties import rate_table, rates_path

    common.settings(args)  # a bad --config is reported like everywhere else
    config = resolve_config_path(getattr(args, "config", None))
    path = rates_path(config)
    try:
        table = rate_table(config)
    except RateTableError as error:
        raise common.CliError(t("rates.bad_table", detail=error)) from error
    missing = table.missing(date.today())
    if args.json:
        rows = [
            {
                "half_year": semester_label(row.start),
                "start": row.start.isoformat(),
                "ecb_mro": str(row.ecb_mro),
                "b2b": str(row.late_payment),
                "public_body": str(row.ecb_mro + PUBLIC_MARGIN),
                "legal_private_creditor": _text(row.legal_private),
                "legal_other": _text(row.legal_other),
                "contract_floor": _text(
                    None if row.legal_other is None else row.legal_other * CONTRACT_FLOOR_FACTOR
                ),
                "confirmed": row.confirmed,
            }
            for row in table.rows
        ]
        print(
            json_text(
                {
                    "source": str(path) if path.exists() else "built-in",
                    "rows": rows,
                    "missing": [semester_label(day) for day in missing],
                },
                indent=2,
            )
        )
        return common.EXIT_OK
    source = t("rates.source_user", path=path) if path.exists() else t("rates.source_builtin")
    print(source)
    print(t("rates.rules", b2b=int(B2B_MARGIN), public=int(PUBLIC_MARGIN)))
    header = (
        t("rates.col.half_year"),
        t("rates.col.ecb"),
        t("rates.col.b2b"),
        t("rates.col.public"),
        t("rates.col.legal_private"),
        t("rates.col.legal_other"),
        t("rates.col.floor"),
        "",
    )
    lines = [header]
    for row in table.rows:
        lines.append(
            (
                semester_label(row.start),
                rate(row.ecb_mro),
                rate(row.late_payment),
                rate(row.ecb_mro + PUBLIC_MARGIN),
                "—" if row.legal_private is None else rate(row.legal_private),
                "—" if row.legal_other is None else rate(row.legal_other),
                "—" if row.legal_other is None else rate(row.legal_other * CONTRACT_FLOOR_FACTOR),
                "" if row.confirmed else t("rates.unconfirmed"),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        print("  ".join(cells).rstrip())
    if missing:
        print(t("rates.missing", half_years=", ".join(semester_label(day) for day in missing)))
        print(t("rates.how_to_update", path=path))
    else:
        print(t("rates.complete"))
    return common.EXIT_OK
