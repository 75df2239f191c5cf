"""Spreadsheets as they are: `.xlsx`, `.xls`, `.ods` read with python-calamine (a maintained Rust
reader, fast), one sheet turned into the text of a French CSV so that every check, report and
rejects file of a CSV import applies unchanged, the sheet's rows being the file's lines.

Cells: numbers written with a decimal comma, dates `JJ/MM/AAAA`, booleans `oui`/`non`; formulas
give the value the spreadsheet saved. A workbook with several sheets that hold data needs
`--sheet NAME`; merged cells below the header are refused (a value would be read on one row only).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from relance_tui.i18n import t
from relance_tui.services.importing.opening import ImportFileError

_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # zip (xlsx, ods), OLE2 (xls)


def is_spreadsheet(head: bytes) -> bool:
    return head.startswith(_MAGIC)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f").replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def sheet_text(data: bytes, path: Path, sheet: str | None) -> str:
    """The chosen sheet (the only one with data, or `sheet`) as `;`-separated CSV text."""
    # Deferred: only spreadsheet imports load the reader.
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        if sheet is not None:
            if sheet not in names:
                raise ImportFileError(t("sheets.unknown", path=path, sheet=sheet,
                                        sheets=", ".join(names)))  # fmt: skip
            chosen = sheet
        else:
            filled = [n for n in names if book.get_sheet_by_name(n).height > 0]
            if len(filled) > 1:
                raise ImportFileError(t("sheets.several", path=path, sheets=", ".join(filled),
                                        first=filled[0]))  # fmt: skip
            chosen = filled[0] if filled else names[0]
        found = book.get_sheet_by_name(chosen)
        rows = found.to_python(skip_empty_area=False)
        merged = found.merged_cell_ranges or []
    except CalamineError as error:
        raise ImportFileError(t("sheets.unreadable", path=path, error=str(error)[:200])) from error
    for (top, left), (bottom, right) in merged:
        if bottom > 0 and (bottom > top or right > left):
            cells = f"{_column(left)}{top + 1}:{_column(right)}{bottom + 1}"
            raise ImportFileError(t("sheets.merged", path=path, sheet=chosen, cells=cells,
                                    line=top + 1))  # fmt: skip
    while rows and not any(str(cell).strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(t("import.file.empty", path=path))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    for row in rows:
        writer.writerow([_cell(cell) for cell in row])
    return out.getvalue()
