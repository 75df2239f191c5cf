"""The rejects file of `relance import --skip-bad`: always a new regular file, never the database.

An existing file is never overwritten (it may be anything: another export, the database itself):
the path is checked before the import starts, then opened with O_CREAT|O_EXCL|O_NOFOLLOW when the
bad rows are written, so a file that appeared meanwhile is refused too.
"""

from __future__ import annotations

import os
from pathlib import Path

from relance_tui.i18n import t
from relance_tui.services.importing.batch import Batch
from relance_tui.services.importing.read import ImportFileError, Table
from relance_tui.services.spreadsheet import SpreadsheetWriter
from relance_tui.storage.db import database_files

FILE_MODE = 0o660


class RejectsPathError(ImportFileError):
    """The rejects file cannot be written there; nothing was imported."""


def free_rejects_path(source: Path) -> Path:
    """`FILE.rejets.csv` beside the source, else `FILE.rejets-2.csv`, … (the first that is free)."""
    candidate = source.with_name(f"{source.stem}.rejets.csv")
    number = 2
    while os.path.lexists(candidate):
        candidate = source.with_name(f"{source.stem}.rejets-{number}.csv")
        number += 1
    return candidate


def check_rejects_path(path: Path, database: Path | None) -> None:
    """Refuse a path that exists or that is the database or one of its side files."""
    if database is not None:
        target = os.path.realpath(path)
        if any(target == os.path.realpath(file) for file in database_files(database)):
            raise RejectsPathError(t("import.rejects.is_database", path=path))
    if os.path.lexists(path):
        raise RejectsPathError(t("import.rejects.exists", path=path))


def write_rejects(path: Path, table: Table, batch: Batch) -> None:
    """The bad rows as they were, plus a column with the reasons; same separator and encoding."""
    encoding = "cp1252" if table.encoding == "cp1252" else "utf-8"
    bom = table.encoding in {"utf-8-sig", "utf-16"}
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, FILE_MODE)
    except FileExistsError:
        raise RejectsPathError(t("import.rejects.exists", path=path)) from None
    except OSError as error:
        raise RejectsPathError(t("import.rejects.unwritable", path=path, detail=error)) from None
    with open(fd, "w", encoding=encoding, errors="replace", newline="") as handle:
        if bom:
            handle.write("\ufeff")
        writer = SpreadsheetWriter(handle, delimiter=table.separator)  # no formula runs
        writer.writerow([*table.headers, t("import.rejects.reason_header")])
        for row in sorted(batch.errors):
            reasons = " ; ".join(
                f"{error.field} : {error.reason}" if error.field else error.reason
                for error in batch.errors[row]
            )
            writer.writerow([*table.row(row), t("import.rejects.line", line=table.line(row))
                             + reasons])  # fmt: skip
