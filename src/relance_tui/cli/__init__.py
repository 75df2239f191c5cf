"""The `relance` command. Each sub-command lives in its own module with `register(subparsers)`.

Keep this import-light: `relance` with no sub-command opens the TUI, and start-up time counts.
Command modules import services inside their handlers, not at module level.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from relance_tui import i18n
from relance_tui.cli import common
from relance_tui.cli.common import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_BAD_INPUT", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.cli import (
        agents_cmd,
        app_cmd,
        assign_cmd,
        audit_cmd,
        demo_cmd,
        import_cmd,
        init_cmd,
        queue_cmd,
        seed_cmd,
    )

    parser = argparse.ArgumentParser(
        prog="relance",
        description="Relance de factures impayées — collection of unpaid invoices.",
    )
    common.add_global_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (
        app_cmd,
        init_cmd,
        demo_cmd,
        seed_cmd,
        import_cmd,
        agents_cmd,
        assign_cmd,
        audit_cmd,
        queue_cmd,
    ):
        module.register(subparsers)
    parser.set_defaults(handler=app_cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from relance_tui.cli.output import InertStream  # deferred like the sub-commands' imports

    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = InertStream(out), InertStream(err)
    try:
        return _run(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        i18n.set_language(
            i18n.detect_language(getattr(args, "lang", None), common.settings(args).language)
        )
        result: int = args.handler(args)
    except common.CliError as error:
        print(f"relance: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    return result
