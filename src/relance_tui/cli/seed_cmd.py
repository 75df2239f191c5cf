"""`relance seed`: fill a database with a synthetic French portfolio (tests, demos, load tests)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from relance_tui.cli import common
from relance_tui.i18n import t, t_key

MAX_ROWS = 100_000_000


def register(subparsers: Any) -> None:
    parser = common.command(subparsers, "seed", t("cli.seed.help"), epilog=t("cli.seed.epilog"))
    rows = common.integer(1, MAX_ROWS)
    parser.add_argument(
        "--debtors", type=rows, default=1000, metavar="N", help=t("cli.seed.debtors")
    )
    parser.add_argument(
        "--invoices", type=rows, default=10_000, metavar="N", help=t("cli.seed.invoices")
    )
    parser.add_argument(
        "--seed", type=common.integer(0), default=1, metavar="N", help=t("cli.seed.seed")
    )
    parser.add_argument(
        "--today",
        type=_iso_date,
        default=None,
        metavar=t("cli.metavar.iso_date"),
        help=t("cli.seed.today"),
    )
    parser.add_argument("--force", action="store_true", help=t("cli.seed.force"))
    parser.add_argument(
        "--force-overwrite",
        type=Path,
        metavar=t("cli.metavar.path"),
        help=t("cli.seed.force_overwrite"),
    )
    parser.add_argument(
        "--agents", type=common.integer(1, 10_000), metavar="N", help=t("seed.help_agents")
    )
    parser.add_argument(
        "--history-days",
        type=common.integer(1, 3660),
        default=0,
        metavar="N",
        help=t("seed.help_history_days"),
    )
    parser.add_argument("--quiet", action="store_true", help=t("cli.seed.quiet"))
    parser.set_defaults(handler=run)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("seed.error.date", value=text)) from None


def _clear_the_way(args: argparse.Namespace, path: Path) -> None:
    """An existing database: its admin may seed it, and delete it first when asked to."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.permissions import NotAllowedError
    from relance_tui.services.seed.target import SeedRefused, must_replace
    from relance_tui.storage.db import database_files

    conn = common.open_db(args)
    try:
        actor = common.current_identity(args, conn).agent
        replace = must_replace(conn, actor, path, force=args.force, overwrite=args.force_overwrite)
    except (NotAllowedError, SeedRefused) as error:
        raise common.CliError(str(error)) from error
    finally:
        conn.close()
    if replace:
        for file in database_files(path):
            file.unlink(missing_ok=True)


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.formatting import PARIS
    from relance_tui.services.seed.build import SeedError, seed_database

    path = common.db_path(args)
    os_user = common.os_user(args)
    if os.path.lexists(path):
        _clear_the_way(args, path)
    today: date = args.today or _paris_today(PARIS)
    started = time.perf_counter()

    def progress(step: str) -> None:
        if not args.quiet:
            print(t("seed.progress", step=step), file=sys.stderr, flush=True)

    conn = common.open_db(args, create=True)
    try:
        try:
            summary = seed_database(
                conn,
                debtors=args.debtors,
                invoices=args.invoices,
                seed=args.seed,
                today=today,
                progress=progress,
                admin=os_user,
                agents=args.agents,
                history_days=args.history_days,
            )
        except SeedError as error:
            raise common.CliError(t_key(error.key, path=path)) from error
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    print(
        t(
            "seed.done",
            path=path,
            debtors=summary.debtors,
            invoices=summary.invoices,
            cases=summary.open_cases,
            agents=summary.agents,
            seconds=f"{elapsed:.1f}",
        )
    )
    print(
        t(
            "seed.details",
            contacts=summary.contacts,
            phones=summary.phones,
            invalid=summary.invalid_phones,
            payments=summary.payments,
            interactions=summary.interactions,
            promises=sum(summary.promises.values()),
            disputes=summary.disputes,
            callbacks=summary.callbacks,
        )
    )
    print(t("seed.open_hint", path=path, user=os_user))
    return common.EXIT_OK


def _paris_today(zone: Any) -> date:
    return datetime.now(zone).date()
