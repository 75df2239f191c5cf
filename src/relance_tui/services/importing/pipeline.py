"""`relance import invoices|debtors|contacts|payments FILE`: CSV files as French tools export them.

The flow, for every kind:
1. read the file (opening.py, read.py): a regular file within the size and line limits, its
   header line checked before the rest is read; encoding, separator, columns of raw text;
2. match headers to fields (French or English, any case/accents/spacing, plus `--map`);
3. convert and validate column by column with the domain models' own field types
   (`Model.model_fields[name]`), each distinct value once; amounts are checked in integer cents
   against bounds read from the same field's constraints (see `cents_bounds`);
4. in one `BEGIN IMMEDIATE` transaction: the checks that need the database (unknown debtor, …),
   then — only if no row is bad, or with `skip_bad` — the writes, the case sync, one audit event
   for the import, one per invoice it changed and per case it closed or opened again, and one
   `imports` row. Any bad row without `skip_bad`: the transaction is rolled back.

Importing is for the roles with the IMPORT permission (admins), checked before the file is read
and again inside the transaction.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from relance_tui.domain.permissions import Permission
from relance_tui.services.importing import halves as import_halves
from relance_tui.services.importing import kinds as import_kinds
from relance_tui.services.importing import presets
from relance_tui.services.importing.batch import (
    Batch,
    HalfBatch,
    ImportOptions,
    ImportReport,
    Progress,
    StartOver,
    match_headers,
)
from relance_tui.services.importing.fields import (
    KINDS,
    ImportKind,
)
from relance_tui.services.importing.halves import CleanHalf
from relance_tui.services.importing.kinds import Handler, Snapshot
from relance_tui.services.importing.read import (
    Source,
    Table,
    read_source,
    source_head,
    split_source,
)
from relance_tui.services.importing.rejects import check_rejects_path, write_rejects
from relance_tui.services.permissions import require_login
from relance_tui.storage import imports as store
from relance_tui.storage.db import append_audit, database_path, transaction

PROBE_ROWS = 1000  # lines: a longer file whose rows are all bad in them is not read further


class _Rollback(Exception):
    """Bad rows and no `skip_bad`: undo everything the transaction did."""


class _Stopped(Exception):
    """The file's first lines are all bad: their report, the rest of the file not read."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__()
        self.report = report


def import_file(
    conn: Any,
    kind: ImportKind,
    path: Path,
    options: ImportOptions,
    *,
    today: date,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one CSV file. Raises ImportFileError for file-level problems (nothing written).

    Row problems come back in the report: with any error and without `skip_bad`, nothing is
    written (`committed` is False). `progress(done, total)` counts rows through validation, then
    through writing (total = 2 × rows).

    Raises NotAllowedError unless `options.agent` may import, RejectsPathError for a rejects
    file that exists or is the database.
    """
    require_login(conn, options.agent, Permission.IMPORT)
    if options.skip_bad and options.rejects_path is not None:
        check_rejects_path(options.rejects_path, database_path(conn))
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived tuples: the cycle collector would rescan them all
    try:
        return _import_file(conn, kind, path, options, today=today, progress=progress)
    finally:
        if collecting:
            gc.enable()


def _import_file(
    conn: Any,
    kind: ImportKind,
    path: Path,
    options: ImportOptions,
    *,
    today: date,
    progress: Progress | None,
) -> ImportReport:
    kind = ImportKind(kind)
    spec = KINDS[kind]
    handler_class = import_kinds.HANDLERS[kind]

    def prepare(table: Table) -> Handler:
        preset: presets.Preset | None
        if options.preset:
            preset = presets.forced(options.preset, kind, table.headers, path.name)
        else:
            preset = presets.recognise(table.headers, [kind])
        mapping = options.mapping
        if preset is not None:  # --map still wins, field by field
            mapping = {**presets.mapping(preset, table.headers), **options.mapping}
        columns, ignored = match_headers(table.headers, spec, mapping, path)
        batch = Batch(table, spec, columns, options)
        batch.ignored_columns = ignored
        batch.preset = preset.tool if preset is not None else ""
        batch.validate_fields()
        handler = handler_class(batch)
        handler.check_rows()
        return handler

    try:
        source = read_source(
            path, lambda head, whole: _probe(head, whole, prepare, path), sheet=options.sheet
        )
    except _Stopped as stopped:
        return stopped.report

    def prepare_half(table: Table) -> tuple[Handler, CleanHalf | None]:
        handler = prepare(table)
        batch = handler.batch
        clean = not batch.errors and not batch.warnings and handler.resolve_in_half(snapshot)
        return handler, CleanHalf(batch.size, batch.values) if clean else None

    cut = import_halves.halving_point(source) if handler_class.key_across_halves else None
    if cut is not None:
        snapshot = import_kinds.Snapshot.read(conn)
        try:
            halves = import_halves.Halves(source, cut, prepare_half)
        except OSError:  # fork refused (no memory, process limit): one process then
            halves = None
        if halves is not None:
            with halves:
                first, first_half = halves.first()
                if first_half is not None:
                    try:
                        return _write_halves(
                            conn, handler_class, first.batch, first_half, halves, snapshot,
                            path, options, today, progress,
                        )  # fmt: skip
                    except StartOver:
                        pass
    table = split_source(source)
    del source
    if progress:
        progress(0, 2 * table.row_count)
    return _write(conn, prepare(table), path, options, today=today, progress=progress)


def _probe(head: Source, whole: bool, prepare: Callable[[Table], Handler], path: Path) -> None:
    """Check a file's first lines before it is read whole: its header (ImportFileError), then
    the rows of its first PROBE_ROWS lines.

    A longer file whose rows there are all bad is not the export asked for, or no CSV at all:
    reading on would only make a bad line of every line, and hold them all in memory. Its first
    lines are what the user needs to see: their report is raised (_Stopped).
    """
    probe = source_head(head, PROBE_ROWS)
    if probe is None and whole:  # a short file: read whole and checked at once anyway
        return
    batch = prepare(split_source(probe or head)).batch
    if not batch.size or len(batch.errors) < batch.size:  # (quoted rows may span lines)
        return
    report = _report(batch, path)
    report.errors = sorted((e for errors in batch.errors.values() for e in errors),
                           key=lambda error: error.line)  # fmt: skip
    report.rejected = len(batch.errors)
    report.warnings = sorted(batch.warnings, key=lambda warning: warning.line)
    report.stopped_after = batch.table.line(batch.size - 1)
    raise _Stopped(report)


def _write_halves(
    conn: Any,
    handler_class: type[Handler],
    first: Batch,
    first_half: CleanHalf,
    halves: import_halves.Halves[Handler],
    snapshot: Snapshot,
    path: Path,
    options: ImportOptions,
    today: date,
    progress: Progress | None,
) -> ImportReport:
    """Write the first half while the child still validates the second, then the second.

    Everything happens in one transaction: any problem found on the way (a half not clean, a key
    in both halves, a row the database refuses) raises StartOver, which rolls it all back.
    """
    key = handler_class.key_across_halves
    assert key is not None
    expected = round(first_half.size / import_halves.FIRST_SHARE)
    report = _report(first, path)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.bulk_session(conn, expected), transaction(conn), store.changes_noted(conn):
        start = handler_class(HalfBatch(first, first_half), snapshot)
        start.check_database(conn)
        before = store.count_rows(conn, handler_class.table)
        with store.bulk_indexes(conn, handler_class.table, expected):
            touched = start.write_rows(conn, None)
            first_keys = _keys(key, first_half)  # while the child may still be at work
            second_half = halves.second()
            if second_half is None or not first_keys.isdisjoint(_keys(key, second_half)):
                raise StartOver
            rest = handler_class(HalfBatch(first, second_half), snapshot, before=start)
            rest.check_database(conn)
            touched |= rest.write_rows(conn, None)
        count = first_half.size + second_half.size
        report.rows_read = count
        if progress:
            progress(count, 2 * count)
        report.inserted = store.count_rows(conn, handler_class.table) - before
        report.updated = count - report.inserted
        rest.settle(conn, today, touched)
        _record(conn, report, options, now)
    report.committed = True
    if progress:
        progress(2 * count, 2 * count)
    return report


def _keys(key: tuple[str, ...], half: CleanHalf) -> set[Any]:
    """The key values of a half (each half checked already that they are unique in it)."""
    if len(key) == 1:
        return set(half.values[key[0]])
    return set(zip(*(half.values[name] for name in key), strict=True))


def _report(batch: Batch, path: Path) -> ImportReport:
    report = ImportReport(kind=batch.spec.kind, path=path, rejects_path=None)
    headers = batch.table.headers
    report.columns = {name: headers[index] for name, index in batch.columns.items()}
    report.ignored_columns = batch.ignored_columns
    report.preset = batch.preset
    report.rows_read = batch.size
    return report


def _record(conn: Any, report: ImportReport, options: ImportOptions, now: str) -> None:
    """The `imports` row and the audit events of an import about to be committed."""
    require_login(conn, options.agent, Permission.IMPORT)  # a role taken away meanwhile counts
    report.import_id = store.record_import(
        conn,
        kind=report.kind.value,
        file_name=report.path.name,
        inserted=report.inserted,
        updated=report.updated,
        rejected=report.rejected,
        at=now,
        by=options.agent,
    )
    append_audit(
        conn,
        agent=options.agent,
        action=f"import.{report.kind.value}",
        entity="import",
        entity_id=report.import_id,
        after={
            "file": str(report.path),
            "rows": report.rows_read,
            "inserted": report.inserted,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected,
            "warnings": len(report.warnings),
            "changes": store.audit_changes(
                conn, agent=options.agent, at=now, import_id=report.import_id
            ),
        },
        at=now,
    )


def _write(
    conn: Any,
    handler: Handler,
    path: Path,
    options: ImportOptions,
    *,
    today: date,
    progress: Progress | None,
) -> ImportReport:
    """The checks against the database and the writes, in one transaction; the report."""
    batch = handler.batch
    report = _report(batch, path)
    total = 2 * batch.size
    if progress:
        progress(batch.size, total)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        with store.bulk_session(conn, batch.size), transaction(conn), store.changes_noted(conn):
            handler.check_database(conn)
            report.errors = sorted(
                (error for errors in batch.errors.values() for error in errors),
                key=lambda error: error.line,
            )
            report.rejected = len(batch.errors)
            if batch.errors and not options.skip_bad:
                raise _Rollback
            keep = batch.good_rows()
            written = handler.write(conn, keep, now=now, today=today, agent=options.agent)
            report.inserted, report.updated, report.unchanged = written
            if options.skip_bad and options.rejects_path and batch.errors:
                write_rejects(options.rejects_path, batch.table, batch)
                report.rejects_path = options.rejects_path
            report.warnings = sorted(batch.warnings, key=lambda warning: warning.line)
            _record(conn, report, options, now)
    except _Rollback:
        report.warnings = sorted(batch.warnings, key=lambda warning: warning.line)
        report.committed = False
        return report
    except BaseException:
        if report.rejects_path is not None:  # made new by this import, which did not land
            report.rejects_path.unlink(missing_ok=True)
        raise
    report.committed = True
    if progress:
        progress(total, total)
    return report
