"""`relance import folder DIR`: every CSV or spreadsheet export of a folder, each kind told by its
headers (a tool's preset, else our own header names), imported in the order the data needs:
debtors, then contacts, then invoices, then the folder's e-invoices (.xml, .pdf: einvoices.py,
all in one import), then payments.

The whole folder is one transaction (`storage.db.one_transaction`): each file goes through the
usual import (pipeline.py, with its checks, report and audit), and one refused file undoes all
the others. Nothing is written before every file's kind is known.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from relance_tui.domain.permissions import Permission
from relance_tui.formatting import PARIS
from relance_tui.i18n import t
from relance_tui.services.importing import presets
from relance_tui.services.importing.batch import ImportOptions, ImportReport, match_headers
from relance_tui.services.importing.einvoices import EInvoiceReport, import_einvoices
from relance_tui.services.importing.fields import KINDS, ImportKind
from relance_tui.services.importing.opening import ImportFileError
from relance_tui.services.importing.pipeline import import_file
from relance_tui.services.importing.read import Source, read_source, source_head, split_source
from relance_tui.services.permissions import require_login
from relance_tui.storage.db import one_transaction

ORDER = (ImportKind.DEBTORS, ImportKind.CONTACTS, ImportKind.INVOICES, ImportKind.PAYMENTS)
SUFFIXES = (".csv", ".tsv", ".xlsx", ".xls", ".ods")
EINVOICE_SUFFIXES = (".xml", ".pdf")
EINVOICES = "einvoices"
_STAGES = ("debtors", "contacts", "invoices", EINVOICES, "payments")


@dataclass(frozen=True)
class Planned:
    path: Path
    kind: str  # an ImportKind's value, or EINVOICES
    preset: str  # the tool whose export it is ("": our own header names)


@dataclass
class FolderReport:
    files: list[ImportReport]
    einvoices: EInvoiceReport | None = None


class FolderRefused(ImportFileError):
    """A file of the folder was refused: nothing of the folder was written."""

    def __init__(self, message: str, failed: ImportReport | None = None) -> None:
        super().__init__(message)
        self.failed = failed  # the refused file's report (its bad rows), if it got that far


class _Headers(Exception):
    def __init__(self, headers: list[str]) -> None:
        super().__init__()
        self.headers = headers


def _headers(path: Path, sheet: str | None) -> list[str]:
    """The header line of a CSV file or spreadsheet, without reading a CSV file further."""

    def grab(head: Source, whole: bool) -> None:
        raise _Headers(split_source(source_head(head, 1) or head).headers)

    try:
        source = read_source(path, grab, sheet=sheet)
    except _Headers as found:
        return found.headers
    return split_source(source).headers


def kind_of(path: Path, headers: list[str]) -> Planned:
    """A preset's kind, else the kind whose fields our header names cover best; raises
    ImportFileError when none fits or two fit equally."""
    preset = presets.recognise(headers, ORDER)
    if preset is not None:
        return Planned(path, preset.kind.value, preset.tool)
    scores: dict[ImportKind, int] = {}
    for kind in ORDER:
        try:
            columns, _ = match_headers(headers, KINDS[kind], {}, path)
        except ImportFileError:
            continue
        scores[kind] = len(columns)
    if not scores:
        raise ImportFileError(t("folder.unknown_kind", file=path.name,
                                headers=" | ".join(headers)))  # fmt: skip
    best = max(scores.values())
    kinds = [kind for kind, score in scores.items() if score == best]
    if len(kinds) > 1:
        raise ImportFileError(t("folder.ambiguous_kind", file=path.name,
                                kinds=", ".join(k.value for k in kinds)))  # fmt: skip
    return Planned(path, kinds[0].value, "")


def plan_folder(folder: Path, sheet: str | None = None) -> list[Planned]:
    """The folder's export files with their kinds, in the order they are imported."""
    if not folder.is_dir():
        raise ImportFileError(t("folder.not_a_folder", path=folder))
    files = sorted(p for p in folder.iterdir() if p.is_file())
    planned = [kind_of(p, _headers(p, sheet)) for p in files if p.suffix.lower() in SUFFIXES]
    planned += [Planned(p, EINVOICES, "") for p in files if p.suffix.lower() in EINVOICE_SUFFIXES]
    if not planned:
        suffixes = ", ".join((*SUFFIXES, *EINVOICE_SUFFIXES))
        raise ImportFileError(t("folder.empty", path=folder, suffixes=suffixes))
    return sorted(planned, key=lambda p: (_STAGES.index(p.kind), p.path.name))


def import_folder(
    conn: sqlite3.Connection,
    folder: Path,
    options: ImportOptions,
    *,
    now: datetime,
    creditor_siren: str = "",
    on_file: Callable[[Planned], None] | None = None,
) -> FolderReport:
    """Import every file of the folder in one transaction; raises FolderRefused (nothing
    written) when a file is refused, NotAllowedError unless `options.agent` may import.

    `now`: the import's time (its day in Paris for the exports, business_day for e-invoices);
    `creditor_siren`: ours, to refuse a supplier's e-invoice (einvoices.py)."""
    require_login(conn, options.agent, Permission.IMPORT)
    plan = plan_folder(folder, options.sheet)
    result = FolderReport(files=[])
    reports = result.files
    today = now.astimezone(PARIS).date()
    einvoices = [planned.path for planned in plan if planned.kind == EINVOICES]
    try:
        with one_transaction(conn):
            for planned in plan:
                if on_file is not None:
                    on_file(planned)
                if planned.kind == EINVOICES:
                    if planned.path == einvoices[0]:  # all of them in one import, in their turn
                        result.einvoices = _einvoices(conn, einvoices, options, now,
                                                      creditor_siren)  # fmt: skip
                    continue
                try:
                    report = import_file(conn, ImportKind(planned.kind), planned.path,
                                         replace(options, skip_bad=False), today=today)  # fmt: skip
                except ImportFileError as error:
                    raise FolderRefused(str(error)) from error
                reports.append(report)
                if not report.committed:
                    message = t("folder.refused", file=planned.path.name)
                    raise FolderRefused(message, report)
    except FolderRefused:
        for report in reports:
            report.committed = False
        raise
    return result


def _einvoices(
    conn: sqlite3.Connection, paths: list[Path], options: ImportOptions, now: datetime,
    creditor_siren: str,
) -> EInvoiceReport:  # fmt: skip
    try:
        return import_einvoices(conn, paths, agent=options.agent, now=now,
                                creditor_siren=creditor_siren)  # fmt: skip
    except ImportFileError as error:  # EInvoicesRefused included
        raise FolderRefused(str(error)) from error
