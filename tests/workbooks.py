"""Minimal .xlsx workbooks written by hand (Office Open XML, SpreadsheetML), for the tests."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

Cell = str | int | float | None

_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/\
vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{sheets}
</Types>"""
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/\
relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _sheet(rows: list[list[Cell]], merged: list[str]) -> str:
    lines = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_column(c)}{r}"
            if value is None:
                continue
            if isinstance(value, str):
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
    merges = ""
    if merged:
        merges = (
            f'<mergeCells count="{len(merged)}">'
            + "".join(f'<mergeCell ref="{m}"/>' for m in merged)
            + "</mergeCells>"
        )
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>'
            f'{"".join(lines)}</sheetData>{merges}</worksheet>')  # fmt: skip


def write_xlsx(
    path: Path, sheets: dict[str, list[list[Cell]]], merged: dict[str, list[str]] | None = None
) -> Path:
    merged = merged or {}
    names = list(sheets)
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(
            "[Content_Types].xml",
            _TYPES.format(
                sheets="".join(_SHEET_TYPE.format(n=n) for n in range(1, len(names) + 1))
            ),
        )
        book.writestr("_rels/.rels", _RELS)
        book.writestr(
            "xl/workbook.xml",
            (
                f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS}><sheets>'
                + "".join(
                    f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
                    for n, name in enumerate(names, start=1)
                )
                + "</sheets></workbook>"
            ),
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                'openxmlformats.org/package/2006/relationships">'
                + "".join(
                    f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/worksheet"'
                    f' Target="worksheets/sheet{n}.xml"/>'
                    for n in range(1, len(names) + 1)
                )
                + "</Relationships>"
            ),
        )
        for n, name in enumerate(names, start=1):
            book.writestr(f"xl/worksheets/sheet{n}.xml", _sheet(sheets[name], merged.get(name, [])))
    return path
