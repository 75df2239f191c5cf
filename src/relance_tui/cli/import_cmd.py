"""`relance import invoices|debtors|contacts|payments FILE`: load a CSV export into the database."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from relance_tui.cli import common
from relance_tui.i18n import t, tn

if TYPE_CHECKING:
    from relance_tui.services.importing.batch import ImportReport

KINDS = ("invoices", "debtors", "contacts", "payments", "statement", "fec", "einvoices", "folder")
MAX_LISTED = 1000  # errors printed; beyond that, the rejects file has them all


def register(subparsers: Any) -> None:
    parser = common.command(
        subparsers, "import", t("cli.import.help"), description=t("cli.import.description")
    )
    parser.add_argument(
        "kind", choices=KINDS, metavar=t("cli.metavar.kind"), help=t("cli.import.kind")
    )
    parser.add_argument("file", type=Path, metavar=t("cli.metavar.file"), help=t("cli.import.file"))
    parser.add_argument(  # more files: e-invoices only
        "more", nargs="*", type=Path, metavar=t("cli.metavar.more"), help=t("cli.import.more")
    )
    parser.add_argument(
        "--list-fields",
        action=_ListFields,
        choices=KINDS[:4],
        metavar=t("cli.metavar.kind"),
        help=t("cli.import.list_fields"),
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar=t("cli.metavar.mapping"),
        help=t("cli.import.map"),
    )
    parser.add_argument(
        "--date-format", metavar=t("cli.metavar.format"), help=t("cli.import.date_format")
    )
    parser.add_argument("--skip-bad", action="store_true", help=t("cli.import.skip_bad"))
    parser.add_argument(
        "--rejects", type=Path, metavar=t("cli.metavar.file"), help=t("cli.import.rejects")
    )
    parser.add_argument("--sheet", metavar=t("cli.metavar.sheet"), help=t("cli.import.sheet"))
    parser.add_argument("--preset", metavar=t("cli.metavar.preset"), help=t("cli.import.preset"))
    parser.set_defaults(handler=run)


def _mapping(entries: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for entry in entries:
        name, sep, header = entry.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise common.CliError(t("import.cli.bad_map", entry=entry), exit_code=2)
        mapping[name.strip()] = header.strip()
    return mapping


def run(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.formatting import PARIS
    from relance_tui.services.importing.after import settle_after_import
    from relance_tui.services.importing.batch import ImportOptions
    from relance_tui.services.importing.fields import ImportKind
    from relance_tui.services.importing.pipeline import import_file
    from relance_tui.services.importing.rejects import free_rejects_path
    from relance_tui.storage.imports import last_import_id

    if args.kind == "einvoices":  # Factur-X, CII, UBL: several files or folders
        from relance_tui.cli import einvoices_cmd

        return einvoices_cmd.run(args)
    if args.more:
        raise common.CliError(t("import.cli.one_file", kind=args.kind), exit_code=2)
    if args.kind == "folder":  # every export of a folder, in order, in one transaction
        return _run_folder(args, mapping=_mapping(args.map))
    if args.kind == "statement":  # a bank statement: its own reader and matching
        from relance_tui.cli import statement_cmd

        return statement_cmd.run(args)
    if args.kind == "fec":  # an accounting export: its own reader
        from relance_tui.cli import fec_cmd

        return fec_cmd.run(args)
    mapping = _mapping(args.map)
    if args.rejects and not args.skip_bad:
        raise common.CliError(t("import.cli.rejects_needs_skip_bad"), exit_code=2)
    path: Path = args.file
    if not path.exists():
        raise common.CliError(t("error.file_not_found", path=path))
    rejects = args.rejects
    if args.skip_bad and rejects is None:
        rejects = free_rejects_path(path)
    conn = common.open_db(args)
    identity = common.current_identity(args, conn)
    options = ImportOptions(
        agent=identity.agent.login,
        mapping=mapping,
        date_format=args.date_format,
        skip_bad=args.skip_bad,
        rejects_path=rejects,
        sheet=args.sheet,
        preset=args.preset.strip().lower() if args.preset else None,
    )
    with common.importing(conn):
        last_import = last_import_id(conn)
        try:
            with _progress_bar(path) as progress:
                report = import_file(
                    conn,
                    ImportKind(args.kind),
                    path,
                    options,
                    today=datetime.now(PARIS).date(),
                    progress=progress,
                )
        except KeyboardInterrupt as error:
            # The import is one transaction: rolled back, unless Ctrl-C came just after its commit.
            after = last_import_id(conn) > last_import
            message = t(
                "import.cli.interrupted_after" if after else "import.cli.interrupted",
                file=path.name,
            )
            raise common.CliError(message, exit_code=130) from error
        settled = None
        if report.committed and report.kind in (ImportKind.INVOICES, ImportKind.PAYMENTS):
            settled = settle_after_import(conn, common.settings(args), datetime.now(UTC))
    code = _print_report(report)
    if settled is not None and (settled.assigned or settled.followup.changed):
        followup = settled.followup
        print(
            t(
                "import.cli.settled",
                assigned=tn("import.cli.settled_assigned", settled.assigned),
                kept=followup.promises_kept,
                broken=followup.promises_broken,
                paid=followup.installments_paid,
                missed=followup.installments_missed,
            )
        )
        if followup.promises_partly_kept or followup.promise_rests:
            print(
                t(
                    "promises_partial.import_line",
                    partly=followup.promises_partly_kept,
                    rests=followup.promise_rests,
                )
            )
    return code


def _run_folder(args: argparse.Namespace, mapping: dict[str, str]) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.cli import einvoices_cmd
    from relance_tui.services.importing.after import settle_after_import
    from relance_tui.services.importing.batch import ImportOptions
    from relance_tui.services.importing.folder import FolderRefused, Planned, import_folder

    if args.skip_bad or args.rejects:
        raise common.CliError(t("folder.no_skip_bad"), exit_code=2)
    conn = common.open_db(args)
    identity = common.current_identity(args, conn)
    options = ImportOptions(
        agent=identity.agent.login,
        mapping=mapping,
        date_format=args.date_format,
        sheet=args.sheet,
        preset=args.preset.strip().lower() if args.preset else None,
    )

    def announce(planned: Planned) -> None:
        tool = t("folder.cli.preset", tool=planned.preset) if planned.preset else ""
        print(t("folder.cli.file", file=planned.path.name, kind=planned.kind, tool=tool))

    with common.importing(conn):
        try:
            done = import_folder(
                conn, args.file, options, now=datetime.now(UTC), on_file=announce,
                creditor_siren=einvoices_cmd.creditor_siren(common.settings(args)),
            )  # fmt: skip
        except FolderRefused as refused:
            if refused.failed is not None:
                _print_report(refused.failed)
            raise common.CliError(t("folder.cli.refused", error=refused)) from refused
        settle_after_import(conn, common.settings(args), datetime.now(UTC))
    for report in done.files:
        _print_report(report)
    if done.einvoices is not None:
        einvoices_cmd.print_report(done.einvoices)
    print(tn("folder.cli.done", len(done.files) + (done.einvoices.files if done.einvoices else 0)))
    return common.EXIT_OK


class _progress_bar:
    """A rich progress bar on stderr when both stdout and stderr are terminals; else nothing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.progress: Any = None
        self.task: Any = None

    def __enter__(self) -> Any:
        if not (sys.stderr.isatty() and sys.stdout.isatty()):
            return None
        # Deferred: each sub-command loads only what it runs.
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        # Deferred with the rest of this sub-command.
        from relance_tui.cli import output
        from relance_tui.domain.text import inert

        self.progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f} %"),
            TimeElapsedColumn(),
            console=Console(file=output.terminal(sys.stderr)),
            transient=True,
            auto_refresh=False,  # no refresh thread: a big file is then read in two processes
        )
        self.progress.start()
        self.task = self.progress.add_task(
            inert(t("import.cli.progress", file=self.path.name)), total=None
        )
        return self.update

    def update(self, done: int, total: int) -> None:
        self.progress.update(self.task, completed=done, total=total, refresh=True)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


def _print_report(report: ImportReport) -> int:
    name = report.path.name
    if report.errors and not report.committed:
        print(tn("import.cli.refused", report.rejected, file=name), file=sys.stderr)
        for error in report.errors[:MAX_LISTED]:
            print(f"  {error}", file=sys.stderr)
        if len(report.errors) > MAX_LISTED:
            print(tn("import.cli.more_errors", len(report.errors) - MAX_LISTED), file=sys.stderr)
        if report.stopped_after is None:
            print(t("import.cli.fix_hint"), file=sys.stderr)
        else:  # the file looks like no export of this kind: --skip-bad would not do
            stopped = t("import.cli.stopped", line=report.stopped_after, kind=report.kind.value)
            print(stopped, file=sys.stderr)
        _print_warnings(report)
        if report.ignored_columns:
            columns = ", ".join(report.ignored_columns)
            print(t("import.cli.ignored_columns", columns=columns), file=sys.stderr)
        return common.EXIT_BAD_INPUT
    _print_warnings(report)
    if report.preset:
        print(t("presets.cli.recognised", tool=report.preset))
    if report.errors:
        print(tn("import.cli.rejected_lines", report.rejected, path=report.rejects_path))
        for error in report.errors[:20]:
            print(f"  {error}")
        if len(report.errors) > 20:
            print(tn("import.cli.more_errors", len(report.errors) - 20))
    if report.ignored_columns:
        print(t("import.cli.ignored_columns", columns=", ".join(report.ignored_columns)))
    print(
        t(
            "import.cli.summary",
            file=name,
            read=tn("import.cli.rows_read", report.rows_read),
            inserted=tn("import.cli.rows_inserted", report.inserted),
            updated=tn("import.cli.rows_updated", report.updated),
            rejected=tn("import.cli.rows_rejected", report.rejected),
            warnings=tn("import.cli.warnings", len(report.warnings)),
        )
    )
    if report.unchanged:
        print(tn("import.cli.unchanged", report.unchanged))
    return common.EXIT_OK


def _print_warnings(report: ImportReport) -> None:
    for warning in report.warnings[:MAX_LISTED]:
        print(t("import.cli.warning", text=str(warning)), file=sys.stderr)
    if len(report.warnings) > MAX_LISTED:
        print(tn("import.cli.more_warnings", len(report.warnings) - MAX_LISTED), file=sys.stderr)


class _ListFields(argparse.Action):
    """`--list-fields KIND` answers at once, like --help: no file is needed."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        parser.exit(_list_fields(str(values)))


def _list_fields(kind: str) -> int:
    """`--list-fields KIND`: each field, required or not, the headers read as it, its values."""
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.services.importing import presets
    from relance_tui.services.importing.fields import ImportKind, describe_fields

    print(t("fields.cli.title", kind=kind))
    for field in describe_fields(ImportKind(kind)):
        need = t("fields.cli.required") if field.required else t("fields.cli.optional")
        print(f"  {field.name:<20} {field.label} ({need})")
        print("      " + t("fields.cli.headers", headers=", ".join(field.headers)))
        if field.values:
            print("      " + t("fields.cli.values", values=field.values))
    known = [(name, columns) for name, of_kind, columns in presets.described() if of_kind == kind]
    if known:
        print(t("presets.cli.title"))
        for name, columns in known:
            print(f"  --preset {name:<12} {columns}")
    print(t("fields.cli.order"))
    return common.EXIT_OK
