"""The `relance` command. Each sub-command lives in its own module with `register(subparsers)`.

Keep this import-light: `relance` with no sub-command opens the TUI, and start-up time counts.
Command modules import services inside their handlers, not at module level.

Every text of the command line is in the user's language: the language is read from the command
line, the environment and the configuration before the parser is built (help texts are `t(…)`
calls), and argparse's own words go through cli/parser_text.py. See cli/common.py to add a
command.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from relance_tui import i18n
from relance_tui.cli import common
from relance_tui.cli.common import EXIT_BAD_INPUT, EXIT_BROKEN_PIPE, EXIT_OK, EXIT_USAGE
from relance_tui.cli.parser_text import option_value, translated_argparse
from relance_tui.i18n import t

__all__ = ["EXIT_BAD_INPUT", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.cli import (
        admin_cmd,
        agents_cmd,
        app_cmd,
        assign_cmd,
        audit_cmd,
        case_cmd,
        demo_cmd,
        dunning_cmd,
        import_cmd,
        init_cmd,
        letters_cmd,
        penalties_cmd,
        queue_cmd,
        rates_cmd,
        report_cmd,
        seed_cmd,
    )

    parser = argparse.ArgumentParser(prog="relance", description=t("cli.description"))
    common.add_global_options(parser)
    subparsers = parser.add_subparsers(
        title=t("cli.commands"), dest="command", metavar=t("cli.metavar.command")
    )
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
        admin_cmd,
        report_cmd,
        case_cmd,
        dunning_cmd,
        letters_cmd,
        rates_cmd,
        penalties_cmd,
    ):
        module.register(subparsers)
    parser.set_defaults(handler=app_cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Deferred like the sub-commands' imports.
    from relance_tui.cli.output import InertStream

    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = InertStream(out), InertStream(err)
    try:
        code = _run(list(sys.argv[1:] if argv is None else argv))
        sys.stdout.flush()  # a reader that went away is seen here, not at exit
        return code
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=err)
        return 130
    except BrokenPipeError:
        # `relance queue | head`: head has read what it wanted. The rest goes nowhere, quietly.
        _stdout_to_devnull(out)
        return EXIT_BROKEN_PIPE
    finally:
        sys.stdout, sys.stderr = out, err


def _stdout_to_devnull(stream: object) -> None:
    """Point the stdout descriptor at /dev/null, so that the flush at exit fails no more."""
    try:
        fileno = stream.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing is flushed to a pipe at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)


def _run(argv: list[str]) -> int:
    early = common.early_settings(argv)
    configured = early.settings.language if early.settings is not None else None
    i18n.set_language(i18n.detect_language(option_value(argv, "--lang"), configured))
    with translated_argparse():
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as done:  # --help, or a usage error argparse has printed
            return done.code if isinstance(done.code, int) else EXIT_USAGE
    early.remember(args)
    try:
        # `relance admin` does not read the settings: it may be what repairs them.
        reads = getattr(args, "reads_settings", True)
        configured = common.settings(args).language if reads else None
        i18n.set_language(i18n.detect_language(getattr(args, "lang", None), configured))
        result: int = args.handler(args)
    except common.CliError as error:
        print(f"relance: {error}", file=sys.stderr)
        return error.exit_code
    except PermissionError as error:  # a file named on the command line that cannot be read
        print(f"relance: {common.permission_refused(args, error)}", file=sys.stderr)
        return 1
    return result
