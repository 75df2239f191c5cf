"""CSV files written for people, who open them in Excel or LibreOffice: no cell runs a formula.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to a
spreadsheet (`=HYPERLINK(…)` leaks data, `+cmd|…` runs a program through DDE): such cells get a
leading `'`, as OWASP's "CSV injection" advice says, which spreadsheets show as text.

One exception, chosen so that the numbers stay numbers: a cell that is only a signed number
(`-12,50`, `-1 234,56 €`, `+33 6 12 34 56 78`) is written as it is. Digits, spaces and decimal
marks cannot call anything, and a rejects file fixed in Excel is imported again: a `'-12,50`
would no longer read as an amount.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-][0-9][0-9 \u00a0\u202f.,]*(?: ?€)?")


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet will show it, never run it."""
    if cell.startswith(FORMULA_STARTS) and not _SIGNED_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


class SpreadsheetWriter:
    """`csv.writer` whose every cell goes through `neutralise`."""

    def __init__(self, handle: IO[str], *, delimiter: str, lineterminator: str = "\r\n") -> None:
        self._writer = csv.writer(handle, delimiter=delimiter, lineterminator=lineterminator)

    def writerow(self, row: Iterable[str]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])
